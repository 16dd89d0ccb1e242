"""Training notices through the outbox: new offers to opted-in schools, a monthly staff summary.

Both are planned as outbox rows and sent by the general dispatcher (``bot.outbox.dispatch``),
within Telegram's limits and outside quiet hours. The message is built just before sending, so
it carries the figures of that moment, and a row that is no longer wanted (the offer withdrawn,
the school opted out, the staff member gone) is dropped with a note.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from telegram.ext import Application

from bot import training
from bot.context import AgendaContext, BotData, Services
from bot.outbox.dispatch import NOTE_NO_PERSON
from bot.outbox.policy import Decision, Dropped, KindPolicy, Outgoing, Postponed
from bot.reminders import QuietHours, wall_time
from storage import outbox, people
from storage import training as store
from storage.outbox import OutboxRow
from storage.recipients import Recipient

KIND_OFFER = "training_offer"
KIND_SUMMARY = "training_summary"
SUMMARY_HOUR = 9  # local time on the 1st of each month, moved out of quiet hours
PLAN_JOB = "training-summary-plan"
PLAN_INTERVAL = 3600.0  # seconds: a new month or a new staff id is planned within the hour
NOTE_QUIET = "quiet hours"
NOTE_OFFER_GONE = "offer withdrawn or without places"
NOTE_NOT_WANTED = "school no longer opted in or not seeking in this field"
NOTE_NOT_STAFF = "no longer a staff member"


def policies() -> dict[str, KindPolicy]:
    """The dispatcher's policies for the training kinds."""
    return {KIND_OFFER: offer_policy(), KIND_SUMMARY: summary_policy()}


def offer_policy() -> KindPolicy:
    """Offer notices: a row left 'sending' by a crash counts as sent (a copy would annoy)."""
    return KindPolicy(
        build=build_offer_notice,
        resend_interrupted=False,
        expired_note="past its validity",
        interrupted_note="interrupted while sending: delivery unknown, not sent again",
    )


def summary_policy() -> KindPolicy:
    """Monthly summaries: valid until the next one is due; an interrupted one is sent again."""
    return KindPolicy(
        build=build_summary,
        resend_interrupted=True,
        expired_note="the next month's summary is due",
        interrupted_note="interrupted while sending: sent again",
    )


def _quiet(services: Services, now: datetime) -> datetime | None:
    """The next allowed moment if `now` is in the quiet hours, else None."""
    zone = services.consultation.zone
    allowed = QuietHours.of(services.settings).next_allowed(now, zone)
    return allowed if allowed > now else None


async def enqueue_offer_notices(services: Services, offer_id: int) -> int:
    """Plan one notice per opted-in school seeking in the offer's field, once per offer and
    school (one member per school gets it); how many rows were added."""
    db = services.db
    async with db.transaction():  # joins the caller's, which stored the offer
        offer = await store.offer(db, offer_id)
        if offer is None or offer.places + offer.internships == 0:
            return 0
        now = services.clock()
        due = _quiet(services, now) or now
        planned: dict[int, outbox.Planned] = {}
        for school_id, telegram_id, _lang in await store.schools_to_notify(db, offer.field_id):
            if school_id in planned or school_id == offer.organisation_id:
                continue
            planned[school_id] = outbox.Planned(
                recipient=telegram_id,
                kind=KIND_OFFER,
                payload={"offer": offer.id, "school": school_id},
                due_at=due,
                dedupe_key=f"{KIND_OFFER}:{offer.id}:{school_id}",
            )
        return await outbox.enqueue_many(db, planned.values(), now)


