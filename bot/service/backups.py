"""The nightly backup (``AGENDA_BACKUP_DIR``): a consistent copy of the running bot's database
at ``AGENDA_BACKUP_TIME`` local time, keeping the newest ``AGENDA_BACKUP_KEEP``. One log line per
backup; a failure is logged as an error and tried again the next night."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

from bot.context import AgendaApp, AgendaContext
from storage import backup as store

log = logging.getLogger(__name__)


def nightly_backup(db_path: Path, directory: Path, keep: int, now: datetime) -> Path:
    """One backup into directory, then the old ones beyond keep removed."""
    target = store.backup(db_path, directory / store.backup_name(now))
    store.prune(directory, keep)
    return target


async def _job(context: AgendaContext) -> None:
    settings = context.services.settings
    ops = settings.ops
    assert ops.backup_dir is not None
    now = datetime.now(UTC).astimezone(context.services.consultation.zone)
    try:
        target = await asyncio.to_thread(
            nightly_backup, settings.db_path, ops.backup_dir, ops.backup_keep, now
        )
    except Exception as error:  # logged; the bot goes on, the next night tries again
        log.error("nightly backup into %s failed: %s", ops.backup_dir, error)
        return
    log.info("nightly backup written: %s (keeping %d)", target, ops.backup_keep)


def schedule(app: AgendaApp) -> None:
    """Plan the nightly backup if AGENDA_BACKUP_DIR is set (post_init)."""
    services = app.bot_data.services
    if services is None or services.settings.ops.backup_dir is None or app.job_queue is None:
        return
    ops = services.settings.ops
    when = ops.backup_time.replace(tzinfo=services.consultation.zone)
    app.job_queue.run_daily(_job, when, name="nightly-backup")
    log.info("nightly backup at %s into %s", f"{ops.backup_time:%H:%M}", ops.backup_dir)
