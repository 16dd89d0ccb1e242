"""People (after consent), their profile and what typed input the bot awaits from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database, iso


@dataclass(frozen=True)
class Person:
    """A person who consented; the profile may still be incomplete."""

    id: int
    telegram_id: int
    language: str
    consent_version: str
    consented_at: str
    group_id: str | None
    organisation_id: int | None
    organisation_name: str | None
    may_be_named: bool
    organisation_invited: bool
    onboarded: bool
    awaiting: str | None
    fields: tuple[str, ...]
    withdrawn: bool = False  # consent withdrawn: nothing is done with the data until renewed


_SELECT = """
SELECT p.*, o.name AS organisation_name, COALESCE(o.may_be_named, 0) AS may_be_named,
       o.invite_token IS NOT NULL AS organisation_invited,
       (SELECT group_concat(action_field, ',') FROM
           (SELECT action_field FROM person_fields f WHERE f.person_id = p.id
            ORDER BY action_field)) AS fields
FROM people p LEFT JOIN organisations o ON o.id = p.organisation_id
"""


def _person(row: aiosqlite.Row) -> Person:
    return Person(
        id=row["id"],
        telegram_id=row["telegram_id"],
        language=row["language"],
        consent_version=row["consent_version"],
        consented_at=row["consented_at"],
        group_id=row["group_id"],
        organisation_id=row["organisation_id"],
        organisation_name=row["organisation_name"],
        may_be_named=bool(row["may_be_named"]),
        organisation_invited=bool(row["organisation_invited"]),
        onboarded=row["onboarded_at"] is not None,
        awaiting=row["awaiting"],
        fields=tuple(row["fields"].split(",")) if row["fields"] else (),
        withdrawn=row["withdrawn_at"] is not None,
    )


async def by_telegram_id(db: Database, telegram_id: int) -> Person | None:
    """The person with this Telegram id, or None before consent."""
    row = await db.fetchone(_SELECT + " WHERE p.telegram_id = ?", (telegram_id,))
    return _person(row) if row else None


async def by_id(db: Database, person_id: int) -> Person | None:
    """The person with this internal id."""
    row = await db.fetchone(_SELECT + " WHERE p.id = ?", (person_id,))
    return _person(row) if row else None


async def record_consent(
    db: Database,
    telegram_id: int,
    language: str,
    consent_version: str,
    *,
    now: datetime,
) -> Person:
    """Create the person (or renew consent) with the version of the text they agreed to."""
    stamp = iso(now)
    async with db.write() as conn:
        await conn.execute(
            """INSERT INTO people (telegram_id, language, consent_version, consented_at,
                                   created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (telegram_id) DO UPDATE SET
                   language = excluded.language, consent_version = excluded.consent_version,
                   consented_at = excluded.consented_at, updated_at = excluded.updated_at,
                   withdrawn_at = NULL""",
            (telegram_id, language, consent_version, stamp, stamp, stamp),
        )
    person = await by_telegram_id(db, telegram_id)
    assert person is not None
    return person


async def withdraw(db: Database, telegram_id: int, *, now: datetime) -> bool:
    """Record the withdrawal of consent (the first moment counts); False if unknown."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "UPDATE people SET withdrawn_at = coalesce(withdrawn_at, ?), awaiting = NULL,"
            " updated_at = ? WHERE telegram_id = ?",
            (iso(now), iso(now), telegram_id),
        )
        return cursor.rowcount == 1


async def withdrawn_at(db: Database, telegram_id: int) -> str | None:
    """When the person withdrew consent (stored text), or None."""
    row = await db.fetchone("SELECT withdrawn_at FROM people WHERE telegram_id = ?", (telegram_id,))
    return str(row["withdrawn_at"]) if row and row["withdrawn_at"] else None


async def set_language(db: Database, person_id: int, language: str, *, now: datetime) -> None:
    """Change the language of all further messages."""
    async with db.write() as conn:
        await conn.execute(
            "UPDATE people SET language = ?, updated_at = ? WHERE id = ?",
            (language, iso(now), person_id),
        )


async def set_group(db: Database, person_id: int, group_id: str, *, now: datetime) -> None:
    """Set the stakeholder group."""
    async with db.write() as conn:
        await conn.execute(
            "UPDATE people SET group_id = ?, updated_at = ? WHERE id = ?",
            (group_id, iso(now), person_id),
        )


async def set_awaiting(
    db: Database, person_id: int, awaiting: str | None, *, now: datetime
) -> None:
    """Remember which typed input the bot waits for (None: nothing)."""
    async with db.write() as conn:
        await conn.execute(
            "UPDATE people SET awaiting = ?, updated_at = ? WHERE id = ?",
            (awaiting, iso(now), person_id),
        )


async def toggle_field(db: Database, person_id: int, action_field: str) -> bool:
    """Add or remove an action field of interest; True if it is now selected."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "DELETE FROM person_fields WHERE person_id = ? AND action_field = ?",
            (person_id, action_field),
        )
        if cursor.rowcount:
            return False
        await conn.execute(
            "INSERT INTO person_fields (person_id, action_field) VALUES (?, ?)",
            (person_id, action_field),
        )
        return True


async def set_field(db: Database, person_id: int, action_field: str, *, on: bool) -> None:
    """Select or deselect an action field of interest (doing it twice changes nothing)."""
    async with db.write() as conn:
        if on:
            await conn.execute(
                "INSERT OR IGNORE INTO person_fields (person_id, action_field) VALUES (?, ?)",
                (person_id, action_field),
            )
        else:
            await conn.execute(
                "DELETE FROM person_fields WHERE person_id = ? AND action_field = ?",
                (person_id, action_field),
            )


async def set_fields(db: Database, person_id: int, fields: list[str]) -> None:
    """Replace the action fields of interest."""
    async with db.write() as conn:
        await conn.execute("DELETE FROM person_fields WHERE person_id = ?", (person_id,))
        await conn.executemany(
            "INSERT INTO person_fields (person_id, action_field) VALUES (?, ?)",
            [(person_id, field) for field in fields],
        )


async def mark_onboarded(db: Database, person_id: int, *, now: datetime) -> None:
    """The profile is complete."""
    async with db.write() as conn:
        await conn.execute(
            "UPDATE people SET onboarded_at = COALESCE(onboarded_at, ?), awaiting = NULL, "
            "updated_at = ? WHERE id = ?",
            (iso(now), iso(now), person_id),
        )
