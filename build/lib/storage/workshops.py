"""Workshop registrations: seats, the waiting list, offers of freed seats, attendance.

Every change that may free a seat passes it on in the same transaction: the first on the
waiting list gets an offer (status 'offered', a seat held until `offered_until`). Who gets
told, and how, is the domain's business (bot/workshops.py); this module only keeps the rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database
from storage.outbox import iso

SEATED = ("registered", "offered")  # statuses that hold a seat


@dataclass(frozen=True)
class Registration:
    """One person's registration for one event, with what the lists show of them."""

    id: int
    event_id: str
    person_id: int
    telegram_id: int
    language: str
    status: str
    position: int
    offered_until: datetime | None
    attended: bool | None
    group_id: str | None
    organisation: str | None
    may_be_named: bool
    updated_at: datetime


_SELECT = """
SELECT r.id, r.event_id, r.person_id, p.telegram_id, p.language, r.status, r.position,
       r.offered_until, r.attended, r.updated_at, p.group_id,
       o.name AS organisation, coalesce(o.may_be_named, 0) AS may_be_named
FROM registrations r
JOIN people p ON p.id = r.person_id
LEFT JOIN organisations o ON o.id = p.organisation_id
"""
_ORDER = (
    " ORDER BY CASE r.status WHEN 'registered' THEN 0 WHEN 'offered' THEN 1"
    " WHEN 'waiting' THEN 2 ELSE 3 END, r.position"
)


