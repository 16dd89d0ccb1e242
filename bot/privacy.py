"""Data protection as domain rules: erase one person, withdraw consent, purge after the
retention date (DSGVO Art. 7(3), 17, 5(1)(e)). The copy of one's data is bot/privacy_export.py.

Erasing is storage/erasure.py in one unit of work with the offer messages of the seats it
frees; afterwards the WAL is checkpointed, so the deleted pages leave the WAL file too.
Withdrawing stops every processing at once: pending outbox rows to the person are dropped, the
dispatcher drops any row still planned for them (bot/outbox/dispatch.py), the planners skip
them (storage/recipients.py) and the handlers treat them as a stranger until they consent
again (handlers/common.py). Their data stays until they erase it or the purge comes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from telegram.ext import Application

from bot import workshops as workshop_plan
from bot.consultation.model import Consultation
from bot.context import AgendaContext, BotData, Services
from bot.export_cells import pseudonym
from bot.outbox.dispatch import NOTE_WITHDRAWN
from bot.settings import Settings
from storage import audit, erasure, organisations, outbox, people
from storage import workshops as seat_store
from storage.audit import Via
from storage.backup import backup_files
from storage.db import Database
from storage.erasure import Erased, Leftovers

log = logging.getLogger(__name__)

PURGE_JOB = "privacy-purge"
PURGE_INTERVAL = 6 * 3600.0  # seconds: the purge runs within hours of the date passing


async def erase(
    db: Database,
    consultation: Consultation,
    settings: Settings,
    person_id: int,
    now: datetime,
    *,
    via: Via | None = "chat",
    checkpoint: bool = True,
) -> Erased | None:
    """Erase one person (storage/erasure.py) and offer their freed seats on, together; with
    `via` ('chat': the person themselves, 'cli': staff on a request by mail) an audit entry
    commits with it (no actor: the person's id is what goes; the subject is the pseudonym).
    Then the WAL is emptied into the file (`checkpoint`; the purge does it once at its end)."""
    capacities = {
        e.id: e.capacity
        for e in consultation.events
        if not workshop_plan.is_past(e, consultation, now)
    }
    async with db.transaction():
        erased = await erasure.erase_person(
            db,
            person_id,
            keep_anonymised=consultation.retention.keep_anonymised,
            capacities=capacities,
            offer_until=now + settings.seat_offer,
            now=now,
        )
        if erased is not None and erased.offered:
            offers = [await seat_store.by_id(db, r) for r in erased.offered]
            await workshop_plan.enqueue_offers(db, [r for r in offers if r is not None], now)
        if erased is not None and via is not None:
            await audit.record(
                db,
                "erase",
                actor=None,
                via=via,
                subject=pseudonym(person_id),
                detail=f"answers={erased.answers}",
                now=now,
            )
    if erased is not None and checkpoint:
        await db.checkpoint()
    return erased


async def withdraw(db: Database, telegram_id: int, now: datetime) -> bool:
    """Withdraw consent: recorded with its time, pending messages dropped, their organisation
    no longer named when it is theirs alone; False if unknown."""
    async with db.transaction():
        if not await people.withdraw(db, telegram_id, now=now):
            return False
        await outbox.drop_pending_to(db, telegram_id, NOTE_WITHDRAWN)
        await organisations.unname_if_alone(db, telegram_id)
    return True


def purge_due(consultation: Consultation, today: date) -> bool:
    """Whether the retention date has passed (purge_after is the last day data is kept)."""
    return today > consultation.purge_after


@dataclass(frozen=True)
class Purged:
    """What one purge did."""

    people: int
    answers: int
    answers_kept: int
    problems: int
    leftovers: Leftovers | None
    backups: int  # backup files removed (they held the purged data)


async def purge(
    db: Database,
    consultation: Consultation,
    settings: Settings,
    now: datetime,
    *,
    dry_run: bool = False,
    via: Via = "job",
) -> Purged:
    """Erase every person as `erase` does, then the rows nobody owns and the old backups.
    With dry_run: count what would go, change nothing."""
    ids = await erasure.person_ids(db)
    if dry_run:
        figures = await erasure.totals(db)
        backups = settings.ops.backup_dir
        found = len(backup_files(backups)) if backups is not None else 0
        return Purged(figures.people, figures.answers, 0, figures.problems, None, found)
    answers = kept = problems = 0
    for person_id in ids:
        erased = await erase(db, consultation, settings, person_id, now, via=None, checkpoint=False)
        if erased is not None:
            answers += erased.answers
            kept += erased.answers_kept
            problems += erased.problems
    async with db.transaction():
        leftovers = await erasure.purge_leftovers(db, len(ids), now=now)
        # The trail's older entries name staff ids: they go too; the purge itself is recorded.
        await audit.delete_before(db, before=now)
        await audit.record(db, "purge", actor=None, via=via, detail=f"people={len(ids)}", now=now)
    await db.checkpoint()
    removed = 0
    if settings.ops.backup_dir is not None:
        for path in backup_files(settings.ops.backup_dir):
            if path.stat().st_mtime <= now.timestamp():  # made before: holds the purged data
                path.unlink(missing_ok=True)
                removed += 1
    return Purged(len(ids), answers, kept, problems, leftovers, removed)


async def purge_if_due(services: Services) -> Purged | None:
    """The daily check: purge once the retention date has passed (again only if someone
    came since); None when there was nothing to do."""
    if not purge_due(services.consultation, services.today()):
        return None
    if not await erasure.person_ids(services.db) and await erasure.last_purge(services.db):
        return None  # purged already, and nobody came since
    done = await purge(services.db, services.consultation, services.settings, services.clock())
    log.info("retention purge: %d people erased, %d backups removed", done.people, done.backups)
    return done


async def _purge_job(context: AgendaContext) -> None:
    await purge_if_due(context.services)


def start_retention(app: Application[Any, Any, Any, Any, BotData, Any]) -> None:
    """In post_init: check the retention date soon after start and every few hours."""
    queue = app.job_queue
    if queue is not None and not queue.get_jobs_by_name(PURGE_JOB):
        queue.run_repeating(
            _purge_job, interval=PURGE_INTERVAL, first=timedelta(minutes=1), name=PURGE_JOB
        )
