"""Aggregates for the workshop briefing packs: counts, distributions, statistics, quotes.

Every figure a pack prints is computed here, in SQL. Answers hold JSON; ``json_each`` over a
scalar yields the scalar itself, so single choices, ratings, yes/no and multiple choices (JSON
arrays) are counted by the same query. Organisation names are selected only where the
organisation agreed to be named; Telegram ids never leave this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage.db import Database


@dataclass(frozen=True)
class GroupFigure:
    """A count within one stakeholder group."""

    group_id: str
    count: int


@dataclass(frozen=True)
class QuestionCount:
    """How many people answered (not skipped) one question."""

    question_id: str
    answered: int


@dataclass(frozen=True)
class OptionCount:
    """How many answers chose one option ('true'/'false' for yes/no, '1'..'5' for ratings)."""

    question_id: str
    option: str
    count: int


@dataclass(frozen=True)
class NumberSummary:
    """Count, mean, median, minimum, maximum and sum of a numeric question."""

    question_id: str
    count: int
    mean: float
    median: float
    minimum: float
    maximum: float
    total: float


@dataclass(frozen=True)
class TextAnswer:
    """One free-text answer with what may be said about its author."""

    question_id: str
    respondent: int  # a running number within the questionnaire, not an id
    group_id: str
    organisation: str | None  # only when the organisation agreed to be named
    text: str


@dataclass(frozen=True)
class ProblemEntry:
    """A published problem report with its "affects us too" votes."""

    id: int
    title: str
    description: str
    votes: int
    group_id: str
    organisation: str | None
    merged: int = 0  # reports staff merged into this one (their people count in votes)


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values) or "NULL"


async def invited_by_group(db: Database, group_ids: Sequence[str]) -> list[GroupFigure]:
    """Organisations invited by staff, per group, within the given groups."""
    rows = await db.fetchall(
        f"SELECT group_id, count(*) AS n FROM organisations "  # noqa: S608 - only placeholders
        f"WHERE invite_token IS NOT NULL AND group_id IN ({_marks(group_ids)}) "
        "GROUP BY group_id ORDER BY group_id",
        tuple(group_ids),
    )
    return [GroupFigure(row["group_id"], row["n"]) for row in rows]


async def respondents_by_group(db: Database, questionnaire_ids: Sequence[str]) -> list[GroupFigure]:
    """People with at least one given answer to any of the questionnaires, per group."""
    rows = await db.fetchall(
        f"""SELECT COALESCE(p.group_id, '') AS group_id, count(*) AS n
            FROM people p
            WHERE EXISTS (SELECT 1 FROM answers a WHERE a.person_id = p.id
                            AND a.value IS NOT NULL
                            AND a.questionnaire_id IN ({_marks(questionnaire_ids)}))
            GROUP BY p.group_id ORDER BY p.group_id""",  # noqa: S608
        tuple(questionnaire_ids),
    )
    return [GroupFigure(row["group_id"], row["n"]) for row in rows]


async def answered_per_question(db: Database, questionnaire_id: str) -> list[QuestionCount]:
    """Per question: how many given (not skipped) answers."""
    rows = await db.fetchall(
        "SELECT question_id, count(*) AS n FROM answers_counted "
        "WHERE questionnaire_id = ? GROUP BY question_id",
        (questionnaire_id,),
    )
    return [QuestionCount(row["question_id"], row["n"]) for row in rows]


async def option_counts(
    db: Database, questionnaire_id: str, question_ids: Sequence[str]
) -> list[OptionCount]:
    """Per question and option: how many answers chose it (multiple choices counted each)."""
    rows = await db.fetchall(
        f"""SELECT a.question_id,
                   CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'
                        ELSE CAST(j.value AS TEXT) END AS option,
                   count(*) AS n
            FROM answers_counted a, json_each(a.value) j
            WHERE a.questionnaire_id = ?
              AND a.question_id IN ({_marks(question_ids)})
            GROUP BY a.question_id, option""",  # noqa: S608
        (questionnaire_id, *question_ids),
    )
    return [OptionCount(row["question_id"], row["option"], row["n"]) for row in rows]


async def number_summaries(
    db: Database, questionnaire_id: str, question_ids: Sequence[str]
) -> list[NumberSummary]:
    """Per numeric question: count, mean, median (middle value or mean of the two), min, max."""
    rows = await db.fetchall(
        f"""WITH v AS (
                SELECT question_id, CAST(json_extract(value, '$') AS REAL) AS x,
                       row_number() OVER (PARTITION BY question_id
                                          ORDER BY CAST(json_extract(value, '$') AS REAL)) AS rn,
                       count(*) OVER (PARTITION BY question_id) AS n
                FROM answers_counted
                WHERE questionnaire_id = ?
                  AND question_id IN ({_marks(question_ids)})
            ),
            m AS (SELECT question_id, avg(x) AS median FROM v
                  WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY question_id)
            SELECT v.question_id, count(*) AS n, avg(v.x) AS mean, m.median,
                   min(v.x) AS lo, max(v.x) AS hi, sum(v.x) AS total
            FROM v JOIN m ON m.question_id = v.question_id
            GROUP BY v.question_id""",  # noqa: S608
        (questionnaire_id, *question_ids),
    )
    return [
        NumberSummary(
            row["question_id"],
            row["n"],
            row["mean"],
            row["median"],
            row["lo"],
            row["hi"],
            row["total"],
        )
        for row in rows
    ]


async def text_answers(
    db: Database, questionnaire_id: str, question_ids: Sequence[str]
) -> list[TextAnswer]:
    """Free-text answers by group, then respondent; organisation only if it may be named."""
    rows = await db.fetchall(
        f"""SELECT a.question_id, json_extract(a.value, '$') AS text,
                   COALESCE(p.group_id, '') AS group_id,
                   CASE WHEN o.may_be_named = 1 THEN o.name END AS organisation,
                   dense_rank() OVER (ORDER BY p.group_id, r.started_at, p.id) AS respondent
            FROM answers a
            JOIN people p ON p.id = a.person_id
            JOIN responses r ON r.person_id = a.person_id
                            AND r.questionnaire_id = a.questionnaire_id
            LEFT JOIN organisations o ON o.id = p.organisation_id
            WHERE a.questionnaire_id = ? AND a.value IS NOT NULL
              AND json_type(a.value) = 'text'
              AND a.question_id IN ({_marks(question_ids)})
            ORDER BY p.group_id, respondent, a.question_id""",  # noqa: S608
        (questionnaire_id, *question_ids),
    )
    found = [
        TextAnswer(
            row["question_id"],
            row["respondent"],
            row["group_id"],
            row["organisation"],
            row["text"],
        )
        for row in rows
    ]
    # Answers kept anonymised after an erasure (storage/erasure.py): no group, one each.
    kept = await db.fetchall(
        f"""SELECT question_id, json_extract(value, '$') AS text FROM kept_answers
            WHERE questionnaire_id = ? AND json_type(value) = 'text'
              AND question_id IN ({_marks(question_ids)})
            ORDER BY id""",  # noqa: S608
        (questionnaire_id, *question_ids),
    )
    last = max((t.respondent for t in found), default=0)
    found += [
        TextAnswer(row["question_id"], last + n, "", None, row["text"])
        for n, row in enumerate(kept, start=1)
    ]
    return found


async def problems_ranked(db: Database, action_field: str) -> list[ProblemEntry]:
    """Published reports of a field, most "affects us too" first."""
    rows = await db.fetchall(
        """SELECT pr.id, pr.title, pr.description,
                  (SELECT count(*) FROM problem_votes v WHERE v.problem_id = pr.id) AS votes,
                  COALESCE(p.group_id, '') AS group_id,
                  CASE WHEN o.may_be_named = 1 THEN o.name END AS organisation,
                  (SELECT count(*) FROM problems m WHERE m.merged_into = pr.id) AS merged
           FROM problems pr
           LEFT JOIN people p ON p.id = pr.person_id
           LEFT JOIN organisations o ON o.id = p.organisation_id
           WHERE pr.action_field = ? AND pr.status = 'open' AND pr.merged_into IS NULL
           ORDER BY votes DESC, pr.submitted_at, pr.id""",
        (action_field,),
    )
    return [
        ProblemEntry(
            row["id"],
            row["title"] or "",
            row["description"] or "",
            row["votes"],
            row["group_id"],
            row["organisation"],
            row["merged"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class ProblemPerson:
    """Someone on a shown report: its reporter, or one who said "affects us too"."""

    problem_id: int
    person: int  # the internal number, only to count people once across alike reports
    reporter: bool


async def problem_people(db: Database, action_field: str) -> list[ProblemPerson]:
    """The reporters and "affects us too" voters of a field's shown reports."""
    rows = await db.fetchall(
        """SELECT pr.id AS problem_id, pr.person_id, 1 AS reporter FROM problems pr
           WHERE pr.action_field = ? AND pr.status = 'open' AND pr.merged_into IS NULL
             AND pr.person_id IS NOT NULL
           UNION ALL
           SELECT v.problem_id, v.person_id, 0 AS reporter FROM problem_votes v
           JOIN problems pr ON pr.id = v.problem_id
           WHERE pr.action_field = ? AND pr.status = 'open' AND pr.merged_into IS NULL""",
        (action_field, action_field),
    )
    return [
        ProblemPerson(row["problem_id"], row["person_id"], bool(row["reporter"])) for row in rows
    ]
