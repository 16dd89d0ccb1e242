"""The inbox: updates stored before Telegram is told they arrived, handled once, in order.

States: 'new' (stored, not handled yet), 'done' (handled), 'stale' (too old to act on: the
person got an apology), 'failed' (unreadable, or it broke the bot on every try). A handled row
keeps only its id (for dedupe) and times; the update itself is blanked.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database, from_iso, iso

NEW, DONE, STALE, FAILED = "new", "done", "stale", "failed"
MAX_UPDATE_ID = 2**63 - 1  # SQLite's INTEGER; Telegram's ids are far below


@dataclass(frozen=True)
class Incoming:
    """An update as it arrives: its id, the key that orders it, and its JSON."""

    update_id: int
    chat_key: str
    payload: str


@dataclass(frozen=True)
class InboxRow:
    """A stored update."""

    update_id: int
    chat_key: str
    payload: str
    received_at: datetime
    state: str
    attempts: int


def _row(row: aiosqlite.Row) -> InboxRow:
    received = from_iso(row["received_at"])
    return InboxRow(
        row["update_id"], row["chat_key"], row["payload"], received, row["state"], row["attempts"]
    )


async def store(db: Database, updates: Sequence[Incoming], now: datetime) -> list[InboxRow]:
    """Store updates in one transaction; return those not stored before (dedupe by id)."""
    fresh: list[InboxRow] = []
    async with db.write() as conn:
        for item in updates:
            cursor = await conn.execute(
                "INSERT INTO inbox (update_id, chat_key, payload, received_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (update_id) DO NOTHING",
                (item.update_id, item.chat_key, item.payload, iso(now)),
            )
            if cursor.rowcount == 1:
                fresh.append(
                    InboxRow(
                        item.update_id, item.chat_key, item.payload, from_iso(iso(now)), NEW, 0
                    )
                )
    return fresh


async def reopen(db: Database, max_attempts: int, now: datetime) -> list[InboxRow]:
    """At start: count one more attempt for every unhandled update, fail those tried too often
    (they crashed the bot each time), and return the rest in the order they arrived."""
    async with db.write() as conn:
        await conn.execute("UPDATE inbox SET attempts = attempts + 1 WHERE state = 'new'")
        await conn.execute(
            "UPDATE inbox SET state = 'failed', payload = '{}', handled_at = ? "
            "WHERE state = 'new' AND attempts > ?",
            (iso(now), max_attempts),
        )
    rows = await db.fetchall("SELECT * FROM inbox WHERE state = 'new' ORDER BY update_id")
    return [_row(r) for r in rows]


async def mark(conn: aiosqlite.Connection, update_id: int, state: str, now: datetime) -> None:
    """Inside an open write transaction: the update is handled (only a 'new' row changes)."""
    await conn.execute(
        "UPDATE inbox SET state = ?, payload = '{}', handled_at = ? "
        "WHERE update_id = ? AND state = 'new'",
        (state, iso(now), update_id),
    )


async def finish(db: Database, update_id: int, state: str, now: datetime) -> None:
    """Mark the update handled in a transaction of its own."""
    async with db.write() as conn:
        await mark(conn, update_id, state, now)


async def purge(db: Database, before: datetime) -> int:
    """Forget handled updates received before `before` (Telegram redelivers for 24 h at most)."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "DELETE FROM inbox WHERE state != 'new' AND received_at < ?", (iso(before),)
        )
        return cursor.rowcount


async def counts(db: Database) -> dict[str, int]:
    """Rows per state."""
    rows = await db.fetchall("SELECT state, count(*) AS n FROM inbox GROUP BY state")
    return {row["state"]: row["n"] for row in rows}


async def state_of(db: Database, update_id: int) -> str | None:
    """The state of one stored update, None if it is not stored."""
    row = await db.fetchone("SELECT state FROM inbox WHERE update_id = ?", (update_id,))
    return None if row is None else str(row["state"])


class MarkHandled:
    """A commit hook (storage.db.commit_hook): the first write transaction of an update's
    handling also marks the update done, so the change and 'done' commit together."""

    def __init__(self, update_id: int, now: datetime) -> None:
        self.update_id, self.now = update_id, now
        self.done = False

    async def before_commit(self, conn: aiosqlite.Connection) -> None:
        if not self.done:
            await mark(conn, self.update_id, DONE, self.now)

    def after_commit(self) -> None:
        self.done = True


def dumps(payload: object) -> str:
    """An update as stored: compact JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
