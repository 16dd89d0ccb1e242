"""Row-level data for the exports: every answer, report, training figure and participant.

Nothing here leaves the database that an export must not show: people appear by their internal
number (``people.id``, never the Telegram id), and an organisation's name is selected only where
the organisation agreed to be named. Titles and texts come from the consultation file, in
``bot.exports``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage.db import Database


@dataclass(frozen=True)
class AnswerRecord:
    """One stored answer; value is the stored JSON, None when the question was skipped."""

    person: int
    group_id: str
    organisation: str | None  # only when the organisation agreed to be named
    questionnaire_id: str
    question_id: str
    value: str | None
    answered_at: str


@dataclass(frozen=True)
class ProblemRecord:
    """One submitted problem report with its "affects us too" votes."""

    id: int
    action_field: str
    title: str
    description: str
    has_photo: bool
    votes: int
    group_id: str  # empty when the reporter has been erased
    organisation: str | None
    submitted_at: str
    merged_into: int | None = None  # the report it was merged into by staff


@dataclass(frozen=True)
class TrainingRecord:
    """One person's number for one occupational field of a training questionnaire."""

    person: int
    group_id: str
    organisation: str | None
    questionnaire_id: str
    question_id: str
    count: int
    organisation_id: int | None = None


@dataclass(frozen=True)
class TrainingFlowRecord:
    """One organisation's figure from /ausbildung: a school's demand or a firm's offer."""

    organisation_id: int
    group_id: str
    organisation: str | None  # only where it may be named
    side: str  # 'demand' or 'supply'
    year: int  # the leaving year (demand) or the start year (supply)
    field_id: str  # as it counts (a mapped typed occupation under its catalogue field)
    occupation_id: str | None
    occupation_text: str | None
    count: int  # pupils seeking a training place, or places offered
    internships: int  # pupils seeking an internship, or internships offered
    updated_at: str


@dataclass(frozen=True)
class ParticipantRecord:
    """One person who consented, with their progress."""

    person: int
    group_id: str
    organisation: str | None
    action_fields: tuple[str, ...]
    language: str
    consent_version: str
    consented_at: str
    onboarded: bool
    started: int
    completed: int


_WHO = """COALESCE(p.group_id, '') AS group_id,
          CASE WHEN o.may_be_named = 1 THEN o.name END AS organisation"""


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values) or "NULL"


async def answers(db: Database) -> list[AnswerRecord]:
    """Every stored answer (skipped ones too); pending multiple-choice ticks are not answers."""
    rows = await db.fetchall(
        f"""SELECT a.person_id, {_WHO}, a.questionnaire_id, a.question_id, a.value,
                   a.answered_at
            FROM answers a
            JOIN people p ON p.id = a.person_id
            LEFT JOIN organisations o ON o.id = p.organisation_id
            ORDER BY a.questionnaire_id, a.person_id, a.question_id"""  # noqa: S608 - constant
    )
    return [
        AnswerRecord(
            row["person_id"],
            row["group_id"],
            row["organisation"],
            row["questionnaire_id"],
            row["question_id"],
            row["value"],
            row["answered_at"],
        )
        for row in rows
    ]


async def problems(db: Database) -> list[ProblemRecord]:
    """Submitted problem reports (drafts are not shown), oldest first."""
    rows = await db.fetchall(
        f"""SELECT pr.id, pr.action_field, pr.title, pr.description,
                   pr.photo_file_id IS NOT NULL AS has_photo,
                   (SELECT count(*) FROM problem_votes v WHERE v.problem_id = pr.id) AS votes,
                   {_WHO}, pr.submitted_at, pr.merged_into
            FROM problems pr
            LEFT JOIN people p ON p.id = pr.person_id
            LEFT JOIN organisations o ON o.id = p.organisation_id
            WHERE pr.status = 'open'
            ORDER BY pr.submitted_at, pr.id"""  # noqa: S608 - constant
    )
    return [
        ProblemRecord(
            row["id"],
            row["action_field"],
            row["title"] or "",
            row["description"] or "",
            bool(row["has_photo"]),
            row["votes"],
            row["group_id"],
            row["organisation"],
            row["submitted_at"],
            row["merged_into"],
        )
        for row in rows
    ]


