"""Questionnaire reminders: when they go out (quiet hours, DST) and who gets them.

The consultation file sets, per questionnaire, the days before it closes, how many at most and
the least gap between two. Each reminder is one outbox row per person, planned at a set local
hour, moved out of quiet hours, and valid until the next one is due (or the questionnaire
closes): after a long outage a person gets the latest reminder, not a pile of old ones.
Whether it still applies (completed meanwhile, reminders switched off, blocked) is checked
again just before sending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot import engine
from bot.consultation.model import Consultation
from bot.consultation.questionnaire import Questionnaire
from bot.context import AgendaContext, BotData
from bot.settings import Settings
from storage import outbox, recipients
from storage.db import Database

KIND = "reminder"
REMINDER_HOUR = 10  # local time a reminder is planned for, before the quiet-hours shift


@dataclass(frozen=True)
class QuietHours:
    """No reminders from `start`:00 to `end`:00 local time (equal: none), and on Sundays."""

    start: int = 20
    end: int = 8
    sunday: bool = True

    @classmethod
    def of(cls, settings: Settings) -> QuietHours:
        """The quiet hours from AGENDA_QUIET_HOURS and AGENDA_QUIET_SUNDAY."""
        return cls(settings.quiet_start, settings.quiet_end, settings.quiet_sunday)

    def is_quiet(self, local: datetime) -> bool:
        """Whether this local wall time is quiet."""
        if self.sunday and local.weekday() == 6:
            return True
        hour = local.hour
        if self.start == self.end:
            return False
        if self.start > self.end:  # over midnight, e.g. 20-8
            return hour >= self.start or hour < self.end
        return self.start <= hour < self.end

    def next_allowed(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """The first moment at or after `moment` that is not quiet, in UTC (DST-correct)."""
        local = moment.astimezone(zone)
        for _ in range(16):  # a few jumps always suffice: Sunday, then the morning
            if not self.is_quiet(local):
                return local.astimezone(UTC)
            day = local.date()
            if self.sunday and local.weekday() == 6:
                local = wall_time(day + timedelta(days=1), 0, zone).astimezone(zone)
            elif self.start > self.end and local.hour >= self.start:
                local = wall_time(day + timedelta(days=1), self.end, zone).astimezone(zone)
            else:
                local = wall_time(day, self.end, zone).astimezone(zone)
        raise ValueError("quiet hours leave no time to send")  # pragma: no cover


def wall_time(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """`hour`:00 local on `day` as a UTC moment; zoneinfo handles the DST offset of that day."""
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Slot:
    """One planned reminder of a questionnaire: days before closing, when, valid until."""

    days_before: int
    due_at: datetime
    valid_until: datetime


def reminder_slots(qn: Questionnaire, zone: ZoneInfo, quiet: QuietHours) -> list[Slot]:
    """When this questionnaire reminds: the configured days, out of quiet hours, gaps kept."""
    settings = qn.reminders
    opens_at = wall_time(qn.opens, 0, zone)
    closes_at = wall_time(qn.closes + timedelta(days=1), 0, zone)  # open all of the last day
    chosen: list[tuple[int, datetime]] = []
    for days in sorted(set(settings.days_before_close), reverse=True):
        if len(chosen) >= settings.max:
            break
        at = quiet.next_allowed(
            wall_time(qn.closes - timedelta(days=days), REMINDER_HOUR, zone), zone
        )
        if not opens_at <= at < closes_at:
            continue
        if chosen:
            previous = chosen[-1][1].astimezone(zone).date()
            if (at.astimezone(zone).date() - previous).days < settings.min_gap_days:
                continue
        chosen.append((days, at))
    slots = []
    for index, (days, at) in enumerate(chosen):
        # Valid until the next one is due: after an outage only the latest goes out.
        until = chosen[index + 1][1] if index + 1 < len(chosen) else closes_at
        slots.append(Slot(days, at, until))
    return slots


def dedupe_key(questionnaire_id: str, telegram_id: int, days_before: int) -> str:
    """One reminder per questionnaire, person and slot, ever."""
    return f"{KIND}:{questionnaire_id}:{telegram_id}:{days_before}"


def snooze_key(questionnaire_id: str, telegram_id: int, day: date) -> str:
    """One 'later' per questionnaire, person and day."""
    return f"{KIND}:{questionnaire_id}:{telegram_id}:later:{day.isoformat()}"


async def plan_reminders(
    db: Database, consultation: Consultation, settings: Settings, now: datetime
) -> int:
    """Plan the reminders of every questionnaire for everyone who may still need one.

    Only slots still ahead are added: a person who joins late is not greeted with a reminder
    that was due last week. A slot already planned keeps its row (sent once, ever).
    """
    async with db.transaction():  # planned from one consistent view of who is done
        return await outbox.enqueue_many(
            db, await _planned_reminders(db, consultation, settings, now), now
        )


async def _planned_reminders(
    db: Database, consultation: Consultation, settings: Settings, now: datetime
) -> list[outbox.Planned]:
    quiet, zone = QuietHours.of(settings), consultation.zone
    done = await recipients.completed_pairs(db)
    people = [p for p in await recipients.reachable(db) if not p.reminders_off]
    planned: list[outbox.Planned] = []
    for qn in consultation.questionnaires:
        slots = [slot for slot in reminder_slots(qn, zone, quiet) if slot.due_at > now]
        if not slots:
            continue
        for person in people:
            if (person.person_id, qn.id) in done:
                continue
            if not engine.may_answer(qn, person.group_id, person.fields):
                continue
            planned.extend(
                outbox.Planned(
                    recipient=person.telegram_id,
                    kind=KIND,
                    payload={"questionnaire": qn.id, "days_before": slot.days_before},
                    due_at=slot.due_at,
                    valid_until=slot.valid_until,
                    dedupe_key=dedupe_key(qn.id, person.telegram_id, slot.days_before),
                )
                for slot in slots
            )
    return planned


async def snooze(
    db: Database,
    consultation: Consultation,
    settings: Settings,
    qn: Questionnaire,
    telegram_id: int,
    now: datetime,
) -> datetime | None:
    """'Later': remind again the next day at the usual hour (out of quiet hours); when.

    None when the questionnaire closes before then.
    """
    zone, quiet = consultation.zone, QuietHours.of(settings)
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    due_at = quiet.next_allowed(wall_time(tomorrow, REMINDER_HOUR, zone), zone)
    closes_at = wall_time(qn.closes + timedelta(days=1), 0, zone)
    if due_at >= closes_at:
        return None
    await outbox.enqueue(
        db,
        recipient=telegram_id,
        kind=KIND,
        payload={"questionnaire": qn.id, "later": True},
        due_at=due_at,
        valid_until=closes_at,
        dedupe_key=snooze_key(qn.id, telegram_id, tomorrow),
        now=now,
    )
    return due_at


PLAN_JOB = "reminders-plan"
PLAN_INTERVAL = (
    3600.0  # seconds: newcomers and changed profiles get their reminders within the hour
)


async def _plan_job(context: AgendaContext) -> None:
    """Hourly: plan reminders for people who joined or changed their profile meanwhile."""
    services = context.services
    await plan_reminders(services.db, services.consultation, services.settings, services.clock())


async def start_reminders(app: Application[Any, Any, Any, Any, BotData, Any]) -> None:
    """In post_init: plan the reminders now and every hour (the dispatcher sends them)."""
    services = app.bot_data.services
    assert services is not None, "start_reminders runs after the services are open"
    await plan_reminders(services.db, services.consultation, services.settings, services.clock())
    queue = app.job_queue
    if queue is not None and not queue.get_jobs_by_name(PLAN_JOB):
        queue.run_repeating(_plan_job, interval=PLAN_INTERVAL, first=PLAN_INTERVAL, name=PLAN_JOB)
