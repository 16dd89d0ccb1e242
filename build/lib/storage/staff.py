"""Staff added in the chat by an admin (/team), besides AGENDA_STAFF_IDS: numeric ids only."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database, iso


async def ids(db: Database) -> frozenset[int]:
    """The Telegram user ids added as staff."""
    rows = await db.fetchall("SELECT telegram_id FROM staff_members")
    return frozenset(row["telegram_id"] for row in rows)


async def add(db: Database, telegram_id: int, *, by: int | None, now: datetime) -> bool:
    """Add a staff member; False if they were one already."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO staff_members (telegram_id, added_by, added_at) VALUES (?, ?, ?)"
            " ON CONFLICT (telegram_id) DO NOTHING",
            (telegram_id, by, iso(now)),
        )
        return cursor.rowcount > 0


async def remove(db: Database, telegram_id: int) -> bool:
    """Remove a staff member added in the chat; False if there was none."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "DELETE FROM staff_members WHERE telegram_id = ?", (telegram_id,)
        )
        return cursor.rowcount > 0
