"""Staff broadcasts: /rundschreiben - text, segment, preview with the count, confirm, report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal, cast

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, MessageHandler, filters

from bot import broadcasts
from bot.callbacks import CallbackData, Chars
from bot.context import AgendaContext
from bot.outbox.dispatch import NOTE_BLOCKED_PREFIX, NOTE_NO_PERSON
from bot.outbox.policy import Decision, Dropped, KindPolicy, Outgoing
from handlers.common import Button, current_person, label, language_of, send, text
from handlers.routes import Args, Call, staff_button, staff_command
from handlers.staff import audit_action
from storage import broadcasts as store
from storage.outbox import OutboxRow
from storage.recipients import Recipient

TEXT_LIMIT = 3500  # leaves room for the heading within Telegram's 4096 characters


@dataclass(frozen=True)
class ChooseSegment(CallbackData, prefix="BC:seg"):
    """The recipients of the draft: a segment id of bot.broadcasts ('all', 'g:<group>', ...)."""

    kind: Literal["all", "g", "f", "w"]
    value: Annotated[str, Chars(16)] | None = None

    @classmethod
    def of(cls, segment_id: str) -> ChooseSegment:
        """The button of a segment id (its kind is checked when it is packed)."""
        kind, _, value = segment_id.partition(":")
        return cls(cast(Literal["all", "g", "f", "w"], kind), value or None)

    @property
    def segment_id(self) -> str:
        """The segment id this button names."""
        return self.kind if self.value is None else f"{self.kind}:{self.value}"


@dataclass(frozen=True)
class SendBroadcast(CallbackData, prefix="BC:send"):
    """Send the draft to the chosen segment."""


@dataclass(frozen=True)
class ChangeSegment(CallbackData, prefix="BC:change"):
    """Choose the segment again."""


@dataclass(frozen=True)
class CancelBroadcast(CallbackData, prefix="BC:cancel"):
    """Discard the draft."""


@dataclass(frozen=True)
class DeliveryReport(CallbackData, prefix="BC:report"):
    """How far a sent broadcast got."""

    broadcast: int


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """/rundschreiben and its buttons."""
    return [
        staff_command(["rundschreiben", "broadcast"], broadcast_command),
        staff_button(ChooseSegment, on_segment),
        staff_button(SendBroadcast, on_send),
        staff_button(ChangeSegment, on_change),
        staff_button(CancelBroadcast, on_cancel),
        staff_button(DeliveryReport, on_report),
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


async def broadcast_command(call: Call[Args]) -> None:
    """/rundschreiben: start a draft; the next typed text is the message."""
    services = call.services
    await store.start_draft(services.db, _staff_id(call.update), services.clock())
    await call.send("broadcast_ask_text", _cancel(call.context, call.lang), limit=TEXT_LIMIT)


def _cancel(context: AgendaContext, lang: str) -> list[list[Button]]:
    return [[(label(context, lang, "broadcast_cancel"), CancelBroadcast().pack())]]


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
        [
            (
                label(
                    context,
                    lang,
                    "broadcast_segment",
                    segment=seg,
                    count=len(broadcasts.members(people, seg.id, registered)),
                ),
                ChooseSegment.of(seg.id).pack(),
            )
        ]
        for seg in broadcasts.segments(services.consultation, lang)
    ]
    buttons.append(_cancel(context, lang)[0])
    await send(update, context, lang, "broadcast_choose_segment", buttons)


async def _draft(call: Call[CallbackData]) -> store.Draft | None:
    """The staff member's draft with its text (buttons answered and removed); None when there
    is none (sent or discarded meanwhile, said so)."""
    await call.answer()
    await call.drop_buttons()
    found = await store.draft(call.services.db, _staff_id(call.update))
    if found is None or not found.text:
        await call.send("broadcast_no_draft")
        return None
    return found


async def on_cancel(call: Call[CancelBroadcast]) -> None:
    """Discard the draft."""
    await call.answer()
    await call.drop_buttons()
    await store.discard_draft(call.services.db, _staff_id(call.update))
    await call.send("broadcast_cancelled")


async def on_change(call: Call[ChangeSegment]) -> None:
    """Choose the segment again."""
    if await _draft(call) is not None:
        await _choose_segment(call.update, call.context, call.lang)


async def on_segment(call: Call[ChooseSegment]) -> None:
    """A segment chosen: how many it reaches, and the message as it will look."""
    services, lang = call.services, call.lang
    seg = broadcasts.segment(services.consultation, call.payload.segment_id, lang)
    if seg is None:
        await call.stale()
        return
    found = await _draft(call)
    if found is None:
        return
    await store.set_segment(services.db, _staff_id(call.update), seg.id, services.clock())
    count = len(await broadcasts.audience(services.db, seg.id))
    await call.send("broadcast_preview", segment=seg, count=count)
    await call.send("broadcast_message", _confirm(call.context, lang, count), text=found.text)


async def on_send(call: Call[SendBroadcast]) -> None:
    """Send the draft: one outbox row per recipient."""
    found = await _draft(call)
    if found is None or found.segment is None:
        return
    services, staff_id = call.services, _staff_id(call.update)
    async with services.db.transaction():  # the broadcast and its audit entry together
        broadcast_id, count = await broadcasts.send_broadcast(
            services.db, staff_id, found.text, found.segment, services.clock()
        )
        await audit_action(
            call.update,
            call.context,
            "broadcast",
            f"broadcast:{broadcast_id}",
            f"recipients={count}",
        )
    buttons = [
        [(label(call.context, call.lang, "broadcast_report"), DeliveryReport(broadcast_id).pack())]
    ]
    await call.send("broadcast_queued", buttons, count=count)
    dispatcher = call.context.bot_data.dispatcher
    if dispatcher is not None:
        dispatcher.wake()


async def on_report(call: Call[DeliveryReport]) -> None:
    """How far a broadcast got."""
    await call.answer()
    await _report(call.update, call.context, call.lang, call.payload.broadcast)


def _confirm(context: AgendaContext, lang: str, count: int) -> list[list[Button]]:
    rows: list[list[Button]] = []
    if count:
        rows.append([(label(context, lang, "broadcast_send", count=count), SendBroadcast().pack())])
    rows.append([(label(context, lang, "broadcast_change"), ChangeSegment().pack())])
    rows.append(_cancel(context, lang)[0])
    return rows


async def _report(update: Update, context: AgendaContext, lang: str, broadcast_id: int) -> None:
    report = await broadcasts.delivery(context.services.db, broadcast_id, NOTE_BLOCKED_PREFIX)
    if report is None:
        await send(update, context, lang, "broadcast_no_draft")
        return
    buttons = [[(label(context, lang, "broadcast_report"), DeliveryReport(broadcast_id).pack())]]
    await send(update, context, lang, "broadcast_report", buttons, report=report)
