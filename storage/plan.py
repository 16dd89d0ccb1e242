"""Published plan files (the time-and-measures plan), kept as sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.outbox import iso


@dataclass(frozen=True)
class PlanVersion:
    """One published plan file."""

    id: int
    source: str
    file_name: str
    published_at: datetime


async def publish(
    db: Database, source: str, file_name: str, draft_version: int | None, now: datetime
) -> int:
    """Store a validated plan file as the current plan; its id."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "INSERT INTO plan_versions (source, file_name, draft_version, published_at)"
            " VALUES (?, ?, ?, ?)",
            (source, file_name, draft_version or None, iso(now)),
        )
        return int(cursor.lastrowid or 0)


async def latest(db: Database) -> PlanVersion | None:
    """The plan published last, or None."""
    row = await db.fetchone(
        "SELECT id, source, file_name, published_at FROM plan_versions ORDER BY id DESC LIMIT 1"
    )
    if row is None:
        return None
    return PlanVersion(
        int(row["id"]),
        row["source"],
        row["file_name"],
        datetime.fromisoformat(row["published_at"]),
    )
