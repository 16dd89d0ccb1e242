"""Draft versions, their measures, ratings, comments, the messages showing them, opt-ins."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import aiosqlite

from storage.db import Database
from storage.outbox import iso


@dataclass(frozen=True)
class Version:
    """One version of the draft."""

    id: int
    title: str
    review_until: datetime
    published_at: datetime | None
    measures: int


@dataclass(frozen=True)
class NewMeasure:
    """A measure to store with a new version."""

    measure_id: str
    action_field: str
    title: str
    description: str
    goal: str
    horizon: str
    responsible: str


@dataclass(frozen=True)
class MeasureRow:
    """A stored measure of one version, with the town's marks."""

    id: int
    version_id: int
    position: int
    measure_id: str
    action_field: str
    title: str
    description: str
    goal: str
    horizon: str
    responsible: str
    priority: bool
    adopted: bool


@dataclass(frozen=True)
class MeasureStats:
    """The ratings of one measure, summed in SQL: per dimension count and sum, overall."""

    counts: dict[str, int] = field(default_factory=dict)
    sums: dict[str, int] = field(default_factory=dict)
    squares: int = 0  # sum of the squared single scores (for the spread)
    high: int = 0  # single scores of 4 or 5
    raters: int = 0
    comments: int = 0


_VERSION = """
SELECT v.id, v.title, v.review_until, v.published_at,
       (SELECT count(*) FROM draft_measures m WHERE m.version_id = v.id) AS measures
FROM draft_versions v
"""


def _version(row: aiosqlite.Row) -> Version:
    return Version(
        id=row["id"],
        title=row["title"],
        review_until=datetime.fromisoformat(row["review_until"]),
        published_at=datetime.fromisoformat(row["published_at"]) if row["published_at"] else None,
        measures=row["measures"],
    )


def _measure(row: aiosqlite.Row) -> MeasureRow:
    return MeasureRow(
        id=row["id"],
        version_id=row["version_id"],
        position=row["position"],
        measure_id=row["measure_id"],
        action_field=row["action_field"],
        title=row["title"],
        description=row["description"],
        goal=row["goal"],
        horizon=row["horizon"],
        responsible=row["responsible"],
        priority=bool(row["priority"]),
        adopted=bool(row["adopted"]),
    )


async def create_version(
    db: Database,
    title: str,
    review_until: datetime,
    source: str,
    created_by: int | None,
    measures: list[NewMeasure],
    now: datetime,
) -> int:
    """Store an unpublished version with its measures; its id."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "INSERT INTO draft_versions (title, review_until, source, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (title, iso(review_until), source, created_by, iso(now)),
        )
        version_id = cursor.lastrowid
        assert version_id is not None
        await conn.executemany(
            "INSERT INTO draft_measures (version_id, position, measure_id, action_field, title,"
            " description, goal, horizon, responsible) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    version_id,
                    n,
                    m.measure_id,
                    m.action_field,
                    m.title,
                    m.description,
                    m.goal,
                    m.horizon,
                    m.responsible,
                )
                for n, m in enumerate(measures, start=1)
            ],
        )
    return int(version_id)


async def discard(db: Database, version_id: int) -> bool:
    """Delete a version staff did not publish after all."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "DELETE FROM draft_versions WHERE id = ? AND published_at IS NULL", (version_id,)
        )
        return cursor.rowcount == 1


# A published version that came after version ? was checked: created later, or published after
# it was created. Publishing ? then would put an older draft over a newer one.
_NEWER = (
    "SELECT n.id FROM draft_versions n WHERE n.published_at IS NOT NULL AND n.id != ?1"
    " AND (n.id > ?1 OR n.published_at > (SELECT created_at FROM draft_versions WHERE id = ?1))"
)
_PUBLISH = (
    "UPDATE draft_versions SET published_at = ?2 WHERE id = ?1 AND published_at IS NULL"  # noqa: S608 - fixed texts
    " AND NOT EXISTS (" + _NEWER + ")"
)
_SUPERSEDING = (
    _VERSION + " WHERE v.id IN (" + _NEWER + ") ORDER BY v.published_at DESC, v.id DESC LIMIT 1"
)


