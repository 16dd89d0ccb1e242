"""/plan (staff, private chat): the published time-and-measures plan as PDF and HTML.

Staff publish the plan file with ``agenda-bot plan publish FILE`` (docs/plan.md); /plan
validates the latest one against the adopted measures again, renders it in a worker process
and sends both files.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from bot.context import AgendaContext
from bot.documents.kinds import PLAN
from bot.plan import PlanError, build_plan
from handlers.common import send, send_rendered, text
from handlers.routes import Args, Call, staff_command
from storage import plan as plans

ERRORS_SHOWN = 20


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The plan command."""
    return [staff_command("plan", plan_command)]


async def plan_command(call: Call[Args]) -> None:
    """/plan: validate the published plan, then render and send it in a task."""
    update, context, lang = call.update, call.context, call.lang
    services = context.services
    stored = await plans.latest(services.db)
    if stored is None:
        await send(update, context, lang, "plan_none")
        return
    try:
        ctx = await build_plan(
            services.db, services.consultation, stored.source, services.today(), stored.file_name
        )
    except PlanError as error:
        errors = error.errors[:ERRORS_SHOWN]
        more = len(error.errors) - len(errors)
        await send(update, context, lang, "plan_invalid", errors=errors, more=more)
        return
    await send(update, context, lang, "plan_sending", title=ctx.title)
    sending = send_rendered(
        update,
        context,
        lang,
        PLAN,
        ctx,
        lambda kind: text(
            context, lang, "plan_caption", title=ctx.title, kind=kind, day=ctx.generated
        ),
        "plan_failed",
        title=ctx.title,
    )
    context.application.create_task(sending, update=update)
