"""Training places: what one school or firm keeps through /ausbildung.

Schools' demand, firms' offers (with the staff's mapping of typed occupations), and each
organisation's training settings. The figures combined with the questionnaires, across all
organisations, are in ``storage.training_totals``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database, iso

MAX_COUNT = 1000  # more pupils or places in one field is not plausible for one organisation


@dataclass(frozen=True)
class Demand:
    """One school's figures for one leaving year and field."""

    organisation_id: int
    school_year: int
    field_id: str
    seeking_training: int
    seeking_internship: int
    wanted_from: int
    updated_at: str


@dataclass(frozen=True)
class Offer:
    """One firm's places in one occupation (catalogue or free text) and start year."""

    id: int
    organisation_id: int
    organisation_name: str
    may_be_named: bool
    field_id: str
    occupation_id: str | None
    occupation_text: str | None
    start_year: int
    places: int
    internships: int
    contact: str | None  # only where the firm agreed that it may be passed on
    updated_at: str


@dataclass(frozen=True)
class Profile:
    """An organisation's training settings."""

    contact: str | None
    contact_consent: bool
    notify_offers: bool
    updated_at: str | None


def _offer(row: aiosqlite.Row) -> Offer:
    return Offer(
        id=row["id"],
        organisation_id=row["organisation_id"],
        organisation_name=row["name"],
        may_be_named=bool(row["may_be_named"]),
        field_id=row["field_id"],
        occupation_id=row["occupation_id"],
        occupation_text=row["occupation_text"],
        start_year=row["start_year"],
        places=row["places"],
        internships=row["internships"],
        contact=row["contact"] if row["contact_consent"] else None,
        updated_at=row["updated_at"],
    )


_OFFERS = """
SELECT t.*, o.name, o.may_be_named, pr.contact, COALESCE(pr.contact_consent, 0) AS contact_consent
FROM training_offers_counted t
JOIN organisations o ON o.id = t.organisation_id
LEFT JOIN training_profiles pr ON pr.organisation_id = t.organisation_id
"""


async def set_demand(
    db: Database,
    organisation_id: int,
    school_year: int,
    field_id: str,
    *,
    training: int | None = None,
    internship: int | None = None,
    now: datetime,
) -> None:
    """Set one or both counts for a school's year and field; the other stays as it was."""
    stamp = iso(now)
    async with db.write() as conn:
        await conn.execute(
            """INSERT INTO training_demand (organisation_id, school_year, field_id,
                   seeking_training, seeking_internship, wanted_from, updated_at)
               VALUES (?, ?, ?, COALESCE(?, 0), COALESCE(?, 0), ?, ?)
               ON CONFLICT (organisation_id, school_year, field_id) DO UPDATE SET
                   seeking_training = COALESCE(?, seeking_training),
                   seeking_internship = COALESCE(?, seeking_internship),
                   updated_at = excluded.updated_at""",
            (
                organisation_id,
                school_year,
                field_id,
                training,
                internship,
                school_year,
                stamp,
                training,
                internship,
            ),
        )


async def demand_of(db: Database, organisation_id: int) -> list[Demand]:
    """A school's figures, by year and field."""
    rows = await db.fetchall(
        "SELECT * FROM training_demand WHERE organisation_id = ? ORDER BY school_year, field_id",
        (organisation_id,),
    )
    return [
        Demand(
            row["organisation_id"],
            row["school_year"],
            row["field_id"],
            row["seeking_training"],
            row["seeking_internship"],
            row["wanted_from"],
            row["updated_at"],
        )
        for row in rows
    ]


async def save_offer(
    db: Database,
    organisation_id: int,
    field_id: str,
    start_year: int,
    *,
    occupation_id: str | None = None,
    occupation_text: str | None = None,
    now: datetime,
) -> int:
    """The offer for this occupation and year (created with 0 places if new); its id."""
    stamp = iso(now)
    async with db.write() as conn:
        cursor = await conn.execute(
            """INSERT INTO training_offers (organisation_id, field_id, occupation_id,
                   occupation_text, start_year, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT DO UPDATE SET field_id = excluded.field_id
               RETURNING id""",
            (organisation_id, field_id, occupation_id, occupation_text, start_year, stamp, stamp),
        )
        row = await cursor.fetchone()
        assert row is not None
        return int(row["id"])


async def set_offer_counts(
    db: Database,
    offer_id: int,
    organisation_id: int,
    *,
    places: int | None = None,
    internships: int | None = None,
    now: datetime,
) -> bool:
    """Set places and/or internships of the organisation's own offer; False if not theirs."""
    async with db.write() as conn:
        cursor = await conn.execute(
            """UPDATE training_offers SET places = COALESCE(?, places),
                   internships = COALESCE(?, internships), updated_at = ?
               WHERE id = ? AND organisation_id = ?""",
            (places, internships, iso(now), offer_id, organisation_id),
        )
        return cursor.rowcount == 1


