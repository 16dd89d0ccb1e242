"""Workshops in the chat: /workshops to sign up and off, seat offers, staff's participant list."""

from __future__ import annotations

import contextlib
from datetime import datetime

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import workshops
from bot.callbacks import decode, encode
from bot.consultation import Event
from bot.context import AgendaContext
from bot.outbox_dispatch import NOTE_NO_PERSON, Attachment, Decision, Dropped, KindPolicy, Outgoing
from handlers.common import (
    Button,
    answer_callback,
    current_person,
    drop_buttons,
    keyboard,
    label,
    language_of,
    send,
    text,
)
from handlers.onboarding import ensure_onboarded
from handlers.staff import staff_only
from storage import workshops as store
from storage.outbox import OutboxRow
from storage.people import Person
from storage.recipients import Recipient

PARTICIPANT_ACTIONS = ("in", "out", "ics", "yes", "no")
NOTE_NOT_OFFERED = "the seat is no longer offered (confirmed, declined or lapsed)"
NOTE_NOT_REGISTERED = "no longer registered"
NOTE_UNKNOWN_EVENT = "event not in the consultation file"
# The next attendance mark after a tap: not yet marked -> present -> absent -> not yet marked.
NEXT_MARK: dict[bool | None, bool | None] = {None: True, True: False, False: None}


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """/workshops for everyone, /teilnehmer for staff, and their buttons."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler(["workshops", "veranstaltungen"], workshops_command, filters=private),
        CommandHandler(["teilnehmer", "participants"], staff_only(participants_command)),
        CallbackQueryHandler(on_button, pattern=r"^WS:"),
        CallbackQueryHandler(staff_only(on_staff_button), pattern=r"^WT:"),
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


async def workshops_command(update: Update, context: AgendaContext) -> None:
    """/workshops: the kick-off and the workshops with free seats, and buttons to sign up."""
    person = await ensure_onboarded(update, context)
    if person is None:
        return
    text_, buttons = await _list_view(context, person)
    await _send_text(update, context, text_, buttons)


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
            buttons.append([
                (label(context, lang, "workshop_calendar", title=title),
                 encode("WS", "ics", event.id)),
                (label(context, lang, "workshop_cancel"), encode("WS", "out", event.id)),
            ])  # fmt: skip
        elif line.status == "offered":
            buttons.append([
                (label(context, lang, "seat_confirm", title=title), encode("WS", "yes", event.id)),
                (label(context, lang, "seat_decline"), encode("WS", "no", event.id)),
            ])  # fmt: skip
        elif line.status == "waiting":
            buttons.append(
                [(label(context, lang, "workshop_leave_list", title=title),
                  encode("WS", "out", event.id))]
            )  # fmt: skip
        else:
            name = "workshop_wait" if line.full else "workshop_sign_up"
            buttons.append(
                [(label(context, lang, name, title=title), encode("WS", "in", event.id))]
            )
    local = {
        line.event.id: line.offered_until.astimezone(zone) if line.offered_until else None
        for line in lines
    }
    body = text(context, lang, "workshops_list", lines=lines, offered_until=local, now=now)
    return body, buttons


async def _send_text(
    update: Update, context: AgendaContext, body: str, buttons: list[list[Button]]
) -> None:
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


async def on_button(update: Update, context: AgendaContext) -> None:
    """Sign up, sign off, calendar file, and confirm or decline an offered seat."""
    person = await ensure_onboarded(update, context)
    if person is None:
        return
    services = context.services
    lang = person.language
    payload = decode(update.callback_query.data if update.callback_query else None)
    action = payload.arg(0) if payload else None
    event = services.consultation.event(payload.arg(1) or "") if payload else None
    if payload is None or len(payload.args) != 2 or action not in PARTICIPANT_ACTIONS or not event:
        await answer_callback(update, context, lang, "workshop_stale")
        return
    now = services.clock()
    if workshops.is_past(event, services.consultation, now):
        await answer_callback(update, context, lang, "workshop_over", event=event)
        await drop_buttons(update)
        return
    own = await store.get(services.db, event.id, person.id)
    status = own.status if own else None
    if action == "in":
        await _sign_up(update, context, person, event)
    elif action == "out" and status in ("registered", "waiting"):
        await answer_callback(update, context, lang)
        await workshops.sign_off(services.db, services.settings, event, person.id, now)
        _wake(context)
        await _refresh_list(update, context, person)
        await send(update, context, lang, "workshop_cancelled", event=event, previous=status)
    elif action == "ics" and status == "registered":
        await answer_callback(update, context, lang)
        await _send_calendar(update, context, lang, event, "workshop_calendar_caption")
    elif action == "yes" and status == "offered":
        await answer_callback(update, context, lang)
        await drop_buttons(update)
        if await store.confirm(services.db, event.id, person.id, now):
            await workshops.plan_reminders(
                services.db, services.consultation, services.settings, now
            )
            await _send_calendar(update, context, lang, event, "seat_confirmed")
        else:
            await send(update, context, lang, "seat_offer_gone", event=event)
    elif action == "no" and status == "offered":
        await answer_callback(update, context, lang)
        await drop_buttons(update)
        await workshops.sign_off(services.db, services.settings, event, person.id, now)
        _wake(context)
        await send(update, context, lang, "seat_declined", event=event)
    else:
        # A button from an older message: the state has moved on meanwhile.
        await answer_callback(update, context, lang, "workshop_stale")
        await _refresh_list(update, context, person)


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
    buttons = [[
        (label(context, lang, "seat_confirm", title=event.title.get(lang)),
         encode("WS", "yes", event.id)),
        (label(context, lang, "seat_decline"), encode("WS", "no", event.id)),
    ]]  # fmt: skip
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


# ------------------------------------------------------------------ staff


async def participants_command(update: Update, context: AgendaContext) -> None:
    """/teilnehmer [event id]: who is registered and waiting; buttons to mark attendance."""
    lang = language_of(update, await current_person(update, context))
    consultation = context.services.consultation
    if context.args:
        event = consultation.event(context.args[0])
        if event is None:
            valid = [e.id for e in consultation.events]
            await send(update, context, lang, "participants_unknown",
                       event_id=context.args[0], valid=valid)  # fmt: skip
            return
        body, buttons = await _participants_view(context, lang, event)
        await _send_text(update, context, body, buttons)
        return
    taken = await store.seats_taken(context.services.db)
    choices = [
        [(label(context, lang, "participants_event", title=e.title.get(lang),
                taken=taken.get(e.id, 0), capacity=e.capacity), encode("WT", "list", e.id))]
        for e in consultation.events
    ]  # fmt: skip
    await send(update, context, lang, "participants_choose", choices)


async def _participants_view(
    context: AgendaContext, lang: str, event: Event
) -> tuple[str, list[list[Button]]]:
    services = context.services
    regs = await store.of_event(services.db, event.id)
    groups = {g.id: g.title.get(lang) for g in services.consultation.groups}
    seated = [r for r in regs if r.status == "registered"]
    zone = services.consultation.zone
    offered_until: dict[int, datetime | None] = {
        r.id: r.offered_until.astimezone(zone) if r.offered_until else None for r in regs
    }
    body = text(
        context, lang, "participants_list", event=event, registered=seated,
        offered=[r for r in regs if r.status == "offered"],
        waiting=[r for r in regs if r.status == "waiting"],
        groups=groups, offered_until=offered_until,
    )  # fmt: skip
    buttons = [
        [(label(context, lang, "attendance", number=n, registration=r,
                group=groups.get(r.group_id or "", "")),
          encode("WT", "att", r.id))]
        for n, r in enumerate(seated, start=1)
    ]  # fmt: skip
    return body, buttons


async def on_staff_button(update: Update, context: AgendaContext) -> None:
    """An event of /teilnehmer, or a participant's attendance mark."""
    services = context.services
    lang = language_of(update, await current_person(update, context))
    payload = decode(update.callback_query.data if update.callback_query else None)
    action = payload.arg(0) if payload else None
    event: Event | None = None
    if action == "list" and payload is not None:
        event = services.consultation.event(payload.arg(1) or "")
        if event is not None:
            await answer_callback(update, context, lang)
            body, buttons = await _participants_view(context, lang, event)
            await _send_text(update, context, body, buttons)
            return
    elif action == "att" and payload is not None and (number := payload.number(1)) is not None:
        found = await store.by_id(services.db, number)
        event = services.consultation.event(found.event_id) if found else None
        if found is not None and event is not None and found.status == "registered":
            mark = NEXT_MARK[found.attended]
            await store.mark_attendance(services.db, found.id, mark)
            await answer_callback(update, context, lang, "attendance_marked", attended=mark)
            body, buttons = await _participants_view(context, lang, event)
            query = update.callback_query
            with contextlib.suppress(BadRequest):
                if query is not None:
                    await query.edit_message_text(body, reply_markup=keyboard(buttons))
            return
    await answer_callback(update, context, lang, "workshop_stale")
