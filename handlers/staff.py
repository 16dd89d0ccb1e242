"""Staff commands: private chat only, numeric user ids (AGENDA_STAFF_IDS and /team).

Every refused attempt at a staff command or button is recorded in the audit trail here, in
``refuse``; every staff action records itself with ``audit_action`` inside its unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler

from bot.callbacks import CallbackData, split
from bot.context import AgendaContext
from bot.documents.kinds import PACK
from bot.keys import EventKey
from bot.packs import UnknownWorkshop, build_pack
from bot.status import build_status
from handlers.common import (
    answer_callback,
    current_person,
    label,
    language_of,
    send,
    send_rendered,
    text,
)
from storage import audit

if TYPE_CHECKING:
    from handlers.routes import Args, Call

StaffCallback = Callable[[Update, AgendaContext], Coroutine[Any, Any, None]]


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """Staff-only commands."""
    # Imported here: the route layer (handlers/routes.py) calls staff_only, the check below.
    from handlers.routes import staff_button, staff_command

    return [
        staff_command("status", status_command),
        staff_command("digest", digest_command),
        staff_button(DigestOf, digest_button),
    ]


def staff_only(callback: StaffCallback) -> StaffCallback:
    """Run callback only for staff in a private chat; refuse (and audit) everyone else."""

    async def guarded(update: Update, context: AgendaContext) -> None:
        if not is_staff_chat(update, context):
            await refuse(update, context)
            return
        await callback(update, context)

    guarded.__doc__ = callback.__doc__
    return guarded


def private_user(update: Update) -> int | None:
    """The numeric id of the user writing, when they write in their private chat with the bot."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != ChatType.PRIVATE:
        return None
    return user.id


def is_staff_chat(update: Update, context: AgendaContext) -> bool:
    """Whether the update comes from a staff member in their private chat with the bot."""
    user_id = private_user(update)
    return user_id is not None and context.services.is_staff(user_id)


async def refuse(update: Update, context: AgendaContext) -> None:
    """Tell the person a staff command is not for them and record the attempt (one entry)."""
    user, chat = update.effective_user, update.effective_chat
    person = await current_person(update, context) if user else None
    button = update.callback_query is not None
    await audit.record(
        context.services.db,
        "button" if button else "command",
        actor=user.id if user else None,
        via="chat",
        subject=attempted(update),
        refused=True,
        now=context.services.clock(),
    )
    await answer_callback(update, context, language_of(update, person))
    await send(
        update,
        context,
        language_of(update, person),
        "staff_only",
        private=chat is not None and chat.type == ChatType.PRIVATE,
    )


def attempted(update: Update) -> str:
    """What was tried, as an id for the audit trail: '/export', a button's kind 'DP', or
    'message' (a file or text); never the text a person typed."""
    query = update.callback_query
    if query is not None:
        parts = split(query.data)
        return parts[0] if parts else "button"
    message = update.effective_message
    words = (message.text or "").split() if message else []
    if words and words[0].startswith("/"):
        command = words[0][1:].split("@", 1)[0].lower()
        if 0 < len(command) <= 32 and command.isascii() and command.replace("_", "").isalnum():
            return f"/{command}"
    return "message"


async def audit_action(
    update: Update,
    context: AgendaContext,
    action: str,
    subject: str | int | None = None,
    detail: str | None = None,
) -> None:
    """Record a staff member's action; call it inside the action's unit of work."""
    user = update.effective_user
    await audit.record(
        context.services.db,
        action,
        actor=user.id if user else None,
        via="chat",
        subject=subject,
        detail=detail,
        now=context.services.clock(),
    )


async def status_command(call: Call[Args]) -> None:
    """/status: invited, started and completed per questionnaire and group; who is silent."""
    services = call.services
    report = await build_status(
        services.db, services.consultation, call.lang, services.today().isoformat()
    )
    await call.send("staff_status", report=report)


@dataclass(frozen=True)
class DigestOf(CallbackData, prefix="DG"):
    """The briefing pack of this workshop."""

    workshop: EventKey


async def digest_command(call: Call[Args]) -> None:
    """/digest [workshop id]: the workshop's briefing pack; without an id, the workshops."""
    context, lang = call.context, call.lang
    if call.payload:
        await send_pack(call.update, context, lang, call.payload[0])
        return
    workshops = context.services.consultation.workshops
    buttons = [
        [
            (
                label(context, lang, "digest_workshop", title=w.title.get(lang), starts=w.starts),
                DigestOf(w.id).pack(),
            )
        ]
        for w in workshops
    ]
    await call.send("digest_choose", buttons=buttons, count=len(workshops))


async def digest_button(call: Call[DigestOf]) -> None:
    """A workshop button of /digest: send that workshop's pack."""
    await call.answer()
    await send_pack(call.update, call.context, call.lang, call.payload.workshop)


async def send_pack(update: Update, context: AgendaContext, lang: str, workshop_id: str) -> None:
    """Build the pack from the database, render it in a worker, send the PDF and the HTML."""
    services = context.services
    try:
        pack = await build_pack(services.db, services.consultation, workshop_id, services.today())
    except UnknownWorkshop as error:
        valid = list(error.valid)
        await send(update, context, lang, "digest_unknown", workshop_id=workshop_id, valid=valid)
        return
    await audit_action(update, context, "digest", subject=pack.workshop_id)
    await send(update, context, lang, "digest_sending", title=pack.title)
    # Rendering takes seconds: it runs as a task, so other updates are handled meanwhile.
    sending = send_rendered(
        update,
        context,
        lang,
        PACK,
        pack,
        lambda kind: text(
            context, lang, "digest_caption", title=pack.title, kind=kind, day=pack.generated
        ),
        "digest_failed",
        title=pack.title,
    )
    context.application.create_task(sending, update=update)
