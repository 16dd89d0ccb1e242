"""Figures for staff: who was invited, who started, who completed; aggregated in SQL."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database


@dataclass(frozen=True)
class ProgressRow:
    """Started and completed responses of one questionnaire within one stakeholder group."""

    questionnaire_id: str
    group_id: str
    started: int
    completed: int
    answers: int


@dataclass(frozen=True)
class GroupCount:
    """A count per stakeholder group."""

    group_id: str
    count: int


@dataclass(frozen=True)
class SilentOrganisation:
    """An invited organisation that has not completed any questionnaire."""

    name: str
    group_id: str
    joined: bool


@dataclass(frozen=True)
class FieldCount:
    """Problem reports and their "affects us too" votes in one action field."""

    action_field: str
    problems: int
    votes: int


async def progress(db: Database) -> list[ProgressRow]:
    """Per questionnaire and group: people who started, completed, and answers given."""
    rows = await db.fetchall(
        """SELECT r.questionnaire_id, COALESCE(p.group_id, '') AS group_id,
                  count(*) AS started, count(r.completed_at) AS completed,
                  COALESCE(sum((SELECT count(*) FROM answers a
                                 WHERE a.person_id = r.person_id
                                   AND a.questionnaire_id = r.questionnaire_id
                                   AND a.value IS NOT NULL)), 0) AS answers
           FROM responses r JOIN people p ON p.id = r.person_id
           GROUP BY r.questionnaire_id, p.group_id
           ORDER BY r.questionnaire_id, p.group_id"""
    )
    return [
        ProgressRow(
            row["questionnaire_id"],
            row["group_id"],
            row["started"],
            row["completed"],
            row["answers"],
        )
        for row in rows
    ]


async def invited_by_group(db: Database) -> list[GroupCount]:
    """Organisations invited by staff, per group."""
    rows = await db.fetchall(
        "SELECT group_id, count(*) AS n FROM organisations WHERE invite_token IS NOT NULL "
        "GROUP BY group_id ORDER BY group_id"
    )
    return [GroupCount(row["group_id"], row["n"]) for row in rows]


async def people_by_group(db: Database) -> list[GroupCount]:
    """People with a complete profile, per group."""
    rows = await db.fetchall(
        "SELECT group_id, count(*) AS n FROM people WHERE onboarded_at IS NOT NULL "
        "GROUP BY group_id ORDER BY group_id"
    )
    return [GroupCount(row["group_id"] or "", row["n"]) for row in rows]


async def silent_organisations(db: Database) -> list[SilentOrganisation]:
    """Invited organisations without a completed questionnaire, by group and name."""
    rows = await db.fetchall(
        """SELECT o.name, o.group_id,
                  EXISTS (SELECT 1 FROM people p WHERE p.organisation_id = o.id) AS joined
           FROM organisations o
           WHERE o.invite_token IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM people p JOIN responses r ON r.person_id = p.id
                             WHERE p.organisation_id = o.id AND r.completed_at IS NOT NULL)
           ORDER BY o.group_id, o.name"""
    )
    return [SilentOrganisation(row["name"], row["group_id"], bool(row["joined"])) for row in rows]


async def problems_by_field(db: Database) -> list[FieldCount]:
    """Published problem reports and their votes, per action field."""
    rows = await db.fetchall(
        """SELECT pr.action_field, count(*) AS problems,
                  COALESCE(sum((SELECT count(*) FROM problem_votes v
                                WHERE v.problem_id = pr.id)), 0) AS votes
           FROM problems pr WHERE pr.status = 'open' AND pr.merged_into IS NULL
           GROUP BY pr.action_field ORDER BY pr.action_field"""
    )
    return [FieldCount(row["action_field"], row["problems"], row["votes"]) for row in rows]


@dataclass(frozen=True)
class AnswerCount:
    """How many answers (skips not counted) one question has."""

    questionnaire_id: str
    question_id: str
    answers: int


async def answers_per_question(db: Database) -> list[AnswerCount]:
    """Every question with at least one answer, and how many."""
    rows = await db.fetchall(
        "SELECT questionnaire_id, question_id, count(*) AS n FROM answers"
        " WHERE value IS NOT NULL GROUP BY questionnaire_id, question_id"
        " ORDER BY questionnaire_id, question_id"
    )
    return [AnswerCount(r["questionnaire_id"], r["question_id"], int(r["n"])) for r in rows]