async def publish(db: Database, version_id: int, now: datetime) -> Version | None:
    """Mark a version published (once); None if unknown, published already, or superseded (a
    newer version was published since this one was checked)."""
    async with db.write() as conn:
        cursor = await conn.execute(_PUBLISH, (version_id, iso(now)))
        if cursor.rowcount != 1:
            return None
    return await version(db, version_id)


async def superseding(db: Database, version_id: int) -> Version | None:
    """The newest version published since this one was checked (it must not be published)."""
    row = await db.fetchone(_SUPERSEDING, (version_id,))
    return _version(row) if row else None


async def version(db: Database, version_id: int) -> Version | None:
    """A version by id."""
    row = await db.fetchone(_VERSION + " WHERE v.id = ?", (version_id,))
    return _version(row) if row else None


async def current(db: Database) -> Version | None:
    """The latest published version: the one under review."""
    row = await db.fetchone(
        _VERSION + " WHERE v.published_at IS NOT NULL ORDER BY v.published_at DESC, v.id DESC"
        " LIMIT 1"
    )
    return _version(row) if row else None


async def current_source(db: Database) -> tuple[int, str] | None:
    """The version under review and its file as it was published, or None."""
    row = await db.fetchone(
        "SELECT id, source FROM draft_versions WHERE published_at IS NOT NULL"
        " ORDER BY published_at DESC, id DESC LIMIT 1"
    )
    return (int(row["id"]), row["source"]) if row else None


async def measures(db: Database, version_id: int) -> list[MeasureRow]:
    """A version's measures in file order."""
    rows = await db.fetchall(
        "SELECT * FROM draft_measures WHERE version_id = ? ORDER BY position", (version_id,)
    )
    return [_measure(row) for row in rows]


async def measure(db: Database, measure: int) -> MeasureRow | None:
    """A stored measure by its row id (buttons carry it)."""
    row = await db.fetchone("SELECT * FROM draft_measures WHERE id = ?", (measure,))
    return _measure(row) if row else None


async def rate(
    db: Database, measure: int, person_id: int, dimension: str, score: int, now: datetime
) -> None:
    """Set (or change) one person's score for one dimension of one measure."""
    async with db.write() as conn:
        await conn.execute(
            "INSERT INTO draft_ratings (measure, person_id, dimension, score, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (measure, person_id, dimension)"
            " DO UPDATE SET score = excluded.score, updated_at = excluded.updated_at",
            (measure, person_id, dimension, score, iso(now)),
        )


async def scores(db: Database, measure: int, person_id: int) -> dict[str, int]:
    """One person's scores for one measure, by dimension."""
    rows = await db.fetchall(
        "SELECT dimension, score FROM draft_ratings WHERE measure = ? AND person_id = ?",
        (measure, person_id),
    )
    return {row["dimension"]: int(row["score"]) for row in rows}


async def comment(db: Database, measure: int, person_id: int, text: str, now: datetime) -> int:
    """Store a comment on a measure; its id."""
    async with db.write() as conn:
        cursor = await conn.execute(
            "INSERT INTO draft_comments (measure, person_id, text, created_at) VALUES (?, ?, ?, ?)",
            (measure, person_id, text, iso(now)),
        )
        return int(cursor.lastrowid or 0)


async def comments(db: Database, measure: int) -> list[str]:
    """The comments on a measure, oldest first."""
    rows = await db.fetchall(
        "SELECT text FROM draft_comments WHERE measure = ? ORDER BY id", (measure,)
    )
    return [row["text"] for row in rows]


async def remember_message(db: Database, chat_id: int, message_id: int, measure: int) -> None:
    """A bot message shows this measure: a reply to it comments on it."""
    async with db.write() as conn:
        await conn.execute(
            "INSERT OR REPLACE INTO draft_messages (chat_id, message_id, measure) VALUES (?, ?, ?)",
            (chat_id, message_id, measure),
        )


