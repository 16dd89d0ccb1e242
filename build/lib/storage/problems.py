"""Problem reports and the "affects us too" votes on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database, iso


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
    merged_into: int | None = None  # set when staff merged this report into another one

    @property
    def visible(self) -> bool:
        """Sent, and not merged into another report: shown to others and open to votes."""
        return self.status == "open" and self.merged_into is None


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
        merged_into=row["merged_into"],
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


async def start_draft(db: Database, person_id: int, action_field: str, *, now: datetime) -> Problem:
    """Begin a new report (an unfinished earlier draft is replaced)."""
    async with db.write() as conn:
        await conn.execute(
            "DELETE FROM problems WHERE person_id = ? AND status = 'draft'", (person_id,)
        )
        cursor = await conn.execute(
            "INSERT INTO problems (person_id, action_field, created_at) VALUES (?, ?, ?)",
            (person_id, action_field, iso(now)),
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


async def submit(db: Database, problem_id: int, *, now: datetime) -> None:
    """Publish a complete draft to others in its field."""
    async with db.write() as conn:
        await conn.execute(
            "UPDATE problems SET status = 'open', submitted_at = ? "
            "WHERE id = ? AND status = 'draft' AND title IS NOT NULL AND description IS NOT NULL",
            (iso(now), problem_id),
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
        _SELECT + " WHERE pr.action_field = ? AND pr.status = 'open' AND pr.merged_into IS NULL "
        "ORDER BY votes DESC, pr.id DESC LIMIT ? OFFSET ?",
        (action_field, limit, offset),
    )
    return [_problem(row) for row in rows]


async def count_open_in_field(db: Database, action_field: str) -> int:
    """How many published reports a field has."""
    row = await db.fetchone(
        "SELECT count(*) AS n FROM problems "
        "WHERE action_field = ? AND status = 'open' AND merged_into IS NULL",
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


async def add_vote(db: Database, problem_id: int, person_id: int, *, now: datetime) -> bool:
    """Record "affects us too"; False if the person had already said so."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "INSERT OR IGNORE INTO problem_votes (problem_id, person_id, created_at) "
            "VALUES (?, ?, ?)",
            (problem_id, person_id, iso(now)),
        )
        return cursor.rowcount > 0


async def visible_in_field(db: Database, action_field: str) -> list[Problem]:
    """Every shown report of a field, most shared first (to compare a new title with)."""
    rows = await db.fetchall(
        _SELECT + " WHERE pr.action_field = ? AND pr.status = 'open' AND pr.merged_into IS NULL "
        "ORDER BY votes DESC, pr.id",
        (action_field,),
    )
    return [_problem(row) for row in rows]


class MergeRefused(Exception):
    """Two reports that cannot be merged; ``reason`` names why (for the templates)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # 'same', 'missing', 'merged' or 'field'


@dataclass(frozen=True)
class Merged:
    """What a merge did: the kept report afterwards, and how many people it gained."""

    keep: Problem
    gone: Problem
    added: int  # people newly counted on the kept report (votes and the reporter moved)


async def merge(db: Database, keep_id: int, gone_id: int, *, now: datetime) -> Merged:
    """Merge report gone into keep: gone's votes and its reporter become votes on keep (nobody
    twice, a reporter never on their own report); gone stays, marked, out of every list.
    Checked and done in one transaction; MergeRefused says why two reports cannot be merged."""
    if keep_id == gone_id:
        raise MergeRefused("same")
    async with db.write() as conn:
        cursor = await conn.execute(
            "SELECT id, person_id, action_field, status, merged_into FROM problems "
            "WHERE id IN (?, ?)",
            (keep_id, gone_id),
        )
        found = {row["id"]: row for row in await cursor.fetchall()}
        keep, gone = found.get(keep_id), found.get(gone_id)
        if keep is None or gone is None or "draft" in (keep["status"], gone["status"]):
            raise MergeRefused("missing")
        if keep["merged_into"] is not None or gone["merged_into"] is not None:
            raise MergeRefused("merged")
        if keep["action_field"] != gone["action_field"]:
            raise MergeRefused("field")
        before = await _votes(conn, keep_id)
        await conn.execute(
            """INSERT OR IGNORE INTO problem_votes (problem_id, person_id, created_at)
               SELECT ?, v.person_id, v.created_at FROM problem_votes v
               WHERE v.problem_id = ? AND v.person_id IS NOT ?""",
            (keep_id, gone_id, keep["person_id"]),
        )
        if gone["person_id"] is not None and gone["person_id"] != keep["person_id"]:
            await conn.execute(
                "INSERT OR IGNORE INTO problem_votes (problem_id, person_id, created_at) "
                "VALUES (?, ?, ?)",
                (keep_id, gone["person_id"], iso(now)),
            )
        await conn.execute("DELETE FROM problem_votes WHERE problem_id = ?", (gone_id,))
        # Reports merged into gone earlier now point at keep: no chain to follow.
        await conn.execute(
            "UPDATE problems SET merged_into = ?, merged_at = ? WHERE id = ? OR merged_into = ?",
            (keep_id, iso(now), gone_id, gone_id),
        )
        added = await _votes(conn, keep_id) - before
    kept, merged = await get(db, keep_id), await get(db, gone_id)
    assert kept is not None and merged is not None
    return Merged(kept, merged, added)


async def _votes(conn: aiosqlite.Connection, problem_id: int) -> int:
    cursor = await conn.execute(
        "SELECT count(*) FROM problem_votes WHERE problem_id = ?", (problem_id,)
    )
    row = await cursor.fetchone()
    return int(row[0]) if row else 0
