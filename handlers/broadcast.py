"""Staff broadcasts: /rundschreiben - text, segment, preview with the count, confirm, report."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import broadcasts
from bot.callbacks import decode, encode
from bot.context import AgendaContext
from bot.outbox_dispatch import (
    NOTE_BLOCKED_PREFIX,
    NOTE_NO_PERSON,
    Decision,
    Dropped,
    KindPolicy,
    Outgoing,
)
from handlers.common import (
    Button,
    answer_callback,
    current_person,
    drop_buttons,
    label,
    language_of,
    send,
    text,
)
from handlers.staff import staff_only
from storage import broadcasts as store
from storage.outbox import OutboxRow
from storage.recipients import Recipient

TEXT_LIMIT = 3500  # leaves room for the heading within Telegram's 4096 characters


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """/rundschreiben and its buttons."""
    return [
        CommandHandler(["rundschreiben", "broadcast"], staff_only(broadcast_command)),
        CallbackQueryHandler(staff_only(on_button), pattern=r"^BC:"),
    ]


def early_handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """Before the input router: the text of a draft, typed by staff."""
    return [MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, on_text)]


def policy() -> KindPolicy:
    """How the dispatcher treats broadcast rows.

    A broadcast has no validity: one due while the bot was down goes out late. A row left
    'sending' by a crash is sent again: a lost announcement (a moved workshop) is worse than
    a rare second copy.
    """
    return KindPolicy(
        build=build_broadcast,
        resend_interrupted=True,
        expired_note="past its validity",
        interrupted_note="interrupted while sending: sent again",
    )


async def build_broadcast(
    context: AgendaContext, row: OutboxRow, recipient: Recipient | None
) -> Decision:
    """The broadcast's text under a heading, in the person's language."""
    if recipient is None:
        return Dropped(NOTE_NO_PERSON)  # nobody with this id (an erasure takes its rows along)
    found = await store.by_id(context.services.db, int(row.payload.get("broadcast", 0)))
    if found is None:
        return Dropped("broadcast not found")
    return Outgoing(text(context, recipient.language, "broadcast_message", text=found.text))


async def _lang(update: Update, context: AgendaContext) -> str:
    return language_of(update, await current_person(update, context))


def _staff_id(update: Update) -> int:
    user = update.effective_user
    assert user is not None
    return user.id


async def broadcast_command(update: Update, context: AgendaContext) -> None:
    """/rundschreiben: start a draft; the next typed text is the message."""
    lang = await _lang(update, context)
    await store.start_draft(context.services.db, _staff_id(update), context.services.clock())
    await send(
        update, context, lang, "broadcast_ask_text", _cancel(context, lang), limit=TEXT_LIMIT
    )


def _cancel(context: AgendaContext, lang: str) -> list[list[Button]]:
    return [[(label(context, lang, "broadcast_cancel"), encode("BC", "cancel"))]]


async def on_text(update: Update, context: AgendaContext) -> None:
    """Typed text: a staff member's draft text if one is awaited; otherwise not ours."""
    user, message = update.effective_user, update.effective_message
    services = context.services
    if user is None or message is None or message.text is None or not services.is_staff(user.id):
        return
    found = await store.draft(services.db, user.id)
    if found is None or found.text:
        return
    lang = await _lang(update, context)
    if len(message.text) > TEXT_LIMIT:
        await send(
            update, context, lang, "broadcast_too_long", length=len(message.text), limit=TEXT_LIMIT
        )
        raise ApplicationHandlerStop
    await store.set_text(services.db, user.id, message.text, services.clock())
    await _choose_segment(update, context, lang)
    raise ApplicationHandlerStop  # handled: the input router must not answer it too


async def _choose_segment(update: Update, context: AgendaContext, lang: str) -> None:
    services = context.services
    people = await broadcasts.audience(services.db, broadcasts.ALL)
    registered = await broadcasts.registered_people(services.db)
    buttons: list[list[Button]] = [
        [(
            label(context, lang, "broadcast_segment", segment=seg,
                  count=len(broadcasts.members(people, seg.id, registered))),
            encode("BC", "seg", *seg.id.split(":")),
        )]
        for seg in broadcasts.segments(services.consultation, lang)
    ]  # fmt: skip
    buttons.append(_cancel(context, lang)[0])
    await send(update, context, lang, "broadcast_choose_segment", buttons)


async def on_button(update: Update, context: AgendaContext) -> None:
    """Segment, send, change, cancel and report buttons."""
    services = context.services
    lang = await _lang(update, context)
    await answer_callback(update, context, lang)
    payload = decode(update.callback_query.data if update.callback_query else None)
    action = payload.arg(0) if payload else None
    staff_id = _staff_id(update)
    if action == "report" and payload is not None:
        await _report(update, context, lang, payload.number(1) or 0)
        return
    await drop_buttons(update)
    if action == "cancel":
        await store.discard_draft(services.db, staff_id)
        await send(update, context, lang, "broadcast_cancelled")
        return
    found = await store.draft(services.db, staff_id)
    if found is None or not found.text:
        await send(update, context, lang, "broadcast_no_draft")
        return
    if action == "seg" and payload is not None:
        seg = broadcasts.segment(services.consultation, ":".join(payload.args[1:]), lang)
        if seg is None:
            await answer_callback(update, context, lang, "stale_button")
            return
        await store.set_segment(services.db, staff_id, seg.id, services.clock())
        count = len(await broadcasts.audience(services.db, seg.id))
        await send(update, context, lang, "broadcast_preview", segment=seg, count=count)
        await send(
            update,
            context,
            lang,
            "broadcast_message",
            _confirm(context, lang, count),
            text=found.text,
        )
    elif action == "change":
        await _choose_segment(update, context, lang)
    elif action == "send" and found.segment is not None:
        broadcast_id, count = await broadcasts.send_broadcast(
            services.db, staff_id, found.text, found.segment, services.clock()
        )
        buttons = [
            [(label(context, lang, "broadcast_report"), encode("BC", "report", broadcast_id))]
        ]
        await send(update, context, lang, "broadcast_queued", buttons, count=count)
        dispatcher = context.bot_data.dispatcher
        if dispatcher is not None:
            dispatcher.wake()


def _confirm(context: AgendaContext, lang: str, count: int) -> list[list[Button]]:
    rows: list[list[Button]] = []
    if count:
        rows.append([(label(context, lang, "broadcast_send", count=count), encode("BC", "send"))])
    rows.append([(label(context, lang, "broadcast_change"), encode("BC", "change"))])
    rows.append(_cancel(context, lang)[0])
    return rows


async def _report(update: Update, context: AgendaContext, lang: str, broadcast_id: int) -> None:
    report = await broadcasts.delivery(context.services.db, broadcast_id, NOTE_BLOCKED_PREFIX)
    if report is None:
        await send(update, context, lang, "broadcast_no_draft")
        return
    buttons = [[(label(context, lang, "broadcast_report"), encode("BC", "report", broadcast_id))]]
    await send(update, context, lang, "broadcast_report", buttons, report=report)
