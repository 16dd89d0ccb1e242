"""Staff broadcasts: the draft while it is written, and each confirmed broadcast."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.outbox import iso


@dataclass(frozen=True)
class Draft:
    """A broadcast being written: text '' while the bot waits for it; segment once chosen."""

    staff_id: int
    text: str
    segment: str | None


@dataclass(frozen=True)
class Broadcast:
    """A confirmed broadcast; its messages are the outbox rows 'broadcast:<id>:<chat>'."""

    id: int
    staff_id: int
    text: str
    segment: str
    recipients: int
    created_at: str


async def start_draft(db: Database, staff_id: int, now: datetime) -> None:
    """Begin (or restart) a draft: the bot now waits for the text."""
    async with db.write() as conn:
        await conn.execute(
            "INSERT INTO broadcast_drafts (staff_id, text, segment, updated_at)"
            " VALUES (?, '', NULL, ?) ON CONFLICT (staff_id) DO UPDATE SET text = '',"
            " segment = NULL, updated_at = excluded.updated_at",
            (staff_id, iso(now)),
        )


async def draft(db: Database, staff_id: int) -> Draft | None:
    """The staff member's draft, if any."""
    row = await db.fetchone(
        "SELECT staff_id, text, segment FROM broadcast_drafts WHERE staff_id = ?", (staff_id,)
    )
    return Draft(row["staff_id"], row["text"], row["segment"]) if row else None


async def set_text(db: Database, staff_id: int, text: str, now: datetime) -> None:
    """The draft's text, as typed."""
    async with db.write() as conn:
        await conn.execute(
            "UPDATE broadcast_drafts SET text = ?, segment = NULL, updated_at = ?"
            " WHERE staff_id = ?",
            (text, iso(now), staff_id),
        )


async def set_segment(db: Database, staff_id: int, segment: str, now: datetime) -> None:
    """Who the draft goes to."""
    async with db.write() as conn:
        await conn.execute(
            "UPDATE broadcast_drafts SET segment = ?, updated_at = ? WHERE staff_id = ?",
            (segment, iso(now), staff_id),
        )


async def discard_draft(db: Database, staff_id: int) -> bool:
    """Throw the draft away; True if there was one."""
    async with db.write() as conn:
        cursor = await conn.execute("DELETE FROM broadcast_drafts WHERE staff_id = ?", (staff_id,))
        return cursor.rowcount > 0


async def create(
    db: Database, staff_id: int, text: str, segment: str, recipients: int, now: datetime
) -> int:
    """Record a confirmed broadcast and discard the draft; its id."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "INSERT INTO broadcasts (staff_id, text, segment, recipients, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (staff_id, text, segment, recipients, iso(now)),
        )
        await conn.execute("DELETE FROM broadcast_drafts WHERE staff_id = ?", (staff_id,))
        assert cursor.lastrowid is not None
        return cursor.lastrowid


async def by_id(db: Database, broadcast_id: int) -> Broadcast | None:
    """One broadcast."""
    row = await db.fetchone("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
    return Broadcast(**dict(row)) if row else None


async def latest(db: Database, limit: int = 3) -> list[Broadcast]:
    """The most recent broadcasts, newest first."""
    rows = await db.fetchall("SELECT * FROM broadcasts ORDER BY id DESC LIMIT ?", (limit,))
    return [Broadcast(**dict(row)) for row in rows]
