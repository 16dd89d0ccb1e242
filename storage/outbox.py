"""The outbox: scheduled and bulk messages as rows, so restarts neither lose nor double them.

A row's life: ``pending`` (planned) -> ``sending`` (claimed by the dispatcher, just before the
Telegram call) -> ``sent``; or back to ``pending`` after a passing error, ``failed`` after a
lasting one (or too many passing ones), ``dropped`` when it is no longer wanted (past its
``valid_until``, or no longer planned). Times are stored as UTC ISO text, so they compare as text.

This module is what every feature uses: planning rows, dropping the ones no longer wanted, and
reading them for reports. Moving a row along as it is sent is the dispatcher's alone
(``storage.outbox_sending``).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiosqlite

from storage.db import Database

STATUSES = ("pending", "sending", "sent", "failed", "dropped")


def iso(moment: datetime) -> str:
    """A timezone-aware moment as stored: UTC, ISO 8601, whole seconds."""
    if moment.tzinfo is None:
        raise ValueError("outbox times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class OutboxRow:
    """One planned message."""

    id: int
    recipient: int
    kind: str
    payload: Mapping[str, Any]
    due_at: datetime
    valid_until: datetime | None
    dedupe_key: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def outbox_row(row: aiosqlite.Row) -> OutboxRow:
    """A stored row as read (shared with ``storage.outbox_sending``)."""

    def when(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    return OutboxRow(
        id=row["id"],
        recipient=row["recipient"],
        kind=row["kind"],
        payload=json.loads(row["payload"]),
        due_at=datetime.fromisoformat(row["due_at"]),
        valid_until=when(row["valid_until"]),
        dedupe_key=row["dedupe_key"],
        status=row["status"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        created_at=datetime.fromisoformat(row["created_at"]),
        sent_at=when(row["sent_at"]),
    )


async def enqueue(
    db: Database,
    *,
    recipient: int,
    kind: str,
    payload: Mapping[str, Any],
    due_at: datetime,
    dedupe_key: str,
    now: datetime,
    valid_until: datetime | None = None,
) -> bool:
    """Plan a message once per dedupe_key; True if a row was added or a pending one re-planned.

    Planning the same key again never adds a second row. While the row is still pending it
    follows the latest plan (a workshop moved in the consultation file, a new lead time);
    once it is being sent, sent, failed or dropped it is left alone.
    """
    planned = Planned(recipient, kind, payload, due_at, dedupe_key, valid_until)
    return await enqueue_many(db, [planned], now) == 1


async def drop_unplanned(db: Database, kind: str, planned: Collection[str], note: str) -> int:
    """Drop pending rows of `kind` whose dedupe key is no longer planned; how many."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE outbox SET status = 'dropped', last_error = ?"
            " WHERE kind = ? AND status = 'pending'"
            " AND dedupe_key NOT IN (SELECT value FROM json_each(?))",
            (note, kind, json.dumps(sorted(planned))),
        )
        return cursor.rowcount


