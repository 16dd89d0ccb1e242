"""Workshop registration as domain rules: seats, waiting list, offers, calendar files, reminders.

Seats and the waiting list live in the database (storage/workshops.py). A freed seat is offered
to the first person waiting, through the outbox (kind ``seat_offer``), for
``AGENDA_SEAT_OFFER_HOURS``; a periodic job lets lapsed offers pass to the next person. The day
before an event each registered person gets a reminder with the calendar file (kind
``workshop_reminder``), planned like the questionnaire reminders: 10:00 local, out of quiet hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar
from icalendar import Event as CalendarEvent
from telegram.ext import Application

from bot.consultation.model import Consultation, Event
from bot.context import AgendaContext, BotData
from bot.reminders import QuietHours, wall_time
from bot.settings import Settings
from storage import outbox
from storage import workshops as store
from storage.db import Database
from storage.workshops import Registration

OFFER_KIND = "seat_offer"
REMINDER_KIND = "workshop_reminder"
REMINDER_HOUR = 10  # local time of the reminder the day before, before the quiet-hours shift
CHECK_JOB = "workshops-check"
NOTE_CANCELLED = "registration cancelled"
CHECK_INTERVAL = 300.0  # seconds: lapsed offers pass to the next person within five minutes


@dataclass(frozen=True)
class EventLine:
    """One event as /workshops shows it to one person."""

    event: Event
    free: int
    waiting: int
    status: str | None  # the person's: registered, waiting, offered, cancelled or None
    offered_until: datetime | None

    @property
    def full(self) -> bool:
        return self.free <= 0


def starts_at(event: Event, consultation: Consultation) -> datetime:
    """The event's start as a moment (the file gives local wall time)."""
    return event.starts.replace(tzinfo=consultation.zone)


def is_past(event: Event, consultation: Consultation, now: datetime) -> bool:
    """Whether the event has begun: no more signing up or off."""
    return starts_at(event, consultation) <= now


async def overview(db: Database, consultation: Consultation, person_id: int) -> list[EventLine]:
    """Every event with its free seats and this person's status."""
    lines = []
    mine = await store.of_person(db, person_id)
    for event in consultation.events:
        regs = await store.of_event(db, event.id)
        taken = sum(1 for r in regs if r.status in store.SEATED)
        own = mine.get(event.id)
        lines.append(
            EventLine(
                event=event,
                free=max(0, event.capacity - taken),
                waiting=sum(1 for r in regs if r.status == "waiting"),
                status=own.status if own else None,
                offered_until=own.offered_until if own else None,
            )
        )
    return lines


async def sign_up(
    db: Database,
    consultation: Consultation,
    settings: Settings,
    event: Event,
    person_id: int,
    now: datetime,
) -> str:
    """Register for a seat, or the waiting list when full; the status. Plans the reminder."""
    async with db.transaction():  # the seat and its reminder together
        status = await store.register(db, event.id, person_id, event.capacity, now)
        if status == "registered":
            await plan_reminders(db, consultation, settings, now)
    return status


async def sign_off(
    db: Database, settings: Settings, event: Event, person_id: int, now: datetime
) -> str | None:
    """Cancel (or decline an offer); the freed seat is offered on. The previous status."""
    # One unit of work: the freed seat is never left without its offer message.
    async with db.transaction():
        previous, offered = await store.cancel(
            db, event.id, person_id, event.capacity, now, now + settings.seat_offer
        )
        if previous == "registered" and (gone := await store.get(db, event.id, person_id)):
            await outbox.drop_pending_key(
                db, reminder_key(event.id, gone.telegram_id), NOTE_CANCELLED
            )
        await enqueue_offers(db, offered, now)
    return previous


async def enqueue_offers(db: Database, offered: list[Registration], now: datetime) -> int:
    """One outbox row per new offer, valid while the seat is held."""
    return await outbox.enqueue_many(
        db,
        (
            outbox.Planned(
                recipient=r.telegram_id,
                kind=OFFER_KIND,
                payload={"event": r.event_id},
                due_at=now,
                valid_until=r.offered_until,
                dedupe_key=offer_key(r),
            )
            for r in offered
        ),
        now,
    )


