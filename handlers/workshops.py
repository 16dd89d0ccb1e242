"""Workshops in the chat: /workshops to sign up and off, the waiting list, seat offers and
reminders (outbox). Staff's participant list is handlers/workshop_staff.py."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler

from bot import workshops
from bot.callbacks import CallbackData
from bot.consultation.model import Event
from bot.context import AgendaContext
from bot.keys import EventKey
from bot.outbox.dispatch import NOTE_NO_PERSON
from bot.outbox.policy import Attachment, Decision, Dropped, KindPolicy, Outgoing
from handlers.common import (
    Button,
    answer_callback,
    keyboard,
    label,
    send,
    text,
)
from handlers.routes import Args, PersonCall, button, command
from storage import workshops as store
from storage.outbox import OutboxRow
from storage.people import Person
from storage.recipients import Recipient

NOTE_NOT_OFFERED = "the seat is no longer offered (confirmed, declined or lapsed)"
NOTE_NOT_REGISTERED = "no longer registered"
NOTE_UNKNOWN_EVENT = "event not in the consultation file"

STALE = "workshop_stale"


@dataclass(frozen=True)
class Seat(CallbackData, prefix="WS"):
    """A participant's button on an event: sign up (in), sign off or leave the waiting list
    (out), the calendar file (ics), take (yes) or decline (no) an offered seat."""

    action: Literal["in", "out", "ics", "yes", "no"]
    event: EventKey


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """/workshops and the participants' seat buttons."""
    return [
        command(["workshops", "veranstaltungen"], workshops_command),
        button(Seat, on_seat, stale=STALE),
    ]


def policies() -> dict[str, KindPolicy]:
    """How the dispatcher treats seat offers and workshop reminders."""
    return {
        # A lost offer would let the seat lapse unseen: better a rare second copy.
        workshops.OFFER_KIND: KindPolicy(
            build=build_offer,
            resend_interrupted=True,
            expired_note="the offer lapsed before it could be sent",
            interrupted_note="interrupted while sending: sent again (an offer must not get lost)",
        ),
        workshops.REMINDER_KIND: KindPolicy(
            build=build_reminder,
            resend_interrupted=False,
            expired_note="the event has begun",
            interrupted_note="interrupted while sending: delivery unknown, not sent again",
        ),
    }


# ------------------------------------------------------------------ participants


async def workshops_command(call: PersonCall[Args]) -> None:
    """/workshops: the kick-off and the workshops with free seats, and buttons to sign up."""
    text_, buttons = await _list_view(call.context, call.person)
    await send_view(call.update, call.context, text_, buttons)


async def _list_view(context: AgendaContext, person: Person) -> tuple[str, list[list[Button]]]:
    services = context.services
    lang = person.language
    lines = await workshops.overview(services.db, services.consultation, person.id)
    now = services.clock()
    zone = services.consultation.zone
    buttons: list[list[Button]] = []
    for line in lines:
        event = line.event
        if workshops.is_past(event, services.consultation, now):
            continue
        title = event.title.get(lang)
        if line.status == "registered":
            buttons.append(
                [
                    (
                        label(context, lang, "workshop_calendar", title=title),
                        Seat("ics", event.id).pack(),
                    ),
                    (label(context, lang, "workshop_cancel"), Seat("out", event.id).pack()),
                ]
            )
        elif line.status == "offered":
            buttons.append(
                [
                    (
                        label(context, lang, "seat_confirm", title=title),
                        Seat("yes", event.id).pack(),
                    ),
                    (label(context, lang, "seat_decline"), Seat("no", event.id).pack()),
                ]
            )
        elif line.status == "waiting":
            buttons.append(
                [
                    (
                        label(context, lang, "workshop_leave_list", title=title),
                        Seat("out", event.id).pack(),
                    )
                ]
            )
        else:
            name = "workshop_wait" if line.full else "workshop_sign_up"
            buttons.append([(label(context, lang, name, title=title), Seat("in", event.id).pack())])
    local = {
        line.event.id: line.offered_until.astimezone(zone) if line.offered_until else None
        for line in lines
    }
    body = text(context, lang, "workshops_list", lines=lines, offered_until=local, now=now)
    return body, buttons


async def send_view(
    update: Update, context: AgendaContext, body: str, buttons: list[list[Button]]
) -> None:
    """Send a rendered text with its buttons to the update's chat."""
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, body, reply_markup=keyboard(buttons))


async def _refresh_list(update: Update, context: AgendaContext, person: Person) -> None:
    """Show the list message with the current seats and buttons (edited in place)."""
    body, buttons = await _list_view(context, person)
    query = update.callback_query
    with contextlib.suppress(BadRequest):  # unchanged, or too old to edit
        if query is not None and query.message is not None:
            await query.edit_message_text(body, reply_markup=keyboard(buttons))


SeatAction = Callable[[PersonCall[Seat], Event, str | None], Coroutine[Any, Any, bool]]


async def on_seat(call: PersonCall[Seat]) -> None:
    """Sign up, sign off, calendar file, and confirm or decline an offered seat."""
    services = call.services
    event = services.consultation.event(call.payload.event)
    if event is None:
        await call.stale()
        return
    if workshops.is_past(event, services.consultation, services.clock()):
        await call.answer("workshop_over", event=event)
        await call.drop_buttons()
        return
    own = await store.get(services.db, event.id, call.person.id)
    action = SEAT_ACTIONS[call.payload.action]
    if not await action(call, event, own.status if own else None):
        # A button from an older message: the state has moved on meanwhile.
        await call.stale()
        await _refresh_list(call.update, call.context, call.person)


