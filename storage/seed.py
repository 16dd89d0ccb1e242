"""Bulk inserts for benchmarks: many people, answers and problems in a few transactions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.answers import AnswerValue
from storage.db import Database, iso


@dataclass(frozen=True)
class SeedPerson:
    """A consenting, onboarded person with an organisation."""

    telegram_id: int
    group_id: str
    organisation: str
    may_be_named: bool
    fields: tuple[str, ...]


@dataclass(frozen=True)
class SeedAnswer:
    """One answer of the person with this Telegram id."""

    telegram_id: int
    questionnaire_id: str
    question_id: str
    value: AnswerValue


@dataclass(frozen=True)
class SeedProblem:
    """A submitted problem report and who said "affects us too"."""

    telegram_id: int
    action_field: str
    title: str
    description: str
    voters: tuple[int, ...]


async def insert_people(
    db: Database, people: Sequence[SeedPerson], consent_version: str, *, now: datetime
) -> None:
    """People with their organisations and action fields, onboarded."""
    stamp = iso(now)
    async with db.write() as conn:
        for person in people:
            cursor = await conn.execute(
                "INSERT INTO organisations (name, group_id, may_be_named, created_at) "
                "VALUES (?, ?, ?, ?)",
                (person.organisation, person.group_id, int(person.may_be_named), stamp),
            )
            org_id = cursor.lastrowid
            cursor = await conn.execute(
                "INSERT INTO people (telegram_id, language, consent_version, consented_at, "
                "group_id, organisation_id, onboarded_at, created_at, updated_at) "
                "VALUES (?, 'de', ?, ?, ?, ?, ?, ?, ?)",
                (
                    person.telegram_id,
                    consent_version,
                    stamp,
                    person.group_id,
                    org_id,
                    stamp,
                    stamp,
                    stamp,
                ),
            )
            await conn.executemany(
                "INSERT INTO person_fields (person_id, action_field) VALUES (?, ?)",
                [(cursor.lastrowid, field) for field in person.fields],
            )


async def insert_answers(db: Database, answers: Sequence[SeedAnswer], *, now: datetime) -> None:
    """Answers (and the responses they belong to, marked complete)."""
    stamp = iso(now)
    async with db.write() as conn:
        ids = {
            row["telegram_id"]: row["id"]
            for row in await (await conn.execute("SELECT id, telegram_id FROM people")).fetchall()
        }
        await conn.executemany(
            "INSERT OR IGNORE INTO responses (person_id, questionnaire_id, started_at, "
            "completed_at) VALUES (?, ?, ?, ?)",
            {(ids[a.telegram_id], a.questionnaire_id, stamp, stamp) for a in answers},
        )
        await conn.executemany(
            "INSERT OR REPLACE INTO answers (person_id, questionnaire_id, question_id, value, "
            "answered_at) VALUES (?, ?, ?, ?, ?)",
            [
                (
                    ids[a.telegram_id],
                    a.questionnaire_id,
                    a.question_id,
                    None if a.value is None else json.dumps(a.value, ensure_ascii=False),
                    stamp,
                )
                for a in answers
            ],
        )


async def insert_problems(db: Database, problems: Sequence[SeedProblem], *, now: datetime) -> None:
    """Submitted problem reports with their votes."""
    stamp = iso(now)
    async with db.write() as conn:
        ids = {
            row["telegram_id"]: row["id"]
            for row in await (await conn.execute("SELECT id, telegram_id FROM people")).fetchall()
        }
        for problem in problems:
            cursor = await conn.execute(
                "INSERT INTO problems (person_id, action_field, title, description, status, "
                "created_at, submitted_at) VALUES (?, ?, ?, ?, 'open', ?, ?)",
                (
                    ids[problem.telegram_id],
                    problem.action_field,
                    problem.title,
                    problem.description,
                    stamp,
                    stamp,
                ),
            )
            await conn.executemany(
                "INSERT OR IGNORE INTO problem_votes (problem_id, person_id, created_at) "
                "VALUES (?, ?, ?)",
                [(cursor.lastrowid, ids[voter], stamp) for voter in problem.voters],
            )
