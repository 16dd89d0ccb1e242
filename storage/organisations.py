"""Organisations: registered in advance by staff (with an invite token) or by a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database, iso


@dataclass(frozen=True)
class Organisation:
    """A firm, school, association or office taking part."""

    id: int
    name: str
    group_id: str
    contact: str | None
    invite_token: str | None
    may_be_named: bool
    contact_person: int | None = None  # who speaks for it (storage/members.py)


def _organisation(row: aiosqlite.Row) -> Organisation:
    return Organisation(
        id=row["id"],
        name=row["name"],
        group_id=row["group_id"],
        contact=row["contact"],
        invite_token=row["invite_token"],
        may_be_named=bool(row["may_be_named"]),
        contact_person=row["contact_person"],
    )


async def by_token(db: Database, token: str) -> Organisation | None:
    """The invited organisation with this token."""
    row = await db.fetchone("SELECT * FROM organisations WHERE invite_token = ?", (token,))
    return _organisation(row) if row else None


async def by_id(db: Database, organisation_id: int) -> Organisation | None:
    """The organisation with this id."""
    row = await db.fetchone("SELECT * FROM organisations WHERE id = ?", (organisation_id,))
    return _organisation(row) if row else None


async def upsert_invited(
    db: Database,
    name: str,
    group_id: str,
    contact: str | None,
    token: str,
    *,
    now: datetime,
) -> Organisation:
    """Register an invited organisation; an existing one (same name and group) keeps its token."""
    async with db.write() as conn:
        existing = await (
            await conn.execute(
                "SELECT id FROM organisations WHERE name = ? AND group_id = ? "
                "AND invite_token IS NOT NULL",
                (name, group_id),
            )
        ).fetchone()
        if existing is None:
            return await add_invited(db, name, group_id, contact, token, now=now)
        await conn.execute(
            "UPDATE organisations SET contact = ? WHERE id = ?", (contact, existing["id"])
        )
    org = await by_id(db, int(existing["id"]))
    assert org is not None
    return org


async def invited(db: Database) -> list[Organisation]:
    """Every organisation staff invited (with a token), oldest first."""
    rows = await db.fetchall(
        "SELECT * FROM organisations WHERE invite_token IS NOT NULL ORDER BY id"
    )
    return [_organisation(row) for row in rows]


async def add_invited(
    db: Database, name: str, group_id: str, contact: str | None, token: str, *, now: datetime
) -> Organisation:
    """Register a newly invited organisation with its token."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "INSERT INTO organisations (name, group_id, contact, invite_token, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (name, group_id, contact, token, iso(now)),
        )
        org_id = cursor.lastrowid
    org = await by_id(db, int(org_id or 0))
    assert org is not None
    return org


async def update_invited(
    db: Database,
    org: Organisation,
    name: str,
    group_id: str,
    contact: str | None,
    *,
    now: datetime,
) -> Organisation:
    """Correct an invited organisation (its token stays); members who joined under its old
    group move to the new one."""
    async with db.write() as conn:
        await conn.execute(
            "UPDATE organisations SET name = ?, group_id = ?, contact = ? WHERE id = ?",
            (name, group_id, contact, org.id),
        )
        if group_id != org.group_id:
            await conn.execute(
                "UPDATE people SET group_id = ?, updated_at = ? "
                "WHERE organisation_id = ? AND group_id = ?",
                (group_id, iso(now), org.id, org.group_id),
            )
    found = await by_id(db, org.id)
    assert found is not None
    return found


async def bind_person(
    db: Database, person_id: int, organisation_id: int, group_id: str, *, now: datetime
) -> None:
    """Make the person a member of this organisation (and of its group)."""
    async with db.write() as conn:
        await conn.execute(
            "UPDATE people SET organisation_id = ?, group_id = ?, updated_at = ? WHERE id = ?",
            (organisation_id, group_id, iso(now), person_id),
        )


async def set_own_name(db: Database, person_id: int, name: str, *, now: datetime) -> None:
    """Name the person's organisation: rename their own, or create one for them."""
    async with db.write() as conn:
        row = await (
            await conn.execute(
                "SELECT p.group_id, o.id AS org_id, o.invite_token FROM people p "
                "LEFT JOIN organisations o ON o.id = p.organisation_id WHERE p.id = ?",
                (person_id,),
            )
        ).fetchone()
        assert row is not None
        if row["org_id"] is not None and row["invite_token"] is None:
            await conn.execute(
                "UPDATE organisations SET name = ?, group_id = COALESCE(?, group_id) WHERE id = ?",
                (name, row["group_id"], row["org_id"]),
            )
            return
        cursor = await conn.execute(
            "INSERT INTO organisations (name, group_id, created_at, contact_person)"
            " VALUES (?, ?, ?, ?)",
            (name, row["group_id"] or "", iso(now), person_id),  # a group is asked before the name
        )
        await conn.execute(
            "UPDATE people SET organisation_id = ?, updated_at = ? WHERE id = ?",
            (cursor.lastrowid, iso(now), person_id),
        )


async def set_may_be_named(db: Database, organisation_id: int, allowed: bool) -> None:
    """Whether documents may name the organisation."""
    async with db.write() as conn:
        await conn.execute(
            "UPDATE organisations SET may_be_named = ? WHERE id = ?",
            (int(allowed), organisation_id),
        )


async def sync_group(db: Database, person_id: int) -> None:
    """Keep a self-registered organisation's group equal to its person's group."""
    async with db.write() as conn:
        await conn.execute(
            "UPDATE organisations SET group_id = (SELECT group_id FROM people WHERE id = ?) "
            "WHERE invite_token IS NULL AND id = (SELECT organisation_id FROM people WHERE id = ?) "
            "AND (SELECT group_id FROM people WHERE id = ?) IS NOT NULL",
            (person_id, person_id, person_id),
        )


async def member_count(db: Database, organisation_id: int) -> int:
    """How many people belong to the organisation."""
    row = await db.fetchone(
        "SELECT count(*) AS n FROM people WHERE organisation_id = ?", (organisation_id,)
    )
    return int(row["n"]) if row else 0


async def unname_if_alone(db: Database, telegram_id: int) -> bool:
    """The person withdrew consent: if nobody else belongs to their organisation, documents no
    longer name it (the naming consent was theirs); whether it changed."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE organisations SET may_be_named = 0 WHERE may_be_named = 1 AND id ="
            " (SELECT organisation_id FROM people WHERE telegram_id = ?) AND"
            " (SELECT count(*) FROM people WHERE organisation_id = organisations.id) = 1",
            (telegram_id,),
        )
        return cursor.rowcount == 1