async def delete_offer(db: Database, offer_id: int, organisation_id: int) -> bool:
    """Remove one of the organisation's offers."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "DELETE FROM training_offers WHERE id = ? AND organisation_id = ?",
            (offer_id, organisation_id),
        )
        return cursor.rowcount == 1


async def offer(db: Database, offer_id: int) -> Offer | None:
    """One offer by id."""
    row = await db.fetchone(_OFFERS + " WHERE t.id = ?", (offer_id,))
    return _offer(row) if row else None


async def offers_of(db: Database, organisation_id: int) -> list[Offer]:
    """A firm's own offers."""
    rows = await db.fetchall(
        _OFFERS + " WHERE t.organisation_id = ? ORDER BY t.start_year, t.field_id, t.id",
        (organisation_id,),
    )
    return [_offer(row) for row in rows]


async def offers_in_fields(db: Database, field_ids: list[str]) -> list[Offer]:
    """Offers with at least one place or internship in these fields."""
    marks = ", ".join("?" for _ in field_ids) or "NULL"
    rows = await db.fetchall(
        _OFFERS + f" WHERE t.field_id IN ({marks}) AND (t.places > 0 OR t.internships > 0)"
        " ORDER BY t.field_id, o.name, t.start_year",
        tuple(field_ids),
    )
    return [_offer(row) for row in rows]


async def free_text_offers(db: Database) -> list[Offer]:
    """Offers in occupations not in the catalogue and not mapped yet: for staff to map."""
    rows = await db.fetchall(
        _OFFERS + " WHERE t.occupation_id IS NULL ORDER BY t.field_id, t.occupation_text"
    )
    return [_offer(row) for row in rows]


async def map_occupation(
    db: Database,
    occupation_text: str,
    field_id: str,
    occupation_id: str,
    staff_id: int,
    *,
    now: datetime,
) -> int:
    """Count this typed occupation under a catalogue occupation from now on (a later mapping
    of the same words replaces it); how many offers it applies to."""
    async with db.write() as conn:
        await conn.execute(
            """INSERT INTO training_occupation_map (occupation_text, field_id, occupation_id,
                   mapped_by, mapped_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (occupation_text) DO UPDATE SET field_id = excluded.field_id,
                   occupation_id = excluded.occupation_id, mapped_by = excluded.mapped_by,
                   mapped_at = excluded.mapped_at""",
            (occupation_text.strip(), field_id, occupation_id, staff_id, iso(now)),
        )
        cursor = await conn.execute(
            "SELECT count(*) AS n FROM training_offers WHERE occupation_id IS NULL"
            " AND occupation_text = ? COLLATE NOCASE",
            (occupation_text.strip(),),
        )
        row = await cursor.fetchone()
        return int(row["n"]) if row else 0


async def profile(db: Database, organisation_id: int) -> Profile:
    """The organisation's training settings (defaults if never set)."""
    row = await db.fetchone(
        "SELECT * FROM training_profiles WHERE organisation_id = ?", (organisation_id,)
    )
    if row is None:
        return Profile(None, False, False, None)
    return Profile(
        row["contact"],
        bool(row["contact_consent"]),
        bool(row["notify_offers"]),
        row["updated_at"],
    )


async def update_profile(
    db: Database,
    organisation_id: int,
    *,
    contact: str | None = None,
    contact_consent: bool | None = None,
    notify_offers: bool | None = None,
    now: datetime,
) -> None:
    """Change the given settings; the others stay."""
    consent = None if contact_consent is None else int(contact_consent)
    notify = None if notify_offers is None else int(notify_offers)
    async with db.write() as conn:
        await conn.execute(
            """INSERT INTO training_profiles (organisation_id, contact, contact_consent,
                   notify_offers, updated_at)
               VALUES (?, ?, COALESCE(?, 0), COALESCE(?, 0), ?)
               ON CONFLICT (organisation_id) DO UPDATE SET
                   contact = COALESCE(?, contact),
                   contact_consent = COALESCE(?, contact_consent),
                   notify_offers = COALESCE(?, notify_offers),
                   updated_at = excluded.updated_at""",
            (organisation_id, contact, consent, notify, iso(now), contact, consent, notify),
        )


async def schools_to_notify(db: Database, field_id: str) -> list[tuple[int, int, str]]:
    """(organisation id, Telegram id, language) of each opted-in school seeking in this field."""
    rows = await db.fetchall(
        """SELECT DISTINCT d.organisation_id, p.telegram_id, p.language
           FROM training_demand d
           JOIN training_profiles pr ON pr.organisation_id = d.organisation_id
           JOIN people p ON p.organisation_id = d.organisation_id
           WHERE d.field_id = ? AND pr.notify_offers = 1
             AND d.seeking_training + d.seeking_internship > 0
           ORDER BY d.organisation_id, p.telegram_id""",
        (field_id,),
    )
    return [(row["organisation_id"], row["telegram_id"], row["language"]) for row in rows]
