"""The automatic digest: each workshop's pack goes to the staff a set time before it, once.

``plan_digests`` writes one outbox row per workshop and staff recipient; ``dispatch_due`` sends
the rows whose time has come. The JobQueue only wakes the dispatcher every few minutes; the
outbox table decides, so a restart neither loses a digest nor sends it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from bot.consultation import Consultation, Event
from bot.context import AgendaContext, BotData, Services
from bot.pack_render import RenderedPack, render_in_worker
from bot.packs import PackContext, build_pack
from bot.render_worker import RenderFailed
from bot.settings import Settings
from storage import outbox
from storage.db import Database

log = logging.getLogger(__name__)

KIND = "digest"
JOB_NAME = "outbox-digests"
DISPATCH_INTERVAL = 300.0  # seconds between two looks at the outbox
DISPATCH_FIRST = 5.0  # seconds after start: a digest due while the bot was down goes out soon
PACK_LANGUAGE = "de"  # staff get the German pack, like /digest by default
NOTE_RECONCILED = "interrupted while sending: delivery unknown, not sent again"
NOTE_OVER = "workshop over before the digest went out"
NOTE_UNPLANNED = "no longer planned (workshop or recipient removed from the settings)"

# Any application with our bot_data: the factory's AgendaApp, post_init's and a job's view of it.
App = Application[Any, Any, Any, Any, BotData, Any]


@dataclass
class DispatchReport:
    """What one dispatcher run did, counted in outbox rows."""

    sent: int = 0
    failed: int = 0
    retry: int = 0
    dropped: int = 0


def recipients(settings: Settings) -> list[int]:
    """Every chat that gets the digest: each staff member, then the staff group if set."""
    chats = sorted(settings.staff_ids)
    if settings.staff_chat is not None and settings.staff_chat not in settings.staff_ids:
        chats.append(settings.staff_chat)
    return chats


def in_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A consultation time (naive = local time of the consultation) as an aware UTC moment."""
    aware = local.replace(tzinfo=zone) if local.tzinfo is None else local
    return aware.astimezone(UTC)


def dedupe_key(workshop_id: str, recipient: int) -> str:
    """One digest per workshop and chat, ever."""
    return f"{KIND}:{workshop_id}:{recipient}"


async def plan_digests(
    db: Database, consultation: Consultation, settings: Settings, now: datetime
) -> int:
    """Plan every workshop's digest for every recipient; return how many rows changed.

    Due at the workshop's start minus AGENDA_DIGEST_LEAD, valid until its end. Planning again
    (every start) adds nothing; a pending row follows a moved workshop or a new lead time, and
    pending rows for a workshop or recipient no longer configured are dropped.
    """
    zone = consultation.zone
    planned: set[str] = set()
    changed = 0
    async with db.transaction():  # the new plan replaces the old one at once
        for event in consultation.workshops:
            starts, ends = in_utc(event.starts, zone), in_utc(event.ends, zone)
            for chat in recipients(settings):
                key = dedupe_key(event.id, chat)
                planned.add(key)
                if ends <= now:
                    continue  # over already: nothing to plan (a pending row drops as expired)
                changed += await outbox.enqueue(
                    db,
                    recipient=chat,
                    kind=KIND,
                    payload={"workshop": event.id},
                    due_at=starts - settings.digest_lead,
                    valid_until=ends,
                    dedupe_key=key,
                    now=now,
                )
        await outbox.drop_unplanned(db, KIND, planned, NOTE_UNPLANNED)
    return changed


async def dispatch_due(app: App) -> DispatchReport:
    """Send every due digest: the pack rendered once per workshop, PDF and HTML per recipient."""
    report = DispatchReport()
    services = app.bot_data.services
    if services is None:
        return report
    db, consultation = services.db, services.consultation
    report.dropped += await outbox.drop_expired(db, services.clock(), NOTE_OVER, kind=KIND)
    by_workshop: dict[str, list[outbox.OutboxRow]] = {}
    for row in await outbox.due(db, services.clock(), kind=KIND):
        by_workshop.setdefault(str(row.payload.get("workshop", "")), []).append(row)
    for workshop_id, rows in by_workshop.items():
        event = consultation.event(workshop_id)
        if event is None or event.kind != "workshop":
            for row in rows:
                await outbox.mark_dropped(db, row.id, NOTE_UNPLANNED)
                report.dropped += 1
            continue
        pack = await build_pack(db, consultation, workshop_id, services.today(), PACK_LANGUAGE)
        try:
            rendered = await render_in_worker(pack)
        except RenderFailed as error:
            log.warning("digest of %s not rendered: %s", workshop_id, error)
            for row in rows:
                await outbox.mark_failed(db, row.id, str(error), retry=True)
                report.retry += 1
            continue
        for row in rows:
            outcome = await _deliver(app, services, row, event, pack, rendered)
            if outcome == "paused":
                # Telegram asked us to slow down: the rest waits for the next run.
                report.retry += 1
                return report
            if outcome != "skipped":
                setattr(report, outcome, getattr(report, outcome) + 1)
    if report.sent or report.failed or report.dropped:
        log.info("digests: %s", report)
    return report


