"""Progress read back: the progress report staff send, and /folgen, where people follow measures.

The report (PDF and HTML) is asked for with the button under /fortschritt; /folgen lists the
adopted measures as toggle buttons, and a follower is told each entry staff record (kind
``measure_update``). Separate from handlers/progress.py, where staff record the entries, because
neither writes one. The published plan, or staff told why there is none, is where recording and
the report both start: it lives here, in the lower module that handlers/progress.py imports.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler

from bot import progress
from bot.callbacks import CallbackData
from bot.context import AgendaContext
from bot.documents.kinds import PROGRESS
from bot.keys import MeasureKey
from bot.plan import NoPlan, PlanContext, PlanError
from handlers.common import Button, keyboard, label, send, send_rendered, text
from handlers.plan import ERRORS_SHOWN
from handlers.routes import Args, Call, PersonCall, command, profile_button, staff_button
from storage import draft as drafts
from storage import progress as store
from storage.people import Person


@dataclass(frozen=True)
class ProgressReport(CallbackData, prefix="PG:rep"):
    """Staff: the progress report as PDF and HTML."""


@dataclass(frozen=True)
class Follow(CallbackData, prefix="FO"):
    """Follow or unfollow an adopted measure."""

    measure: MeasureKey


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The report button for staff, /folgen for everyone and its buttons."""
    return [
        command(["folgen", "follow"], follow_command),
        staff_button(ProgressReport, on_report),
        profile_button(Follow, on_follow),
    ]


# ------------------------------------------------------------------ the report


async def plan_or_why(update: Update, context: AgendaContext, lang: str) -> PlanContext | None:
    """The published plan, or None after telling staff why there is none."""
    services = context.services
    try:
        return await progress.published_plan(services.db, services.consultation, services.today())
    except NoPlan:
        await send(update, context, lang, "plan_none")
    except PlanError as error:
        errors = error.errors[:ERRORS_SHOWN]
        await send(
            update,
            context,
            lang,
            "plan_invalid",
            errors=errors,
            more=len(error.errors) - len(errors),
        )
    return None


async def on_report(call: Call[ProgressReport]) -> None:
    """The progress report, built now and sent as PDF and HTML."""
    await call.answer()
    await _send_report(call.update, call.context, call.lang)


async def _send_report(update: Update, context: AgendaContext, lang: str) -> None:
    """Build the report now, render and send it in a task."""
    plan = await plan_or_why(update, context, lang)
    if plan is None:
        return
    services = context.services
    report = await progress.build_progress(services.db, plan, services.consultation.zone)
    await send(update, context, lang, "progress_sending")
    sending = send_rendered(
        update,
        context,
        lang,
        PROGRESS,
        report,
        lambda kind: text(context, lang, "progress_caption", kind=kind, day=report.generated),
        "progress_failed",
    )
    context.application.create_task(sending, update=update)


# ------------------------------------------------------------------ followers


async def _follow_buttons(
    context: AgendaContext, lang: str, person: Person
) -> list[list[Button]] | None:
    """One toggle button per adopted measure of the current draft (None: none adopted)."""
    db = context.services.db
    version = await drafts.current(db)
    adopted = [m for m in await drafts.measures(db, version.id) if m.adopted] if version else []
    if not adopted:
        return None
    following = await store.followed(db, person.id)
    return [
        [
            (
                label(context, lang, "follow", title=m.title, on=m.measure_id in following),
                Follow(m.measure_id).pack(),
            )
        ]
        for m in adopted
    ]


async def follow_command(call: PersonCall[Args]) -> None:
    """/folgen: the adopted measures as toggle buttons."""
    buttons = await _follow_buttons(call.context, call.lang, call.person)
    if buttons is None:
        await call.send("follow_none")
        return
    await call.send("follow_pick", buttons)


async def on_follow(call: PersonCall[Follow]) -> None:
    """Follow or unfollow one adopted measure; the buttons show the new state."""
    person, measure_id = call.person, call.payload.measure
    db = call.services.db
    version = await drafts.current(db)
    adopted = (
        {m.measure_id: m for m in await drafts.measures(db, version.id) if m.adopted}
        if version
        else {}
    )
    if not person.onboarded or measure_id not in adopted:
        await call.stale()
        return
    on = await store.toggle_follow(db, person.id, measure_id, call.services.clock())
    await call.answer("follow_toggled", title=adopted[measure_id].title, on=on)
    buttons = await _follow_buttons(call.context, call.lang, person)
    query = call.update.callback_query
    if query is not None and buttons is not None:
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(reply_markup=keyboard(buttons))
