"""Progress after adoption: entries per measure (milestone reached, indicator value, note) and
the people who follow a measure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database
from storage.outbox import iso

MILESTONE = "milestone"
INDICATOR = "indicator"
NOTE = "note"


@dataclass(frozen=True)
class Entry:
    """One recorded step of a measure."""

    id: int
    measure_id: str
    kind: str  # MILESTONE, INDICATOR or NOTE
    subject: str  # the milestone's title or the indicator's name ('' for a note)
    value: float | None
    note: str
    recorded_at: datetime


_SELECT = "SELECT id, measure_id, kind, subject, value, note, recorded_at FROM progress_entries"


def _entry(row: aiosqlite.Row) -> Entry:
    value = row["value"]
    return Entry(
        int(row["id"]),
        row["measure_id"],
        row["kind"],
        row["subject"],
        None if value is None else float(value),
        row["note"],
        datetime.fromisoformat(row["recorded_at"]),
    )


async def record(
    db: Database,
    measure_id: str,
    kind: str,
    now: datetime,
    *,
    subject: str = "",
    value: float | None = None,
    note: str = "",
    recorded_by: int | None = None,
) -> int:
    """Store one entry; its id."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "INSERT INTO progress_entries"
            " (measure_id, kind, subject, value, note, recorded_by, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (measure_id, kind, subject, value, note, recorded_by, iso(now)),
        )
        return int(cursor.lastrowid or 0)


async def entry(db: Database, entry_id: int) -> Entry | None:
    """One entry by id, or None."""
    row = await db.fetchone(f"{_SELECT} WHERE id = ?", (entry_id,))
    return _entry(row) if row else None


async def reached(db: Database) -> dict[tuple[str, str], datetime]:
    """(measure id, milestone title) -> when it was first marked reached."""
    rows = await db.fetchall(
        "SELECT measure_id, subject, MIN(recorded_at) AS at FROM progress_entries"
        " WHERE kind = 'milestone' GROUP BY measure_id, subject"
    )
    return {(r["measure_id"], r["subject"]): datetime.fromisoformat(r["at"]) for r in rows}


async def latest_values(db: Database) -> dict[tuple[str, str], Entry]:
    """(measure id, indicator name) -> the latest value recorded for it."""
    rows = await db.fetchall(
        "SELECT id, measure_id, kind, subject, value, note, recorded_at FROM progress_entries AS e"
        " WHERE kind = 'indicator' AND id = (SELECT MAX(id) FROM progress_entries"
        " WHERE kind = 'indicator' AND measure_id = e.measure_id AND subject = e.subject)"
    )
    return {(r["measure_id"], r["subject"]): _entry(r) for r in rows}


async def notes(db: Database) -> list[Entry]:
    """All notes, oldest first."""
    return [_entry(r) for r in await db.fetchall(f"{_SELECT} WHERE kind = 'note' ORDER BY id")]


async def toggle_follow(db: Database, person_id: int, measure_id: str, now: datetime) -> bool:
    """Follow the measure, or stop following it; whether the person follows it now."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "DELETE FROM measure_followers WHERE person_id = ? AND measure_id = ?",
            (person_id, measure_id),
        )
        if cursor.rowcount:
            return False
        await conn.execute(
            "INSERT INTO measure_followers (person_id, measure_id, since) VALUES (?, ?, ?)",
            (person_id, measure_id, iso(now)),
        )
        return True


async def followed(db: Database, person_id: int) -> set[str]:
    """The measure ids the person follows."""
    rows = await db.fetchall(
        "SELECT measure_id FROM measure_followers WHERE person_id = ?", (person_id,)
    )
    return {r["measure_id"] for r in rows}


async def followers(db: Database, measure_id: str) -> list[int]:
    """Telegram ids of the people following the measure."""
    rows = await db.fetchall(
        "SELECT p.telegram_id FROM measure_followers f JOIN people p ON p.id = f.person_id"
        " WHERE f.measure_id = ? ORDER BY p.telegram_id",
        (measure_id,),
    )
    return [int(r["telegram_id"]) for r in rows]