def offer_key(registration: Registration) -> str:
    """One message per offer (a person offered again later gets a new one)."""
    until = registration.offered_until.isoformat() if registration.offered_until else "-"
    return f"{OFFER_KIND}:{registration.event_id}:{registration.telegram_id}:{until}"


async def check_offers(
    db: Database, consultation: Consultation, settings: Settings, now: datetime
) -> tuple[list[Registration], list[Registration]]:
    """Lapse offers past their time, offer the seats on; (lapsed, new offers)."""
    capacities = {
        e.id: e.capacity for e in consultation.events if not is_past(e, consultation, now)
    }
    async with db.transaction():  # a seat passed on together with its offer message
        lapsed, offered = await store.expire_offers(db, capacities, now, now + settings.seat_offer)
        await enqueue_offers(db, offered, now)
    return lapsed, offered


def reminder_key(event_id: str, telegram_id: int) -> str:
    """One workshop reminder per event and person, ever."""
    return f"{REMINDER_KIND}:{event_id}:{telegram_id}"


def reminder_due(event: Event, consultation: Consultation, settings: Settings) -> datetime:
    """10:00 local the day before, moved out of quiet hours (never past the start)."""
    zone = consultation.zone
    planned = wall_time(event.starts.date() - timedelta(days=1), REMINDER_HOUR, zone)
    moved = QuietHours.of(settings).next_allowed(planned, zone)
    start = starts_at(event, consultation)
    return moved if moved < start - timedelta(hours=2) else planned


async def plan_reminders(
    db: Database, consultation: Consultation, settings: Settings, now: datetime
) -> int:
    """Plan the reminder for every registration made before its reminder is due.

    Whoever signs up after that moment got the calendar file a moment ago and needs none.
    """
    async with db.transaction():  # planned from one consistent view of the registrations
        planned = []
        for reg in await store.registered(db):
            event = consultation.event(reg.event_id)
            if event is None:
                continue
            due = reminder_due(event, consultation, settings)
            start = starts_at(event, consultation)
            if reg.updated_at >= due or now >= start:
                continue
            planned.append(
                outbox.Planned(
                    recipient=reg.telegram_id,
                    kind=REMINDER_KIND,
                    payload={"event": event.id},
                    due_at=due,
                    valid_until=start,
                    dedupe_key=reminder_key(event.id, reg.telegram_id),
                )
            )
        return await outbox.enqueue_many(db, planned, now)


def calendar_file(
    event: Event, consultation: Consultation, lang: str, description: str, now: datetime
) -> bytes:
    """The event as an iCalendar (.ics) file, times in the consultation's time zone."""
    zone = consultation.zone
    calendar = Calendar()
    calendar.add("prodid", f"-//agenda-bot//{consultation.id}//{lang.upper()}")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", f"{consultation.id}-{event.id}@agenda-bot")
    entry.add("dtstamp", now.astimezone(UTC))
    entry.add("dtstart", event.starts.replace(tzinfo=zone))
    entry.add("dtend", event.ends.replace(tzinfo=zone))
    entry.add("summary", event.title.get(lang))
    entry.add("location", event.place)
    if description:
        entry.add("description", description)
    calendar.add_component(entry)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def calendar_name(event: Event) -> str:
    """The file name of an event's calendar file."""
    return f"{event.id}.ics"


async def _check_job(context: AgendaContext) -> None:
    """Every few minutes: pass lapsed offers on, plan reminders, wake the dispatcher."""
    services = context.services
    now = services.clock()
    _, offered = await check_offers(services.db, services.consultation, services.settings, now)
    await plan_reminders(services.db, services.consultation, services.settings, now)
    dispatcher = context.bot_data.dispatcher
    if offered and dispatcher is not None:
        dispatcher.wake()


async def start_workshops(app: Application[Any, Any, Any, Any, BotData, Any]) -> None:
    """In post_init: settle offers that lapsed while the bot was down, plan, repeat."""
    services = app.bot_data.services
    assert services is not None, "start_workshops runs after the services are open"
    now = services.clock()
    await check_offers(services.db, services.consultation, services.settings, now)
    await plan_reminders(services.db, services.consultation, services.settings, now)
    queue = app.job_queue
    if queue is not None and not queue.get_jobs_by_name(CHECK_JOB):
        queue.run_repeating(
            _check_job, interval=CHECK_INTERVAL, first=CHECK_INTERVAL, name=CHECK_JOB
        )
