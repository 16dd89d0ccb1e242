"""Problem reports and the "affects us too" votes on them."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import Database, now_iso


@dataclass(frozen=True)
class Problem:
    """A problem report; status 'draft' until its reporter sends it."""

    id: int
    person_id: int | None
    action_field: str
    title: str | None
    description: str | None
    photo_file_id: str | None
    status: str
    votes: int


_SELECT = """
SELECT pr.*, (SELECT count(*) FROM problem_votes v WHERE v.problem_id = pr.id) AS votes
FROM problems pr
"""


def _problem(row: aiosqlite.Row) -> Problem:
    return Problem(
        id=row["id"],
        person_id=row["person_id"],
        action_field=row["action_field"],
        title=row["title"],
        description=row["description"],
        photo_file_id=row["photo_file_id"],
        status=row["status"],
        votes=row["votes"],
    )


async def get(db: Database, problem_id: int) -> Problem | None:
    """One problem report."""
    row = await db.fetchone(_SELECT + " WHERE pr.id = ?", (problem_id,))
    return _problem(row) if row else None


async def draft_of(db: Database, person_id: int) -> Problem | None:
    """The report a person is writing now, if any."""
    row = await db.fetchone(
        _SELECT + " WHERE pr.person_id = ? AND pr.status = 'draft' ORDER BY pr.id DESC LIMIT 1",
        (person_id,),
    )
    return _problem(row) if row else None


async def start_draft(db: Database, person_id: int, action_field: str) -> Problem:
    """Begin a new report (an unfinished earlier draft is replaced)."""
    async with db.write() as conn:
        await conn.execute(
            "DELETE FROM problems WHERE person_id = ? AND status = 'draft'", (person_id,)
        )
        cursor = await conn.execute(
            "INSERT INTO problems (person_id, action_field, created_at) VALUES (?, ?, ?)",
            (person_id, action_field, now_iso()),
        )
        problem_id = int(cursor.lastrowid or 0)
    problem = await get(db, problem_id)
    assert problem is not None
    return problem


async def update_draft(
    db: Database,
    problem_id: int,
    *,
    title: str | None = None,
    description: str | None = None,
    photo_file_id: str | None = None,
) -> None:
    """Fill in a part of a draft report."""
    async with db.write() as conn:
        await conn.execute(
            """UPDATE problems SET title = COALESCE(?, title),
                                   description = COALESCE(?, description),
                                   photo_file_id = COALESCE(?, photo_file_id)
               WHERE id = ? AND status = 'draft'""",
            (title, description, photo_file_id, problem_id),
        )


async def submit(db: Database, problem_id: int) -> None:
    """Publish a complete draft to others in its field."""
    async with db.write() as conn:
        await conn.execute(
            "UPDATE problems SET status = 'open', submitted_at = ? "
            "WHERE id = ? AND status = 'draft' AND title IS NOT NULL AND description IS NOT NULL",
            (now_iso(), problem_id),
        )


async def discard_draft(db: Database, person_id: int) -> bool:
    """Throw away an unfinished report; True if there was one."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "DELETE FROM problems WHERE person_id = ? AND status = 'draft'", (person_id,)
        )
        return cursor.rowcount > 0


async def open_in_field(
    db: Database, action_field: str, *, limit: int, offset: int = 0
) -> list[Problem]:
    """Published reports of a field, most shared first."""
    rows = await db.fetchall(
        _SELECT + " WHERE pr.action_field = ? AND pr.status = 'open' "
        "ORDER BY votes DESC, pr.id DESC LIMIT ? OFFSET ?",
        (action_field, limit, offset),
    )
    return [_problem(row) for row in rows]


async def count_open_in_field(db: Database, action_field: str) -> int:
    """How many published reports a field has."""
    row = await db.fetchone(
        "SELECT count(*) AS n FROM problems WHERE action_field = ? AND status = 'open'",
        (action_field,),
    )
    return int(row["n"]) if row else 0


async def voted(db: Database, problem_id: int, person_id: int) -> bool:
    """Whether this person already said "affects us too"."""
    row = await db.fetchone(
        "SELECT 1 FROM problem_votes WHERE problem_id = ? AND person_id = ?",
        (problem_id, person_id),
    )
    return row is not None


async def add_vote(db: Database, problem_id: int, person_id: int) -> bool:
    """Record "affects us too"; False if the person had already said so."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "INSERT OR IGNORE INTO problem_votes (problem_id, person_id, created_at) "
            "VALUES (?, ?, ?)",
            (problem_id, person_id, now_iso()),
        )
        return cursor.rowcount > 0
