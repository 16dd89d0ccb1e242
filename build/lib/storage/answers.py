"""Answers to questionnaires: written the moment they arrive; progress is derived from them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database, iso

AnswerValue = int | str | bool | list[str] | None


@dataclass(frozen=True)
class Answer:
    """One given answer; value None means the question was skipped."""

    question_id: str
    value: AnswerValue


@dataclass(frozen=True)
class Response:
    """A person's work on one questionnaire."""

    questionnaire_id: str
    started_at: str
    completed_at: str | None


async def answers_of(db: Database, person_id: int, questionnaire_id: str) -> dict[str, Answer]:
    """Every given answer of a person to a questionnaire, by question id."""
    rows = await db.fetchall(
        "SELECT question_id, value FROM answers WHERE person_id = ? AND questionnaire_id = ?",
        (person_id, questionnaire_id),
    )
    return {
        row["question_id"]: Answer(
            question_id=row["question_id"],
            value=None if row["value"] is None else json.loads(row["value"]),
        )
        for row in rows
    }


async def responses_of(db: Database, person_id: int) -> dict[str, Response]:
    """The questionnaires a person has started, by id."""
    rows = await db.fetchall(
        "SELECT questionnaire_id, started_at, completed_at FROM responses WHERE person_id = ?",
        (person_id,),
    )
    return {
        row["questionnaire_id"]: Response(
            row["questionnaire_id"], row["started_at"], row["completed_at"]
        )
        for row in rows
    }


async def _ensure_response(
    conn: aiosqlite.Connection, person_id: int, questionnaire_id: str, stamp: str
) -> None:
    await conn.execute(
        "INSERT OR IGNORE INTO responses (person_id, questionnaire_id, started_at) "
        "VALUES (?, ?, ?)",
        (person_id, questionnaire_id, stamp),
    )


async def start(db: Database, person_id: int, questionnaire_id: str, *, now: datetime) -> None:
    """Record that a person opened a questionnaire (once)."""
    async with db.write() as conn:
        await _ensure_response(conn, person_id, questionnaire_id, iso(now))


async def save(
    db: Database,
    person_id: int,
    questionnaire_id: str,
    question_id: str,
    value: AnswerValue,
    *,
    now: datetime,
) -> None:
    """Store (or replace) one answer at once; a pending selection for it is settled."""
    stamp = iso(now)
    async with db.write() as conn:
        await _ensure_response(conn, person_id, questionnaire_id, stamp)
        await conn.execute(
            """INSERT INTO answers (person_id, questionnaire_id, question_id, value, answered_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (person_id, questionnaire_id, question_id) DO UPDATE SET
                   value = excluded.value, answered_at = excluded.answered_at""",
            (
                person_id,
                questionnaire_id,
                question_id,
                None if value is None else json.dumps(value, ensure_ascii=False),
                stamp,
            ),
        )
        await conn.execute(
            "DELETE FROM selections WHERE person_id = ? AND questionnaire_id = ? "
            "AND question_id = ?",
            (person_id, questionnaire_id, question_id),
        )


async def forget(
    db: Database, person_id: int, questionnaire_id: str, question_ids: list[str]
) -> None:
    """Remove answers (and ticks in progress) to questions that no longer apply."""
    async with db.write() as conn:
        for table in ("answers", "selections"):
            await conn.executemany(
                f"DELETE FROM {table} WHERE person_id = ? AND questionnaire_id = ? "  # noqa: S608
                "AND question_id = ?",
                [(person_id, questionnaire_id, qid) for qid in question_ids],
            )


async def selection_of(
    db: Database, person_id: int, questionnaire_id: str, question_id: str
) -> list[str] | None:
    """The options ticked so far for a multiple-choice question, None when none is pending."""
    row = await db.fetchone(
        "SELECT value FROM selections WHERE person_id = ? AND questionnaire_id = ? "
        "AND question_id = ?",
        (person_id, questionnaire_id, question_id),
    )
    return None if row is None else list(json.loads(row["value"]))


async def save_selection(
    db: Database,
    person_id: int,
    questionnaire_id: str,
    question_id: str,
    selected: list[str],
    *,
    now: datetime,
) -> None:
    """Store the ticks of a multiple-choice question as they change."""
    stamp = iso(now)
    async with db.write() as conn:
        await _ensure_response(conn, person_id, questionnaire_id, stamp)
        await conn.execute(
            """INSERT INTO selections (person_id, questionnaire_id, question_id, value, updated_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (person_id, questionnaire_id, question_id) DO UPDATE SET
                   value = excluded.value, updated_at = excluded.updated_at""",
            (person_id, questionnaire_id, question_id, json.dumps(selected), stamp),
        )


async def set_completed(
    db: Database,
    person_id: int,
    questionnaire_id: str,
    completed: bool,
    *,
    now: datetime,
) -> None:
    """Mark a questionnaire complete (keeping the first completion time) or open again."""
    async with db.write() as conn:
        if completed:
            await conn.execute(
                "UPDATE responses SET completed_at = COALESCE(completed_at, ?) "
                "WHERE person_id = ? AND questionnaire_id = ?",
                (iso(now), person_id, questionnaire_id),
            )
        else:
            await conn.execute(
                "UPDATE responses SET completed_at = NULL "
                "WHERE person_id = ? AND questionnaire_id = ?",
                (person_id, questionnaire_id),
            )