async def drop_expired(db: Database, now: datetime, note: str, kind: str | None = None) -> int:
    """Drop pending rows past their valid_until (they would come too late to help); how many."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE outbox SET status = 'dropped', last_error = ?"
            " WHERE status = 'pending' AND valid_until IS NOT NULL AND valid_until <= ?"
            " AND (? IS NULL OR kind = ?)",
            (note, iso(now), kind, kind),
        )
        return cursor.rowcount


async def by_key(db: Database, dedupe_key: str) -> OutboxRow | None:
    """The row with this dedupe key, if planned."""
    row = await db.fetchone("SELECT * FROM outbox WHERE dedupe_key = ?", (dedupe_key,))
    return outbox_row(row) if row else None


async def rows(db: Database, kind: str | None = None) -> list[OutboxRow]:
    """All rows (of a kind), in due order: for reports and tests."""
    found = await db.fetchall(
        "SELECT * FROM outbox WHERE (? IS NULL OR kind = ?) ORDER BY due_at, id", (kind, kind)
    )
    return [outbox_row(row) for row in found]


async def enqueue_many(db: Database, planned: Iterable[Planned], now: datetime) -> int:
    """Plan many messages in one transaction (a broadcast, a reminder wave); how many changed.

    The same rules as ``enqueue``: a known dedupe key never adds a second row, and only a
    pending row follows the new plan.
    """
    changed = 0
    async with db.write() as conn:
        for item in planned:
            cursor = await conn.execute(
                "INSERT INTO outbox (recipient, kind, payload, due_at, valid_until, dedupe_key,"
                " status, attempts, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?)"
                " ON CONFLICT (dedupe_key) DO UPDATE SET payload = excluded.payload,"
                " due_at = excluded.due_at, valid_until = excluded.valid_until"
                " WHERE outbox.status = 'pending'",
                (
                    item.recipient,
                    item.kind,
                    json.dumps(dict(item.payload), sort_keys=True),
                    iso(item.due_at),
                    iso(item.valid_until) if item.valid_until else None,
                    item.dedupe_key,
                    iso(now),
                ),
            )
            changed += cursor.rowcount
    return changed


@dataclass(frozen=True)
class Planned:
    """A message to plan with ``enqueue_many``."""

    recipient: int
    kind: str
    payload: Mapping[str, Any]
    due_at: datetime
    dedupe_key: str
    valid_until: datetime | None = None


async def last_sent_to(db: Database, recipient: int, kind: str) -> datetime | None:
    """When a message of `kind` last went to this chat, if ever."""
    row = await db.fetchone(
        "SELECT max(sent_at) AS sent FROM outbox WHERE recipient = ? AND kind = ?"
        " AND status = 'sent'",
        (recipient, kind),
    )
    return datetime.fromisoformat(row["sent"]) if row and row["sent"] else None


async def drop_pending_for(db: Database, recipient: int, kind: str, note: str) -> int:
    """Drop the pending rows of `kind` for one chat (e.g. reminders switched off); how many."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE outbox SET status = 'dropped', last_error = ?"
            " WHERE recipient = ? AND kind = ? AND status = 'pending'",
            (note, recipient, kind),
        )
        return cursor.rowcount


async def drop_pending_to(db: Database, recipient: int, note: str) -> int:
    """Drop every pending row for one chat, of any kind (consent withdrawn); how many."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE outbox SET status = 'dropped', last_error = ?"
            " WHERE recipient = ? AND status = 'pending'",
            (note, recipient),
        )
        return cursor.rowcount


@dataclass(frozen=True)
class KindCounts:
    """How many rows of one kind are in each status."""

    kind: str
    pending: int
    sending: int
    sent: int
    failed: int
    dropped: int


async def counts(db: Database, key_prefix: str | None = None) -> list[KindCounts]:
    """Rows per kind and status (of the dedupe keys starting with `key_prefix`), by kind."""
    found = await db.fetchall(
        "SELECT kind, sum(status = 'pending') AS pending, sum(status = 'sending') AS sending,"
        " sum(status = 'sent') AS sent, sum(status = 'failed') AS failed,"
        " sum(status = 'dropped') AS dropped"
        " FROM outbox WHERE (? IS NULL OR substr(dedupe_key, 1, length(?)) = ?)"
        " GROUP BY kind ORDER BY kind",
        (key_prefix, key_prefix, key_prefix),
    )
    return [KindCounts(row["kind"], *(int(row[s] or 0) for s in STATUSES)) for row in found]


async def latest_failures(db: Database, limit: int = 5) -> list[OutboxRow]:
    """The most recent failed rows, newest first (for /ausgang)."""
    found = await db.fetchall(
        "SELECT * FROM outbox WHERE status = 'failed' ORDER BY due_at DESC, id DESC LIMIT ?",
        (limit,),
    )
    return [outbox_row(row) for row in found]


async def count_with_note(db: Database, key_prefix: str, note_prefix: str) -> int:
    """Rows of one broadcast (dedupe key prefix) whose note starts with `note_prefix`."""
    row = await db.fetchone(
        "SELECT count(*) AS n FROM outbox WHERE substr(dedupe_key, 1, length(?)) = ?"
        " AND substr(coalesce(last_error, ''), 1, length(?)) = ?",
        (key_prefix, key_prefix, note_prefix, note_prefix),
    )
    return int(row["n"]) if row else 0


async def drop_pending_key(db: Database, dedupe_key: str, note: str) -> bool:
    """Drop the pending row with this dedupe key (no longer wanted); whether there was one."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE outbox SET status = 'dropped', last_error = ?"
            " WHERE dedupe_key = ? AND status = 'pending'",
            (note, dedupe_key),
        )
        return cursor.rowcount == 1