async def measure_of_message(db: Database, chat_id: int, message_id: int) -> int | None:
    """The measure a bot message shows, or None."""
    row = await db.fetchone(
        "SELECT measure FROM draft_messages WHERE chat_id = ? AND message_id = ?",
        (chat_id, message_id),
    )
    return int(row["measure"]) if row else None


async def opt_in(db: Database, person_id: int, now: datetime) -> None:
    """The person asked for the draft (/entwurf): they get every new version."""
    async with db.write() as conn:
        await conn.execute(
            "INSERT OR IGNORE INTO draft_optins (person_id, created_at) VALUES (?, ?)",
            (person_id, iso(now)),
        )


async def optins(db: Database) -> set[int]:
    """The person ids who asked for the draft."""
    return {int(row[0]) for row in await db.fetchall("SELECT person_id FROM draft_optins")}


async def stats(db: Database, version_id: int) -> dict[int, MeasureStats]:
    """The ratings of a version's measures, summed per measure and dimension."""
    rows = await db.fetchall(
        "SELECT r.measure, r.dimension, count(*) AS n, sum(r.score) AS total,"
        " sum(r.score * r.score) AS squares, sum(r.score >= 4) AS high"
        " FROM draft_ratings r JOIN draft_measures m ON m.id = r.measure"
        " WHERE m.version_id = ? GROUP BY r.measure, r.dimension",
        (version_id,),
    )
    heads = await db.fetchall(
        "SELECT m.id,"
        " (SELECT count(DISTINCT person_id) FROM draft_ratings r WHERE r.measure = m.id) AS raters,"
        " (SELECT count(*) FROM draft_comments c WHERE c.measure = m.id) AS comments"
        " FROM draft_measures m WHERE m.version_id = ?",
        (version_id,),
    )
    found = {
        int(row["id"]): MeasureStats(raters=int(row["raters"]), comments=int(row["comments"]))
        for row in heads
    }
    for row in rows:
        s = found[int(row["measure"])]
        s.counts[row["dimension"]] = int(row["n"])
        s.sums[row["dimension"]] = int(row["total"])
        found[int(row["measure"])] = MeasureStats(
            s.counts,
            s.sums,
            s.squares + int(row["squares"]),
            s.high + int(row["high"]),
            s.raters,
            s.comments,
        )
    return found


async def mark(db: Database, measure: int, what: str, value: bool) -> bool:
    """Set a measure's mark: 'priority' (next budget year) or 'adopted' (into the plan)."""
    column = {"priority": "priority", "adopted": "adopted"}[what]
    async with db.write() as conn:
        cursor = await conn.execute(
            f"UPDATE draft_measures SET {column} = ? WHERE id = ?",  # noqa: S608 - a fixed name
            (int(value), measure),
        )
        return cursor.rowcount == 1


@dataclass(frozen=True)
class CommentRecord:
    """A comment with who wrote it: the organisation only where it agreed to be named."""

    measure: int  # the measure's row id
    person: int
    group_id: str
    organisation: str | None
    text: str
    created_at: str


async def published(db: Database) -> list[Version]:
    """Every published version, oldest first."""
    rows = await db.fetchall(_VERSION + " WHERE v.published_at IS NOT NULL ORDER BY v.id")
    return [_version(row) for row in rows]


async def comment_records(db: Database, version_id: int) -> list[CommentRecord]:
    """A version's comments in measure order, oldest first within a measure."""
    rows = await db.fetchall(
        "SELECT c.measure, c.person_id, COALESCE(p.group_id, '') AS group_id,"
        " CASE WHEN o.may_be_named = 1 THEN o.name END AS organisation, c.text, c.created_at"
        " FROM draft_comments c JOIN draft_measures m ON m.id = c.measure"
        " JOIN people p ON p.id = c.person_id"
        " LEFT JOIN organisations o ON o.id = p.organisation_id"
        " WHERE m.version_id = ? ORDER BY m.position, c.id",
        (version_id,),
    )
    return [
        CommentRecord(
            int(row["measure"]),
            int(row["person_id"]),
            row["group_id"],
            row["organisation"],
            row["text"],
            row["created_at"],
        )
        for row in rows
    ]
