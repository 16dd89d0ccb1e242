"""Erasure: one person's personal data gone in one transaction (DSGVO Art. 17).

What goes: the person row (Telegram id, language, profile, awaiting state, consent and its
withdrawal), their action fields, answers and selections, problem reports (drafts too, with
their photo file ids) and "affects us too" marks, draft ratings, comments and the draft
messages sent to their chat, workshop registrations and waiting-list places, follows, every
outbox row addressed to them or carrying an offer of their organisation, the inbox rows of
their chat (a pending update holds its raw JSON, with their id and text).

Their organisation, when they were its last person: one they named themselves is deleted
with its training figures and contact (the name is what they typed); one the town invited
stays on the town's list (name, group, the town's contact) but loses the naming consent and
the training figures and contact its person entered.

Freed seats are offered on in the same transaction (``capacities``/``offer_until`` as the
seat-release path uses); the caller plans the offer messages in that transaction too.

With ``keep_anonymised`` given answers stay in ``kept_answers`` (no person, organisation or
group, the day only) and sent problem reports stay without their reporter, photo or time of
day, so the figures do not jump. A report others were merged into passes its place (and its
marks) to the oldest report merged into it when it goes.

Deleted rows are overwritten in the file (``PRAGMA secure_delete``, storage/db.py); the WAL
keeps the old pages until its next checkpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage import workshops
from storage.db import Database, from_iso, iso

# Every column that holds a person's data or points at a person or organisation, by table, and
# how this module treats it: 'person' (rows go with the person: deleted, or cascaded from the
# person row), 'organisation' (goes with the last person of a self-named organisation, see
# _organisation), 'chat' (rows keyed by their Telegram/chat id, deleted here), 'staff' (a staff
# member's id, cleared by the purge), 'none' (no personal data: checked, nothing to do).
# tests/test_privacy.py compares it with the schema: a new table or column naming a person
# fails that test until it is handled here.
PERSONAL_COLUMNS: dict[str, dict[str, str]] = {
    "people": {"id": "person", "telegram_id": "person", "organisation_id": "person"},
    "organisations": {
        "name": "organisation",
        "contact": "organisation",
        "contact_person": "person",
    },  # SET NULL with the person row
    "member_requests": {"person_id": "person", "organisation_id": "organisation"},  # cascade
    "revoked_tokens": {"organisation_id": "organisation"},  # cascade
    "staff_members": {"telegram_id": "staff", "added_by": "staff"},  # /team
    "person_fields": {"person_id": "person"},
    "responses": {"person_id": "person"},
    "answers": {"person_id": "person", "value": "person"},
    "selections": {"person_id": "person", "value": "person"},
    "problems": {
        "person_id": "person",
        "title": "person",
        "description": "person",
        "photo_file_id": "person",
    },
    "problem_votes": {"person_id": "person"},
    "registrations": {"person_id": "person"},
    "draft_ratings": {"person_id": "person"},
    "draft_comments": {"person_id": "person", "text": "person"},
    "draft_optins": {"person_id": "person"},
    "draft_messages": {"chat_id": "chat"},
    "measure_followers": {"person_id": "person"},
    "training_demand": {"organisation_id": "organisation"},
    "training_offers": {"organisation_id": "organisation", "occupation_text": "organisation"},
    "training_profiles": {"organisation_id": "organisation", "contact": "organisation"},
    "training_occupation_map": {"occupation_text": "organisation", "mapped_by": "staff"},
    "outbox": {"recipient": "chat", "payload": "chat", "dedupe_key": "chat"},
    "inbox": {"chat_key": "chat", "payload": "chat"},
    "broadcast_drafts": {"staff_id": "staff", "text": "staff"},
    "broadcasts": {"staff_id": "staff", "text": "none"},
    "draft_versions": {"created_by": "staff", "title": "none"},
    "progress_entries": {"recorded_by": "staff", "subject": "none", "value": "none"},
    "audit": {"actor": "staff", "subject": "none"},
    "kept_answers": {"value": "none"},
    # The town's own texts for everyone (broadcasts, drafts, progress): no participant's data.
    "schema_migrations": {"name": "none"},
    "draft_measures": {"title": "none", "description": "none"},
}


@dataclass(frozen=True)
class Erased:
    """What one erasure removed (counts only: nothing personal survives in it)."""

    person_id: int
    answers: int = 0
    answers_kept: int = 0
    problems: int = 0
    problems_kept: int = 0
    votes: int = 0
    ratings: int = 0
    comments: int = 0
    registrations: int = 0
    follows: int = 0
    organisation: str = "none"  # 'none', 'shared' (others remain), 'deleted', 'unlinked'
    training: int = 0  # training figures and the training contact
    outbox: int = 0
    inbox: int = 0
    offered: tuple[int, ...] = ()  # registrations that got a freed seat (for the offer messages)


async def _count(conn: aiosqlite.Connection, sql: str, params: tuple[object, ...]) -> int:
    cursor = await conn.execute(sql, params)
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def _ids(conn: aiosqlite.Connection, sql: str, params: tuple[object, ...]) -> list[int]:
    cursor = await conn.execute(sql, params)
    return [int(row[0]) for row in await cursor.fetchall()]


async def erase_person(
    db: Database,
    person_id: int,
    *,
    keep_anonymised: bool,
    capacities: Mapping[str, int],
    offer_until: datetime,
    now: datetime,
) -> Erased | None:
    """Erase one person (see the module text); None if there is no such person.

    `capacities`: the events whose freed seats go to the next person waiting (events not yet
    begun), by id.
    """
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "SELECT id, telegram_id, organisation_id FROM people WHERE id = ?", (person_id,)
        )
        person = await cursor.fetchone()
        if person is None:
            return None
        telegram_id, organisation_id = int(person["telegram_id"]), person["organisation_id"]
        counts: dict[str, int] = {}

        # Answers: kept unlinked (day only) where the file says so, else gone with the person.
        counts["answers"] = await _count(
            conn,
            "SELECT count(*) FROM answers WHERE person_id = ? AND value IS NOT NULL",
            (person_id,),
        )
        counts["answers_kept"] = 0
        if keep_anonymised:
            cursor = await conn.execute(
                "INSERT INTO kept_answers (questionnaire_id, question_id, value, answered_on)"
                " SELECT questionnaire_id, question_id, value, substr(answered_at, 1, 10)"
                " FROM answers WHERE person_id = ? AND value IS NOT NULL ORDER BY random()",
                (person_id,),
            )
            counts["answers_kept"] = cursor.rowcount

        counts["problems"], counts["problems_kept"] = await _problems(
            conn, person_id, keep_anonymised
        )
        counts["votes"] = await _count(
            conn, "SELECT count(*) FROM problem_votes WHERE person_id = ?", (person_id,)
        )
        counts["ratings"] = await _count(
            conn, "SELECT count(*) FROM draft_ratings WHERE person_id = ?", (person_id,)
        )
        counts["comments"] = await _count(
            conn, "SELECT count(*) FROM draft_comments WHERE person_id = ?", (person_id,)
        )
        counts["follows"] = await _count(
            conn, "SELECT count(*) FROM measure_followers WHERE person_id = ?", (person_id,)
        )
        counts["registrations"] = await _count(
            conn, "SELECT count(*) FROM registrations WHERE person_id = ?", (person_id,)
        )
        seated: list[int] = []
        cursor = await conn.execute(
            "SELECT DISTINCT event_id FROM registrations WHERE person_id = ?"
            " AND status IN ('registered', 'offered')",
            (person_id,),
        )
        freed = [str(row[0]) for row in await cursor.fetchall()]

        await conn.execute("DELETE FROM draft_messages WHERE chat_id = ?", (telegram_id,))
        # The rest hangs on the person row (ON DELETE CASCADE): fields, responses, answers,
        # selections, votes, ratings, comments, opt-ins, follows, registrations.
        await conn.execute("DELETE FROM people WHERE id = ?", (person_id,))

        for event_id in freed:
            if event_id in capacities:
                seated += await workshops.fill_seats(
                    conn, event_id, capacities[event_id], now, offer_until
                )

        organisation, training, offers = await _organisation(conn, organisation_id)
        outbox = await conn.execute(
            "DELETE FROM outbox WHERE recipient = ?"
            " OR json_extract(payload, '$.offer') IN (SELECT value FROM json_each(?))",
            (telegram_id, "[" + ",".join(str(o) for o in offers) + "]"),
        )
        inbox = await conn.execute(
            "DELETE FROM inbox WHERE chat_key IN (?, ?)",
            (f"chat:{telegram_id}", f"user:{telegram_id}"),
        )
        return Erased(
            person_id=person_id,
            organisation=organisation,
            training=training,
            outbox=outbox.rowcount,
            inbox=inbox.rowcount,
            offered=tuple(seated),
            **counts,
        )


async def _problems(
    conn: aiosqlite.Connection, person_id: int, keep_anonymised: bool
) -> tuple[int, int]:
    """The person's reports go (or stay unlinked); (how many, how many kept)."""
    await conn.execute(
        "DELETE FROM problems WHERE person_id = ? AND status = 'draft'", (person_id,)
    )
    own = await _ids(conn, "SELECT id FROM problems WHERE person_id = ?", (person_id,))
    if keep_anonymised:
        await conn.execute(
            # Times cut to the day, in the stored format (NULL stays NULL).
            "UPDATE problems SET person_id = NULL, photo_file_id = NULL,"
            " created_at = substr(created_at, 1, 10) || 'T00:00:00+00:00',"
            " submitted_at = substr(submitted_at, 1, 10) || 'T00:00:00+00:00',"
            " merged_at = substr(merged_at, 1, 10) || 'T00:00:00+00:00' WHERE person_id = ?",
            (person_id,),
        )
        return len(own), len(own)
    for problem_id in own:
        children = await _ids(
            conn, "SELECT id FROM problems WHERE merged_into = ? ORDER BY id", (problem_id,)
        )
        if children:
            await _promote(conn, problem_id, children)
        await conn.execute("DELETE FROM problems WHERE id = ?", (problem_id,))
    return len(own), 0