async def _deliver(
    app: App,
    services: Services,
    row: outbox.OutboxRow,
    event: Event,
    pack: PackContext,
    rendered: RenderedPack,
) -> str:
    """Send one row's PDF and HTML: 'sent', 'failed', 'retry', 'paused' or 'skipped'."""
    db = services.db
    late = services.clock() >= in_utc(event.starts, services.consultation.zone)
    done: list[str] = list(row.payload.get("sent_parts", []))
    parts = [
        (kind, data, services.texts.render(
            PACK_LANGUAGE, "digest_auto_caption", title=pack.title, kind=kind,
            day=pack.generated, starts=event.starts, place=event.place, late=late,
        ))
        for kind, data in (("pdf", rendered.pdf), ("html", rendered.html.encode("utf-8")))
        if kind not in done  # went out in an earlier, interrupted attempt
    ]  # fmt: skip
    # Marked right before the calls: if the process dies mid-send, reconcile_sending() finds
    # the row in 'sending' at the next start and never sends a second copy.
    if not await outbox.mark_sending(db, row.id):
        return "skipped"  # another run has it
    try:
        for kind, data, caption in parts:
            await app.bot.send_document(
                row.recipient, data, filename=f"{pack.workshop_id}.{kind}", caption=caption
            )
            done.append(kind)
    except (Forbidden, BadRequest, ChatMigrated) as error:
        # Blocked, removed from the group, chat unknown: retrying will not change that.
        await _failed(db, row, error, done, retry=False)
        return "failed"
    except TelegramError as error:
        # RetryAfter, NetworkError, TimedOut: the next run tries again (a few times).
        status = await _failed(db, row, error, done, retry=True)
        if status != "pending":
            return "failed"
        return "paused" if isinstance(error, RetryAfter) else "retry"
    except Exception as error:
        # A bug, not Telegram: don't leave the row in 'sending' (it would count as sent).
        await _failed(db, row, error, done, retry=True)
        raise
    await outbox.mark_sent(db, row.id, services.clock())
    return "sent"


async def _failed(
    db: Database, row: outbox.OutboxRow, error: Exception, done: list[str], *, retry: bool
) -> str:
    payload: Mapping[str, Any] = {**row.payload, "sent_parts": done} if done else row.payload
    status = await outbox.mark_failed(
        db, row.id, f"{type(error).__name__}: {error}", retry=retry, payload=payload
    )
    log.warning("digest row %s: %s (%s)", row.id, type(error).__name__, status)
    return status


async def _dispatch_job(context: AgendaContext) -> None:
    """The JobQueue's wake-up call: the outbox decides what is due."""
    await dispatch_due(context.application)


async def start_digests(app: App) -> None:
    """In post_init: reconcile interrupted sends, plan the digests, schedule the dispatcher."""
    services = app.bot_data.services
    assert services is not None, "start_digests runs after the services are open"
    reconciled = await outbox.reconcile_sending(services.db, KIND, NOTE_RECONCILED)
    if reconciled:
        log.warning("%d digest(s) were interrupted while sending; not sent again", len(reconciled))
    await plan_digests(services.db, services.consultation, services.settings, services.clock())
    queue = app.job_queue
    if queue is None:
        log.warning("no job queue (python-telegram-bot[job-queue]): digests are not sent")
        return
    if not queue.get_jobs_by_name(JOB_NAME):
        queue.run_repeating(
            _dispatch_job, interval=DISPATCH_INTERVAL, first=DISPATCH_FIRST, name=JOB_NAME
        )