async def build_offer_notice(
    context: AgendaContext, row: OutboxRow, recipient: Recipient | None
) -> Decision:
    """Just before sending: the offer and the school's wish still stand? Then the notice."""
    services = context.services
    db = services.db
    if recipient is None:
        return Dropped(NOTE_NO_PERSON)
    offer = await store.offer(db, int(row.payload.get("offer", 0)))
    if offer is None or offer.places + offer.internships == 0:
        return Dropped(NOTE_OFFER_GONE)
    person = await people.by_id(db, recipient.person_id)
    school = person.organisation_id if person else None
    wanted = {s for s, _, _ in await store.schools_to_notify(db, offer.field_id)}
    if school is None or school != row.payload.get("school") or school not in wanted:
        return Dropped(NOTE_NOT_WANTED)
    later = _quiet(services, services.clock())
    if later is not None:
        return Postponed(later, NOTE_QUIET)
    lang = recipient.language
    field = services.catalogue.field(offer.field_id)
    return Outgoing(
        services.texts.render(
            lang,
            "training_offer_notice",
            field=field.title.get(lang) if field else offer.field_id,
            occupation=training.occupation_title(services.catalogue, offer, lang),
            start_year=offer.start_year,
            places=offer.places,
            internships=offer.internships,
            firm=offer.organisation_name if offer.may_be_named else None,
            contact=offer.contact if offer.may_be_named else None,
        )
    )


def summary_due(first: date, services: Services) -> datetime:
    """The summary of the month starting `first`: SUMMARY_HOUR local, out of quiet hours (UTC)."""
    zone = services.consultation.zone
    return QuietHours.of(services.settings).next_allowed(wall_time(first, SUMMARY_HOUR, zone), zone)


def _next_first(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def next_summary_due(now: datetime, services: Services) -> datetime:
    """The next summary moment: this month's if still ahead, else next month's."""
    this_month = now.astimezone(services.consultation.zone).date().replace(day=1)
    due = summary_due(this_month, services)
    return due if due > now else summary_due(_next_first(this_month), services)


async def plan_summaries(services: Services) -> list[str]:
    """Plan the next summary for each staff member (idempotent); the dedupe keys."""
    now = services.clock()
    due = next_summary_due(now, services)
    month = due.astimezone(services.consultation.zone).date().replace(day=1)
    until = summary_due(_next_first(month), services)
    planned = [
        outbox.Planned(
            recipient=staff_id,
            kind=KIND_SUMMARY,
            payload={"month": f"{month:%Y-%m}"},
            due_at=due,
            valid_until=until,
            dedupe_key=f"{KIND_SUMMARY}:{month:%Y-%m}:{staff_id}",
        )
        for staff_id in sorted(services.settings.staff_ids | services.stored_staff)
    ]
    await outbox.enqueue_many(services.db, planned, now)
    return [p.dedupe_key for p in planned]


async def build_summary(
    context: AgendaContext, row: OutboxRow, recipient: Recipient | None
) -> Decision:
    """The supply-and-demand table as it stands when the summary goes out."""
    services = context.services
    if not services.is_staff(row.recipient):
        return Dropped(NOTE_NOT_STAFF)
    later = _quiet(services, services.clock())
    if later is not None:
        return Postponed(later, NOTE_QUIET)
    lang = recipient.language if recipient else "de"
    lines = await training.table(services.db, services.catalogue, lang, services.consultation)
    return Outgoing(
        services.texts.render(lang, "training_summary", lines=lines, **training.summary_sums(lines))
    )


async def _plan_job(context: AgendaContext) -> None:
    """Hourly: plan the next month's summaries (a new month, a new staff id)."""
    await plan_summaries(context.services)


async def start_summaries(app: Application[Any, Any, Any, Any, BotData, Any]) -> None:
    """In post_init: plan the summaries now and every hour (the dispatcher sends them)."""
    services = app.bot_data.services
    assert services is not None, "start_summaries runs after the services are open"
    await plan_summaries(services)
    queue = app.job_queue
    if queue is not None and not queue.get_jobs_by_name(PLAN_JOB):
        queue.run_repeating(_plan_job, interval=PLAN_INTERVAL, first=PLAN_INTERVAL, name=PLAN_JOB)
