"""Workshops for staff: /teilnehmer lists who is registered, offered a seat and waiting for an
event, with a button per participant to mark attendance (audited)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler

from bot.callbacks import CallbackData
from bot.consultation.model import Event
from bot.context import AgendaContext
from bot.keys import EventKey
from handlers.common import Button, keyboard, label, text
from handlers.routes import Args, Call, staff_button, staff_command
from handlers.staff import audit_action
from handlers.workshops import STALE, send_view
from storage import workshops as store

# The next attendance mark after a tap: not yet marked -> present -> absent -> not yet marked.
NEXT_MARK: dict[bool | None, bool | None] = {None: True, True: False, False: None}


@dataclass(frozen=True)
class EventList(CallbackData, prefix="WT:list"):
    """Staff: who is registered and waiting for this event."""

    event: EventKey


@dataclass(frozen=True)
class Attendance(CallbackData, prefix="WT:att"):
    """Staff: mark a registration present, absent or not yet marked (in turn)."""

    registration: int


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """/teilnehmer and its buttons (staff)."""
    return [
        staff_command(["teilnehmer", "participants"], participants_command),
        staff_button(EventList, on_event_list, stale=STALE),
        staff_button(Attendance, on_attendance, stale=STALE),
    ]


async def participants_command(call: Call[Args]) -> None:
    """/teilnehmer [event id]: who is registered and waiting; buttons to mark attendance."""
    context, lang = call.context, call.lang
    consultation = context.services.consultation
    if call.payload:
        event = consultation.event(call.payload[0])
        if event is None:
            valid = [e.id for e in consultation.events]
            await call.send("participants_unknown", event_id=call.payload[0], valid=valid)
            return
        body, buttons = await _participants_view(context, lang, event)
        await send_view(call.update, context, body, buttons)
        return
    taken = await store.seats_taken(context.services.db)
    choices = [
        [
            (
                label(
                    context,
                    lang,
                    "participants_event",
                    title=e.title.get(lang),
                    taken=taken.get(e.id, 0),
                    capacity=e.capacity,
                ),
                EventList(e.id).pack(),
            )
        ]
        for e in consultation.events
    ]
    await call.send("participants_choose", choices)


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
        context,
        lang,
        "participants_list",
        event=event,
        registered=seated,
        offered=[r for r in regs if r.status == "offered"],
        waiting=[r for r in regs if r.status == "waiting"],
        groups=groups,
        offered_until=offered_until,
    )
    buttons = [
        [
            (
                label(
                    context,
                    lang,
                    "attendance",
                    number=n,
                    registration=r,
                    group=groups.get(r.group_id or "", ""),
                ),
                Attendance(r.id).pack(),
            )
        ]
        for n, r in enumerate(seated, start=1)
    ]
    return body, buttons


async def on_event_list(call: Call[EventList]) -> None:
    """An event of /teilnehmer: its participants."""
    event = call.services.consultation.event(call.payload.event)
    if event is None:
        await call.stale()
        return
    await call.answer()
    body, buttons = await _participants_view(call.context, call.lang, event)
    await send_view(call.update, call.context, body, buttons)


async def on_attendance(call: Call[Attendance]) -> None:
    """A participant's attendance mark: not yet -> present -> absent -> not yet."""
    services = call.services
    found = await store.by_id(services.db, call.payload.registration)
    event = services.consultation.event(found.event_id) if found else None
    if found is None or event is None or found.status != "registered":
        await call.stale()
        return
    mark = NEXT_MARK[found.attended]
    async with services.db.transaction():  # the mark and its audit entry together
        await store.mark_attendance(services.db, found.id, mark)
        await audit_action(
            call.update,
            call.context,
            "attendance",
            f"registration:{found.id}",
            {True: "yes", False: "no", None: "open"}[mark],
        )
    await call.answer("attendance_marked", attended=mark)
    body, buttons = await _participants_view(call.context, call.lang, event)
    query = call.update.callback_query
    with contextlib.suppress(BadRequest):
        if query is not None:
            await query.edit_message_text(body, reply_markup=keyboard(buttons))