async def _promote(conn: aiosqlite.Connection, gone: int, children: list[int]) -> None:
    """The oldest report merged into `gone` takes its place: the others now point at it and
    gone's marks move to it (its own reporter never marks their own report)."""
    heir = children[0]
    await conn.execute(
        "UPDATE problems SET merged_into = NULL, merged_at = NULL WHERE id = ?", (heir,)
    )
    await conn.execute("UPDATE problems SET merged_into = ? WHERE merged_into = ?", (heir, gone))
    await conn.execute(
        """INSERT OR IGNORE INTO problem_votes (problem_id, person_id, created_at)
           SELECT ?, v.person_id, v.created_at FROM problem_votes v
           WHERE v.problem_id = ?
             AND v.person_id IS NOT (SELECT person_id FROM problems WHERE id = ?)""",
        (heir, gone, heir),
    )


async def _organisation(
    conn: aiosqlite.Connection, organisation_id: int | None
) -> tuple[str, int, list[int]]:
    """After the person row went: their organisation, if nobody else is left in it.

    Returns (what happened, training rows removed, training offer ids removed)."""
    if organisation_id is None:
        return "none", 0, []
    others = await _count(
        conn, "SELECT count(*) FROM people WHERE organisation_id = ?", (organisation_id,)
    )
    if others:
        return "shared", 0, []
    offers = await _ids(
        conn, "SELECT id FROM training_offers WHERE organisation_id = ?", (organisation_id,)
    )
    cursor = await conn.execute(
        "SELECT occupation_text FROM training_offers WHERE organisation_id = ?"
        " AND occupation_text IS NOT NULL",
        (organisation_id,),
    )
    typed = [str(row[0]) for row in await cursor.fetchall()]
    training = 0
    for table in ("training_demand", "training_offers", "training_profiles"):
        cursor = await conn.execute(
            f"DELETE FROM {table} WHERE organisation_id = ?",  # noqa: S608 - fixed names
            (organisation_id,),
        )
        training += cursor.rowcount
    for text in typed:  # a typed occupation staff mapped: gone once no offer uses it
        await conn.execute(
            "DELETE FROM training_occupation_map WHERE occupation_text = ? AND NOT EXISTS"
            " (SELECT 1 FROM training_offers WHERE occupation_text = ?)",
            (text, text),
        )
    cursor = await conn.execute(
        "SELECT invite_token IS NOT NULL FROM organisations WHERE id = ?", (organisation_id,)
    )
    row = await cursor.fetchone()
    if row is None:
        return "none", training, offers
    if row[0]:
        # The town's own list keeps the organisation; the naming consent was the person's.
        await conn.execute(
            "UPDATE organisations SET may_be_named = 0 WHERE id = ?", (organisation_id,)
        )
        return "unlinked", training, offers
    await conn.execute("DELETE FROM organisations WHERE id = ?", (organisation_id,))
    return "deleted", training, offers