async def training(
    db: Database, questionnaire_ids: Sequence[str], question_ids: Sequence[str]
) -> list[TrainingRecord]:
    """Given numeric answers to the training questionnaires' occupational-field questions."""
    rows = await db.fetchall(
        f"""SELECT a.person_id, {_WHO}, p.organisation_id, a.questionnaire_id, a.question_id,
                   CAST(json_extract(a.value, '$') AS INTEGER) AS n
            FROM answers a
            JOIN people p ON p.id = a.person_id
            LEFT JOIN organisations o ON o.id = p.organisation_id
            WHERE a.value IS NOT NULL AND json_type(a.value) IN ('integer', 'real')
              AND a.questionnaire_id IN ({_marks(questionnaire_ids)})
              AND a.question_id IN ({_marks(question_ids)})
            ORDER BY a.questionnaire_id, a.person_id""",  # noqa: S608 - only placeholders
        (*questionnaire_ids, *question_ids),
    )
    return [
        TrainingRecord(
            row["person_id"],
            row["group_id"],
            row["organisation"],
            row["questionnaire_id"],
            row["question_id"],
            row["n"],
            row["organisation_id"],
        )
        for row in rows
    ]


async def training_flow(db: Database) -> list[TrainingFlowRecord]:
    """Every figure given through /ausbildung, schools' demand first, then firms' offers."""
    rows = await db.fetchall(
        """SELECT o.id, o.group_id, CASE WHEN o.may_be_named = 1 THEN o.name END AS organisation,
                  'demand' AS side, d.school_year AS year, d.field_id, NULL AS occupation_id,
                  NULL AS occupation_text, d.seeking_training AS n,
                  d.seeking_internship AS internships, d.updated_at
           FROM training_demand d JOIN organisations o ON o.id = d.organisation_id
           UNION ALL
           SELECT o.id, o.group_id, CASE WHEN o.may_be_named = 1 THEN o.name END,
                  'supply', t.start_year, t.field_id, t.occupation_id, t.occupation_text,
                  t.places, t.internships, t.updated_at
           FROM training_offers_counted t JOIN organisations o ON o.id = t.organisation_id
           ORDER BY side, id, year, field_id"""
    )
    return [
        TrainingFlowRecord(
            row["id"],
            row["group_id"],
            row["organisation"],
            row["side"],
            row["year"],
            row["field_id"],
            row["occupation_id"],
            row["occupation_text"],
            row["n"],
            row["internships"],
            row["updated_at"],
        )
        for row in rows
    ]


async def participants(db: Database) -> list[ParticipantRecord]:
    """Everyone who consented, with fields of interest and questionnaires started/completed."""
    rows = await db.fetchall(
        f"""SELECT p.id, {_WHO}, p.language, p.consent_version, p.consented_at,
                   p.onboarded_at IS NOT NULL AS onboarded,
                   (SELECT group_concat(action_field, ',') FROM
                       (SELECT action_field FROM person_fields f WHERE f.person_id = p.id
                        ORDER BY action_field)) AS fields,
                   (SELECT count(*) FROM responses r WHERE r.person_id = p.id) AS started,
                   (SELECT count(*) FROM responses r WHERE r.person_id = p.id
                      AND r.completed_at IS NOT NULL) AS completed
            FROM people p
            LEFT JOIN organisations o ON o.id = p.organisation_id
            ORDER BY p.id"""  # noqa: S608 - constant
    )
    return [
        ParticipantRecord(
            row["id"],
            row["group_id"],
            row["organisation"],
            tuple(row["fields"].split(",")) if row["fields"] else (),
            row["language"],
            row["consent_version"],
            row["consented_at"],
            bool(row["onboarded"]),
            row["started"],
            row["completed"],
        )
        for row in rows
    ]
