"""Who the outbox may message: onboarded people, minus those who blocked the bot or opted out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database
from storage.outbox import iso


@dataclass(frozen=True)
class Recipient:
    """A person as the outbox sees them."""

    person_id: int
    telegram_id: int
    language: str
    group_id: str | None
    fields: tuple[str, ...]
    reminders_off: bool
    inactive: bool
    withdrawn: bool = False  # consent withdrawn: nothing more is sent


_SELECT = """
SELECT p.id, p.telegram_id, p.language, p.group_id, p.reminders_off,
       p.inactive_since IS NOT NULL AS inactive, p.withdrawn_at IS NOT NULL AS withdrawn,
       (SELECT group_concat(action_field, ',') FROM
           (SELECT action_field FROM person_fields f WHERE f.person_id = p.id
            ORDER BY action_field)) AS fields
FROM people p
"""


def _recipient(r: aiosqlite.Row) -> Recipient:
    return Recipient(
        person_id=r["id"],
        telegram_id=r["telegram_id"],
        language=r["language"],
        group_id=r["group_id"],
        fields=tuple(r["fields"].split(",")) if r["fields"] else (),
        reminders_off=bool(r["reminders_off"]),
        inactive=bool(r["inactive"]),
        withdrawn=bool(r["withdrawn"]),
    )


async def reachable(db: Database) -> list[Recipient]:
    """Onboarded people who have not blocked the bot nor withdrawn consent, by Telegram id."""
    rows = await db.fetchall(
        _SELECT + " WHERE p.onboarded_at IS NOT NULL AND p.inactive_since IS NULL"
        " AND p.withdrawn_at IS NULL"
        " ORDER BY p.telegram_id"
    )
    return [_recipient(row) for row in rows]


async def by_telegram_id(db: Database, telegram_id: int) -> Recipient | None:
    """The person with this Telegram id (whatever their state), or None."""
    row = await db.fetchone(_SELECT + " WHERE p.telegram_id = ?", (telegram_id,))
    return _recipient(row) if row else None


async def mark_inactive(db: Database, telegram_id: int, now: datetime) -> None:
    """Telegram said 403: the person blocked the bot. Keep the first moment we learnt it."""
    async with db.write() as conn:
        await conn.execute(
            "UPDATE people SET inactive_since = coalesce(inactive_since, ?) WHERE telegram_id = ?",
            (iso(now), telegram_id),
        )


async def reactivate(db: Database, telegram_id: int) -> bool:
    """The person wrote to the bot again; True if they had been inactive."""
    row = await db.fetchone(
        "SELECT inactive_since FROM people WHERE telegram_id = ?", (telegram_id,)
    )
    if row is None or row["inactive_since"] is None:
        return False  # the common case costs one read, no write
    async with db.write() as conn:
        await conn.execute(
            "UPDATE people SET inactive_since = NULL WHERE telegram_id = ?", (telegram_id,)
        )
    return True


async def set_reminders(db: Database, telegram_id: int, on: bool) -> None:
    """Switch questionnaire reminders on or off for this person."""
    async with db.write() as conn:
        await conn.execute(
            "UPDATE people SET reminders_off = ? WHERE telegram_id = ?", (int(not on), telegram_id)
        )


async def completed_pairs(db: Database) -> set[tuple[int, str]]:
    """(person id, questionnaire id) of every completed questionnaire."""
    rows = await db.fetchall(
        "SELECT person_id, questionnaire_id FROM responses WHERE completed_at IS NOT NULL"
    )
    return {(row["person_id"], row["questionnaire_id"]) for row in rows}