async def person_ids(db: Database) -> list[int]:
    """Every person's id (for the purge)."""
    rows = await db.fetchall("SELECT id FROM people ORDER BY id")
    return [int(row["id"]) for row in rows]


@dataclass(frozen=True)
class Totals:
    """What a purge would erase."""

    people: int
    answers: int
    problems: int


async def totals(db: Database) -> Totals:
    """People, their given answers and their problem reports (for purge --dry-run)."""
    row = await db.fetchone(
        "SELECT (SELECT count(*) FROM people) AS people,"
        " (SELECT count(*) FROM answers WHERE value IS NOT NULL) AS answers,"
        " (SELECT count(*) FROM problems WHERE person_id IS NOT NULL) AS problems"
    )
    assert row is not None
    return Totals(int(row["people"]), int(row["answers"]), int(row["problems"]))


async def last_purge(db: Database) -> datetime | None:
    """When the last retention purge ran, if ever."""
    row = await db.fetchone("SELECT max(ran_at) AS at FROM purges")
    return from_iso(row["at"]) if row and row["at"] else None


@dataclass(frozen=True)
class Leftovers:
    """What the purge clears besides the people: rows no single person owns."""

    outbox: int
    inbox: int
    organisations: int  # self-named organisations nobody belongs to
    contacts: int  # the town's contact entries of invited organisations
    staff_marks: int  # staff ids on broadcasts, drafts, progress entries, mappings


