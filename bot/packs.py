"""Workshop briefing packs: which workshop, which questionnaires, and the pack put together.

``build_pack`` picks the workshop's action field and its questionnaires, has
``bot.pack_sections`` build each section from the database, and returns the frozen
``bot.pack_context.PackContext`` the worker process renders (``bot.documents.pipeline``). No
user-facing text is made here: titles come from the consultation file, every other word from
``templates/packs/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot import pack_sections as sections
from bot.consultation.model import Consultation, Event
from bot.consultation.questionnaire import Questionnaire
from bot.draft_summary import latest_review
from bot.pack_context import GroupLine, PackContext, Suggestion
from storage import packs as store
from storage.db import Database

PACK_SECTIONS = ("status_quo", "best_practice", "goals")


# What fits a handout for a workshop of 15 people; everything is in the export (agenda-bot export).
# How many quotes a group shows: bot.pack_sections.QUOTES_PER_GROUP.
SUGGESTIONS_SHOWN = 20  # best-practice cards
PROBLEMS_IN_FULL = 15  # problem reports with their description, most shared first
PROBLEM_TITLES = 30  # further reports listed by title


class UnknownWorkshop(LookupError):
    """No workshop with this id; ``valid`` lists the ids there are."""

    def __init__(self, workshop_id: str, valid: Sequence[str]) -> None:
        super().__init__(workshop_id)
        self.workshop_id = workshop_id
        self.valid = tuple(valid)


def workshop_ids(consultation: Consultation) -> list[str]:
    """The ids /digest and the CLI accept."""
    return [event.id for event in consultation.workshops]


def find_workshop(consultation: Consultation, workshop_id: str) -> Event:
    """The workshop with this id, or UnknownWorkshop naming the valid ones."""
    event = consultation.event(workshop_id)
    if event is None or event.kind != "workshop":
        raise UnknownWorkshop(workshop_id, workshop_ids(consultation))
    return event


def field_questionnaires(consultation: Consultation, field: str | None) -> list[Questionnaire]:
    """The status quo, best practice and goals questionnaires of an action field."""
    qns = consultation.questionnaires
    return [q for q in qns if q.action_field == field and q.kind in PACK_SECTIONS]


async def build_pack(
    db: Database, consultation: Consultation, workshop_id: str, today: date, lang: str = "de"
) -> PackContext:
    """Gather one workshop's pack from the database; UnknownWorkshop for a wrong id."""
    event = find_workshop(consultation, workshop_id)
    field = consultation.action_field(event.action_field) if event.action_field else None
    labels = sections.Labels(consultation, lang)
    questionnaires = field_questionnaires(consultation, event.action_field)
    training = await sections.training_table(
        db, consultation, lang, field is not None and field.training
    )
    counted = [q.id for q in questionnaires]
    asked = sections.unique(g for q in questionnaires for g in q.groups)
    invited = {r.group_id: r.count for r in await store.invited_by_group(db, asked)}
    answered = {r.group_id: r.count for r in await store.respondents_by_group(db, counted)}
    group_order = asked + [g for g in answered if g not in asked]
    groups = tuple(
        GroupLine(labels.title(g), invited.get(g, 0), answered.get(g, 0))
        for g in group_order
        if invited.get(g) or answered.get(g)
    )
    results = {
        q.id: await sections.questionnaire_result(db, q, labels, lang) for q in questionnaires
    }
    by_kind = {
        kind: tuple(results[q.id] for q in questionnaires if q.kind == kind)
        for kind in PACK_SECTIONS
    }
    suggestions: list[Suggestion] = []
    for q in questionnaires:
        if q.kind == "best_practice":
            suggestions += await sections.suggestions(db, q, labels, lang)
    ranked = await sections.problem_lines(db, event.action_field or "", labels)
    # A handout for 15 people: the most shared reports in full, the next ones as a list.
    problems = tuple(ranked[:PROBLEMS_IN_FULL])
    problem_titles = tuple(ranked[PROBLEMS_IN_FULL : PROBLEMS_IN_FULL + PROBLEM_TITLES])
    listed = await sections.participants(db, event.id, labels)
    return PackContext(
        lang=lang,
        consultation_title=consultation.title.get(lang),
        town=consultation.town,
        workshop_id=event.id,
        title=event.title.get(lang),
        field_title=field.title.get(lang) if field else "",
        field_description=field.description.get(lang) if field and field.description else "",
        starts=event.starts,
        ends=event.ends,
        place=event.place,
        capacity=event.capacity,
        generated=today,
        period_start=min((q.opens for q in questionnaires), default=None),
        period_end=max((q.closes for q in questionnaires), default=None),
        asked_groups=tuple(labels.title(g) for g in asked),
        groups=groups,
        invited=sum(invited.values()),
        answered=sum(answered.values()),
        status_quo=by_kind["status_quo"],
        best_practice=by_kind["best_practice"],
        suggestions=tuple(suggestions[:SUGGESTIONS_SHOWN]),
        suggestions_more=max(0, len(suggestions) - SUGGESTIONS_SHOWN),
        goals=by_kind["goals"],
        problems=problems,
        problem_titles=problem_titles,
        problems_more=max(0, len(ranked) - len(problems) - len(problem_titles)),
        training=training,
        participants=tuple(p for p in listed if p.status != "waiting"),
        waiting=tuple(p for p in listed if p.status == "waiting"),
        draft=await latest_review(db, labels.source, event.action_field)
        if event.action_field
        else None,
    )
