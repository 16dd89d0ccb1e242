"""Everything stored about one person, for their copy (DSGVO Art. 15, 20), and finding a
person for a request that arrives by mail (by organisation name, invitation token, pseudonym).

Each section is a list of plain rows (column name -> value) from one table, so the copy shows
what the database holds, in its own words; bot/privacy_export.py turns it into a ZIP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storage.db import Database

# (section, SQL with one placeholder for the person id): every table that holds their data.
_SECTIONS: tuple[tuple[str, str], ...] = (
    (
        "person",
        "SELECT id, telegram_id, language, consent_version, consented_at, withdrawn_at,"
        " group_id, onboarded_at, awaiting, reminders_off, inactive_since, created_at,"
        " updated_at FROM people WHERE id = ?",
    ),
    (
        "organisation",
        "SELECT o.id, o.name, o.group_id, o.invite_token IS NOT NULL AS invited,"
        " o.may_be_named, o.created_at FROM organisations o"
        " JOIN people p ON p.organisation_id = o.id WHERE p.id = ?",
    ),
    (
        "action_fields",
        "SELECT action_field FROM person_fields WHERE person_id = ? ORDER BY action_field",
    ),
    (
        "questionnaires",
        "SELECT questionnaire_id, started_at, completed_at FROM responses"
        " WHERE person_id = ? ORDER BY started_at",
    ),
    (
        "answers",
        "SELECT questionnaire_id, question_id, value, answered_at FROM answers"
        " WHERE person_id = ? ORDER BY questionnaire_id, answered_at",
    ),
    (
        "selections",
        "SELECT questionnaire_id, question_id, value, updated_at FROM selections"
        " WHERE person_id = ?",
    ),
    (
        "problems",
        "SELECT id, action_field, title, description, photo_file_id IS NOT NULL"
        " AS photo, status, created_at, submitted_at, merged_into FROM problems"
        " WHERE person_id = ? ORDER BY id",
    ),
    (
        "affects_us_too",
        "SELECT v.problem_id, pr.title, v.created_at FROM problem_votes v"
        " JOIN problems pr ON pr.id = v.problem_id WHERE v.person_id = ?",
    ),
    (
        "draft_ratings",
        "SELECT m.measure_id, m.title, r.dimension, r.score, r.updated_at"
        " FROM draft_ratings r JOIN draft_measures m ON m.id = r.measure"
        " WHERE r.person_id = ?",
    ),
    (
        "draft_comments",
        "SELECT m.measure_id, m.title, c.text, c.created_at FROM draft_comments c"
        " JOIN draft_measures m ON m.id = c.measure WHERE c.person_id = ?",
    ),
    ("draft_notices", "SELECT created_at FROM draft_optins WHERE person_id = ?"),
    (
        "registrations",
        "SELECT event_id, status, position, offered_until, attended, created_at,"
        " updated_at FROM registrations WHERE person_id = ?",
    ),
    ("follows", "SELECT measure_id, since FROM measure_followers WHERE person_id = ?"),
    (
        "training_demand",
        "SELECT d.school_year, d.field_id, d.seeking_training,"
        " d.seeking_internship, d.wanted_from, d.updated_at"
        " FROM training_demand d JOIN people p ON p.organisation_id ="
        " d.organisation_id WHERE p.id = ?",
    ),
    (
        "training_offers",
        "SELECT t.field_id, t.occupation_id, t.occupation_text, t.start_year,"
        " t.places, t.internships, t.updated_at FROM training_offers t"
        " JOIN people p ON p.organisation_id = t.organisation_id WHERE p.id = ?",
    ),
    (
        "training_profile",
        "SELECT t.contact, t.contact_consent, t.notify_offers, t.updated_at"
        " FROM training_profiles t JOIN people p"
        " ON p.organisation_id = t.organisation_id WHERE p.id = ?",
    ),
    (
        "messages",
        "SELECT o.kind, o.status, o.due_at, o.sent_at FROM outbox o"
        " JOIN people p ON p.telegram_id = o.recipient WHERE p.id = ?"
        " ORDER BY o.due_at",
    ),
    (
        "updates_in_inbox",
        "SELECT i.state, i.received_at, i.handled_at FROM inbox i"
        " JOIN people p ON i.chat_key IN ('chat:' || p.telegram_id,"
        " 'user:' || p.telegram_id) WHERE p.id = ?",
    ),
)

SECTIONS = tuple(name for name, _ in _SECTIONS)


async def collect(db: Database, person_id: int) -> dict[str, list[dict[str, Any]]] | None:
    """Every section's rows for one person; None if there is no such person."""
    found: dict[str, list[dict[str, Any]]] = {}
    for name, sql in _SECTIONS:
        rows = await db.fetchall(sql, (person_id,))
        found[name] = [dict(zip(row.keys(), tuple(row), strict=True)) for row in rows]
    return found if found["person"] else None


@dataclass(frozen=True)
class Match:
    """A person a search found (no Telegram id: staff see the pseudonym)."""

    person_id: int
    organisation: str | None
    group_id: str | None
    consented_at: str
    withdrawn: bool


async def find(db: Database, text: str) -> list[Match]:
    """People by pseudonym (P0007), internal id, invitation token or part of the
    organisation's name (case-insensitive)."""
    wanted = text.strip()
    number = wanted[1:] if wanted[:1] in ("P", "p") else wanted
    person_id = int(number) if number.isdigit() else -1
    rows = await db.fetchall(
        "SELECT p.id, o.name, p.group_id, p.consented_at, p.withdrawn_at IS NOT NULL AS w"
        " FROM people p LEFT JOIN organisations o ON o.id = p.organisation_id"
        " WHERE p.id = ? OR o.invite_token = ? OR instr(lower(o.name), lower(?)) > 0"
        " ORDER BY p.id",
        (person_id, wanted, wanted),
    )
    return [
        Match(int(r["id"]), r["name"], r["group_id"], r["consented_at"], bool(r["w"])) for r in rows
    ]