def _registration(row: aiosqlite.Row) -> Registration:
    return Registration(
        id=row["id"],
        event_id=row["event_id"],
        person_id=row["person_id"],
        telegram_id=row["telegram_id"],
        language=row["language"],
        status=row["status"],
        position=row["position"],
        offered_until=datetime.fromisoformat(row["offered_until"])
        if row["offered_until"]
        else None,
        attended=None if row["attended"] is None else bool(row["attended"]),
        group_id=row["group_id"],
        organisation=row["organisation"],
        may_be_named=bool(row["may_be_named"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


async def of_event(db: Database, event_id: str) -> list[Registration]:
    """Everyone on an event's lists: registered, offered, waiting (in order), cancelled."""
    rows = await db.fetchall(_SELECT + " WHERE r.event_id = ?" + _ORDER, (event_id,))
    return [_registration(row) for row in rows]


async def of_person(db: Database, person_id: int) -> dict[str, Registration]:
    """A person's registrations by event id."""
    rows = await db.fetchall(_SELECT + " WHERE r.person_id = ?", (person_id,))
    return {row["event_id"]: _registration(row) for row in rows}


async def get(db: Database, event_id: str, person_id: int) -> Registration | None:
    """One person's registration for one event."""
    row = await db.fetchone(
        _SELECT + " WHERE r.event_id = ? AND r.person_id = ?", (event_id, person_id)
    )
    return _registration(row) if row else None


async def by_id(db: Database, registration_id: int) -> Registration | None:
    """A registration by its id (staff buttons carry it)."""
    row = await db.fetchone(_SELECT + " WHERE r.id = ?", (registration_id,))
    return _registration(row) if row else None


async def seats_taken(db: Database) -> dict[str, int]:
    """Seats held (registered or offered) per event id."""
    rows = await db.fetchall(
        "SELECT event_id, count(*) AS n FROM registrations"
        " WHERE status IN ('registered', 'offered') GROUP BY event_id"
    )
    return {row["event_id"]: int(row["n"]) for row in rows}


async def registered(db: Database, status: str = "registered") -> list[Registration]:
    """Every registration in a status, by event and position (reminders, segments)."""
    rows = await db.fetchall(
        _SELECT + " WHERE r.status = ? ORDER BY r.event_id, r.position", (status,)
    )
    return [_registration(row) for row in rows]


async def register(
    db: Database, event_id: str, person_id: int, capacity: int, now: datetime
) -> str:
    """Sign up: a seat while one is free and nobody waits, else the waiting list; the status.

    Signing up while already on a list changes nothing and returns the current status.
    """
    async with db.write() as conn:
        cursor = await conn.execute(
            "SELECT status FROM registrations WHERE event_id = ? AND person_id = ?",
            (event_id, person_id),
        )
        found = await cursor.fetchone()
        if found is not None and found["status"] != "cancelled":
            return str(found["status"])
        cursor = await conn.execute(
            "SELECT sum(status IN ('registered', 'offered')) AS seated,"
            " sum(status = 'waiting') AS waiting, coalesce(max(position), 0) AS last"
            " FROM registrations WHERE event_id = ?",
            (event_id,),
        )
        counts = await cursor.fetchone()
        assert counts is not None
        free = int(counts["seated"] or 0) < capacity and not counts["waiting"]
        status = "registered" if free else "waiting"
        await conn.execute(
            "INSERT INTO registrations (event_id, person_id, status, position, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (event_id, person_id) DO UPDATE SET status = excluded.status,"
            " position = excluded.position, offered_until = NULL, attended = NULL,"
            " updated_at = excluded.updated_at",
            (event_id, person_id, status, int(counts["last"]) + 1, iso(now), iso(now)),
        )
        return status


async def cancel(
    db: Database,
    event_id: str,
    person_id: int,
    capacity: int,
    now: datetime,
    offer_until: datetime,
) -> tuple[str | None, list[Registration]]:
    """Sign off (or decline an offer): (the previous status, the offers the freed seat made)."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "SELECT status FROM registrations WHERE event_id = ? AND person_id = ?"
            " AND status != 'cancelled'",
            (event_id, person_id),
        )
        found = await cursor.fetchone()
        previous = str(found["status"]) if found else None
        await conn.execute(
            "UPDATE registrations SET status = 'cancelled', offered_until = NULL,"
            " updated_at = ? WHERE event_id = ? AND person_id = ?",
            (iso(now), event_id, person_id),
        )
        offered = await fill_seats(conn, event_id, capacity, now, offer_until)
    return previous, await _load(db, offered)


async def confirm(db: Database, event_id: str, person_id: int, now: datetime) -> bool:
    """Take an offered seat while the offer holds; False when there is no valid offer."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE registrations SET status = 'registered', offered_until = NULL,"
            " updated_at = ? WHERE event_id = ? AND person_id = ? AND status = 'offered'"
            " AND offered_until > ?",
            (iso(now), event_id, person_id, iso(now)),
        )
        return cursor.rowcount == 1


async def expire_offers(
    db: Database, capacities: Mapping[str, int], now: datetime, offer_until: datetime
) -> tuple[list[Registration], list[Registration]]:
    """Offers past their time lapse (cancelled) and pass to the next; (lapsed, new offers).

    Free seats of every event are filled too, e.g. after the file raised a capacity.
    """
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE registrations SET status = 'cancelled', offered_until = NULL,"
            " updated_at = ? WHERE status = 'offered' AND offered_until <= ? RETURNING id",
            (iso(now), iso(now)),
        )
        lapsed = [int(row[0]) for row in await cursor.fetchall()]
        offered: list[int] = []
        for event_id, capacity in capacities.items():
            offered += await fill_seats(conn, event_id, capacity, now, offer_until)
    return await _load(db, lapsed), await _load(db, offered)


async def fill_seats(
    conn: aiosqlite.Connection, event_id: str, capacity: int, now: datetime, until: datetime
) -> list[int]:
    """Offer each free seat to the next on the waiting list; the ids offered."""
    cursor = await conn.execute(
        "SELECT count(*) FROM registrations WHERE event_id = ?"
        " AND status IN ('registered', 'offered')",
        (event_id,),
    )
    row = await cursor.fetchone()
    free = capacity - (int(row[0]) if row else 0)
    if free <= 0:
        return []
    cursor = await conn.execute(
        "UPDATE registrations SET status = 'offered', offered_until = ?, updated_at = ?"
        " WHERE id IN (SELECT id FROM registrations WHERE event_id = ? AND status = 'waiting'"
        " ORDER BY position LIMIT ?) RETURNING id",
        (iso(until), iso(now), event_id, free),
    )
    return [int(found[0]) for found in await cursor.fetchall()]


async def _load(db: Database, ids: list[int]) -> list[Registration]:
    found = [await by_id(db, registration_id) for registration_id in ids]
    return [r for r in found if r is not None]


async def mark_attendance(db: Database, registration_id: int, attended: bool | None) -> bool:
    """Staff mark whether a registered person came; False for an unknown or unseated row."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE registrations SET attended = ? WHERE id = ? AND status = 'registered'",
            (None if attended is None else int(attended), registration_id),
        )
        return cursor.rowcount == 1
