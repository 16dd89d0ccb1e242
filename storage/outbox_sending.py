"""The outbox, the dispatcher's side: taking due rows, and recording how each send went.

A row's life after planning (``storage.outbox``): ``pending`` -> ``sending`` (claimed just
before the Telegram call) -> ``sent``; or back to ``pending`` after a passing error, ``failed``
after a lasting one (or MAX_ATTEMPTS passing ones), ``dropped`` when it is no longer wanted.
Only the dispatcher (``bot.outbox.dispatch``) moves rows along it, so these functions live
apart from planning and reporting, which every feature uses.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from storage.db import Database
from storage.outbox import OutboxRow, iso, outbox_row

MAX_ATTEMPTS = 5  # failed attempts before a row with passing errors is given up ('failed')


async def due(db: Database, now: datetime, kind: str | None = None) -> list[OutboxRow]:
    """Pending rows whose time has come and which are still valid, oldest first."""
    rows = await db.fetchall(
        "SELECT * FROM outbox WHERE status = 'pending' AND due_at <= ?"
        " AND (valid_until IS NULL OR valid_until > ?) AND (? IS NULL OR kind = ?)"
        " ORDER BY due_at, id",
        (iso(now), iso(now), kind, kind),
    )
    return [outbox_row(row) for row in rows]


async def mark_sending(db: Database, row_id: int) -> bool:
    """Claim a pending row just before sending it; False if someone else has it already."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE outbox SET status = 'sending' WHERE id = ? AND status = 'pending'", (row_id,)
        )
        return cursor.rowcount == 1


async def mark_sent(db: Database, row_id: int, now: datetime) -> None:
    """The message went out."""
    async with db.write() as conn:
        await conn.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ?",
            (iso(now), row_id),
        )


async def mark_failed(
    db: Database,
    row_id: int,
    error: str,
    *,
    retry: bool,
    payload: Mapping[str, Any] | None = None,
    retry_at: datetime | None = None,
) -> str:
    """Count a failed attempt; back to 'pending' if `retry` and attempts remain, else 'failed'.

    `payload` replaces the stored one, e.g. to record which parts already went out, so a
    retry sends only the rest; `retry_at` moves the due time (a backoff). Returns the row's
    new status.
    """
    async with db.write() as conn:
        await conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?,"
            " payload = coalesce(?, payload), due_at = coalesce(?, due_at),"
            " status = CASE WHEN ? AND attempts + 1 < ? THEN 'pending' ELSE 'failed' END"
            " WHERE id = ? AND status IN ('pending', 'sending')",
            (
                error[:500],
                json.dumps(dict(payload), sort_keys=True) if payload is not None else None,
                iso(retry_at) if retry_at else None,
                retry,
                MAX_ATTEMPTS,
                row_id,
            ),
        )
        cursor = await conn.execute("SELECT status FROM outbox WHERE id = ?", (row_id,))
        found = await cursor.fetchone()
        return str(found["status"]) if found else "missing"


async def mark_dropped(db: Database, row_id: int, note: str) -> None:
    """A pending row that is no longer wanted."""
    async with db.write() as conn:
        await conn.execute(
            "UPDATE outbox SET status = 'dropped', last_error = ?"
            " WHERE id = ? AND status IN ('pending', 'sending')",
            (note, row_id),
        )


async def release(
    db: Database, row_id: int, note: str, payload: Mapping[str, Any] | None = None
) -> None:
    """A claimed row goes back to 'pending' without counting an attempt (Telegram said wait);
    `payload` replaces the stored one (e.g. the parts that went out already)."""
    async with db.write() as conn:
        await conn.execute(
            "UPDATE outbox SET status = 'pending', last_error = ?,"
            " payload = coalesce(?, payload) WHERE id = ? AND status = 'sending'",
            (
                note,
                json.dumps(dict(payload), sort_keys=True) if payload is not None else None,
                row_id,
            ),
        )


async def postpone(db: Database, row_id: int, due_at: datetime, note: str) -> None:
    """A pending or claimed row waits until `due_at` (e.g. one reminder a day is enough)."""
    async with db.write() as conn:
        await conn.execute(
            "UPDATE outbox SET status = 'pending', due_at = ?, last_error = ?"
            " WHERE id = ? AND status IN ('pending', 'sending')",
            (iso(due_at), note, row_id),
        )


async def reconcile_sending(db: Database, kind: str, note: str) -> list[OutboxRow]:
    """On start: rows of `kind` left in 'sending' by a crash become 'sent' (delivery unknown).

    A row is marked 'sending' right before the Telegram call and 'sent' right after it. Left
    in 'sending', the process died in between: the message may or may not have reached the
    chat, and nothing can tell which. For kinds where a doubled message is worse than a lost
    one (digests: two copies of a long pack confuse staff; and a pack can be fetched any time
    with /digest) the row is taken as sent, with `note` saying so and sent_at left empty,
    never sent a second time. Returns the rows reconciled.
    """
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE outbox SET status = 'sent', last_error = ?, sent_at = NULL"
            " WHERE kind = ? AND status = 'sending' RETURNING *",
            (note, kind),
        )
        return [outbox_row(row) for row in await cursor.fetchall()]


async def requeue_sending(db: Database, kind: str, note: str) -> list[OutboxRow]:
    """On start: rows of `kind` left in 'sending' go back to 'pending' (sent again, at most
    doubled): for kinds where a lost message is worse than a rare second copy."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE outbox SET status = 'pending', last_error = ?"
            " WHERE kind = ? AND status = 'sending' RETURNING *",
            (note, kind),
        )
        return [outbox_row(row) for row in await cursor.fetchall()]
