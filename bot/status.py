"""The /status report (chat and ``agenda-bot status``): invited, started and completed per
questionnaire and stakeholder group, and the organisations that have not answered yet."""

from __future__ import annotations

from dataclasses import dataclass

from bot.consultation.model import Consultation
from storage import stats
from storage.db import Database


@dataclass(frozen=True)
class GroupLine:
    """One stakeholder group's figures within a questionnaire."""

    title: str
    invited: int
    started: int
    completed: int


@dataclass(frozen=True)
class QuestionnaireStatus:
    """Figures of one questionnaire, by group."""

    title: str
    closes: str
    is_open: bool
    groups: list[GroupLine]
    started: int
    completed: int


@dataclass(frozen=True)
class StatusReport:
    """What /status shows."""

    questionnaires: list[QuestionnaireStatus]
    participants: int
    invited: int
    silent: list[stats.SilentOrganisation]
    group_titles: dict[str, str]


async def build_status(
    db: Database, consultation: Consultation, lang: str, today_iso: str
) -> StatusReport:
    """Assemble the status figures from the database (aggregated in SQL)."""
    progress = await stats.progress(db)
    invited = {row.group_id: row.count for row in await stats.invited_by_group(db)}
    participants = sum(row.count for row in await stats.people_by_group(db))
    by_key = {(row.questionnaire_id, row.group_id): row for row in progress}
    titles = {g.id: g.title.get(lang) for g in consultation.groups}
    report = []
    for qn in consultation.questionnaires:
        lines = []
        for group_id in qn.groups:
            row = by_key.get((qn.id, group_id))
            if row is None and not invited.get(group_id):
                continue  # nobody to report on in this group
            lines.append(
                GroupLine(
                    titles.get(group_id, group_id),
                    invited.get(group_id, 0),
                    row.started if row else 0,
                    row.completed if row else 0,
                )
            )
        report.append(
            QuestionnaireStatus(
                title=qn.title.get(lang),
                closes=qn.closes.isoformat(),
                is_open=qn.opens.isoformat() <= today_iso <= qn.closes.isoformat(),
                groups=lines,
                started=sum(g.started for g in lines),
                completed=sum(g.completed for g in lines),
            )
        )
    return StatusReport(
        report, participants, sum(invited.values()), await stats.silent_organisations(db), titles
    )