async def _sign_up_button(call: PersonCall[Seat], event: Event, status: str | None) -> bool:
    await _sign_up(call.update, call.context, call.person, event)
    return True


async def _sign_off(call: PersonCall[Seat], event: Event, status: str | None) -> bool:
    if status not in ("registered", "waiting"):
        return False
    services = call.services
    await call.answer()
    await workshops.sign_off(
        services.db, services.settings, event, call.person.id, services.clock()
    )
    _wake(call.context)
    await _refresh_list(call.update, call.context, call.person)
    await call.send("workshop_cancelled", event=event, previous=status)
    return True


async def _calendar_button(call: PersonCall[Seat], event: Event, status: str | None) -> bool:
    if status != "registered":
        return False
    await call.answer()
    await _send_calendar(call.update, call.context, call.lang, event, "workshop_calendar_caption")
    return True


async def _take_seat(call: PersonCall[Seat], event: Event, status: str | None) -> bool:
    if status != "offered":
        return False
    services, now = call.services, call.services.clock()
    await call.answer()
    await call.drop_buttons()
    if await store.confirm(services.db, event.id, call.person.id, now):
        await workshops.plan_reminders(services.db, services.consultation, services.settings, now)
        await _send_calendar(call.update, call.context, call.lang, event, "seat_confirmed")
    else:
        await call.send("seat_offer_gone", event=event)
    return True


async def _decline_seat(call: PersonCall[Seat], event: Event, status: str | None) -> bool:
    if status != "offered":
        return False
    services = call.services
    await call.answer()
    await call.drop_buttons()
    await workshops.sign_off(
        services.db, services.settings, event, call.person.id, services.clock()
    )
    _wake(call.context)
    await call.send("seat_declined", event=event)
    return True


# What each participant button does given the person's status for the event; False: stale.
SEAT_ACTIONS: dict[str, SeatAction] = {
    "in": _sign_up_button,
    "out": _sign_off,
    "ics": _calendar_button,
    "yes": _take_seat,
    "no": _decline_seat,
}


async def _sign_up(update: Update, context: AgendaContext, person: Person, event: Event) -> None:
    services = context.services
    lang = person.language
    status = await workshops.sign_up(
        services.db, services.consultation, services.settings, event, person.id, services.clock()
    )
    await answer_callback(update, context, lang)
    await _refresh_list(update, context, person)
    if status == "registered":
        await _send_calendar(update, context, lang, event, "workshop_registered")
    elif status == "waiting":
        regs = await store.of_event(services.db, event.id)
        waiting = [r.person_id for r in regs if r.status == "waiting"]
        place = waiting.index(person.id) + 1 if person.id in waiting else len(waiting)
        await send(update, context, lang, "workshop_waiting", event=event, place=place)
    else:  # offered: the offer message has the buttons
        await send(update, context, lang, "workshop_offered_already", event=event)


def _calendar(context: AgendaContext, lang: str, event: Event) -> Attachment:
    services = context.services
    description = context.services.texts.render_plain(
        lang, "workshop_ics_description", event=event, title=services.consultation.title.get(lang)
    )
    data = workshops.calendar_file(
        event, services.consultation, lang, description, services.clock()
    )
    return Attachment(data, workshops.calendar_name(event))


async def _send_calendar(
    update: Update, context: AgendaContext, lang: str, event: Event, name: str
) -> None:
    """A message as the caption of the event's calendar file."""
    chat = update.effective_chat
    assert chat is not None
    ics = _calendar(context, lang, event)
    await context.bot.send_document(
        chat.id, ics.data, filename=ics.filename, caption=text(context, lang, name, event=event)
    )


def _wake(context: AgendaContext) -> None:
    dispatcher = context.bot_data.dispatcher
    if dispatcher is not None:
        dispatcher.wake()


# ------------------------------------------------------------------ outbox


async def build_offer(
    context: AgendaContext, row: OutboxRow, recipient: Recipient | None
) -> Decision:
    """Just before sending: is the seat still held for them? Then the offer with its buttons."""
    services = context.services
    if recipient is None:
        return Dropped(NOTE_NO_PERSON)
    event = services.consultation.event(str(row.payload.get("event", "")))
    if event is None:
        return Dropped(NOTE_UNKNOWN_EVENT)
    own = await store.get(services.db, event.id, recipient.person_id)
    now = services.clock()
    if own is None or own.status != "offered" or not own.offered_until or own.offered_until <= now:
        return Dropped(NOTE_NOT_OFFERED)
    lang = recipient.language
    until = own.offered_until.astimezone(services.consultation.zone)
    buttons = [
        [
            (
                label(context, lang, "seat_confirm", title=event.title.get(lang)),
                Seat("yes", event.id).pack(),
            ),
            (label(context, lang, "seat_decline"), Seat("no", event.id).pack()),
        ]
    ]
    return Outgoing(text(context, lang, "seat_offer", event=event, until=until), keyboard(buttons))


async def build_reminder(
    context: AgendaContext, row: OutboxRow, recipient: Recipient | None
) -> Decision:
    """Just before sending: still registered? Then time, place and the calendar file."""
    services = context.services
    if recipient is None:
        return Dropped(NOTE_NO_PERSON)
    event = services.consultation.event(str(row.payload.get("event", "")))
    if event is None:
        return Dropped(NOTE_UNKNOWN_EVENT)
    own = await store.get(services.db, event.id, recipient.person_id)
    if own is None or own.status != "registered":
        return Dropped(NOTE_NOT_REGISTERED)
    lang = recipient.language
    body = text(context, lang, "workshop_reminder", event=event)
    return Outgoing(body, document=_calendar(context, lang, event))