async def purge_leftovers(db: Database, people: int, *, now: datetime) -> Leftovers:
    """After every person is erased: rows that still name someone (see Leftovers); the purge
    is recorded (with how many `people` it erased)."""
    stamp = iso(now)
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO purges (ran_at, people) VALUES (?, ?)", (stamp, people))
        outbox = await conn.execute(
            "DELETE FROM outbox WHERE recipient > 0 OR status != 'pending' OR due_at <= ?",
            (stamp,),
        )
        inbox = await conn.execute("DELETE FROM inbox WHERE state != 'new'")
        organisations = await conn.execute(
            "DELETE FROM organisations WHERE invite_token IS NULL"
            " AND id NOT IN (SELECT organisation_id FROM people WHERE organisation_id IS NOT NULL)"
        )
        contacts = await conn.execute(
            "UPDATE organisations SET contact = NULL, may_be_named = 0"
            " WHERE contact IS NOT NULL OR may_be_named = 1"
        )
        staff = 0
        for sql in (
            "DELETE FROM broadcast_drafts",
            "UPDATE broadcasts SET staff_id = 0 WHERE staff_id != 0",
            "UPDATE draft_versions SET created_by = NULL WHERE created_by IS NOT NULL",
            "UPDATE progress_entries SET recorded_by = NULL WHERE recorded_by IS NOT NULL",
            "UPDATE training_occupation_map SET mapped_by = 0 WHERE mapped_by != 0",
            "DELETE FROM draft_messages",
            "DELETE FROM staff_members",  # added with /team; AGENDA_STAFF_IDS stay
        ):
            staff += (await conn.execute(sql)).rowcount
        return Leftovers(
            outbox.rowcount, inbox.rowcount, organisations.rowcount, contacts.rowcount, staff
        )
