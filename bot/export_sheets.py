"""Exports: the tables, their columns and one function a table that reads its rows.

Column names are stable English field names, documented in ``docs/exports.md`` (German headers
in ``bot.documents.xlsx``); the rows are made of cells by the rules of ``bot.export_cells``.
``bot.exports`` puts the tables together into one ``Export``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from bot import training
from bot.consultation.catalogue import Catalogue
from bot.consultation.model import Consultation
from bot.consultation.questionnaire import Question, Questionnaire
from bot.draft_summary import build_review
from bot.export_cells import (
    LANG,
    Cell,
    Who,
    answer_cells,
    clean,
    local_time,
    mean,
    organisation_pseudonym,
    pseudonym,
    yes_no,
)
from storage import draft as drafts
from storage import exports as store
from storage.db import Database

LIST_SEPARATOR = "; "
SIDES = {"training_demand": "demand", "training_supply": "supply"}

INFO_COLUMNS = ("item", "value")
ANSWER_COLUMNS = (
    "questionnaire_id",
    "questionnaire",
    "action_field",
    "question_id",
    "question",
    "question_type",
    "respondent",
    "group",
    "organisation",
    "answer_value",
    "answer_text",
    "skipped",
    "answered_at",
)
PROBLEM_COLUMNS = (
    "id",
    "action_field",
    "title",
    "description",
    "has_photo",
    "affects_too",
    "reporter_group",
    "reporter_organisation",
    "submitted_at",
    "merged_into",
)
TRAINING_COLUMNS = (
    "respondent",
    "side",
    "group",
    "organisation",
    "field_id",
    "field",
    "count",
    "source",
    "year",
    "occupation",
    "internships",
    "counted",
)
TRAINING_FIELD_COLUMNS = (
    "field_id",
    "field",
    "seeking",
    "places",
    "gap",
    "seeking_internship",
    "internships",
    "schools",
    "firms",
)
SOURCE_QUESTIONNAIRE, SOURCE_FLOW = "questionnaire", "ausbildung"
INTERNSHIPS_WITHOUT_FIELD = "Praktikum ohne Berufsfeld (Fragebogen)"
PARTICIPANT_COLUMNS = (
    "respondent",
    "group",
    "organisation",
    "action_fields",
    "language",
    "consent_version",
    "consented_at",
    "onboarded",
    "questionnaires_started",
    "questionnaires_completed",
)
DRAFT_COLUMNS = (
    "version",
    "measure_id",
    "action_field",
    "title",
    "raters",
    "mean_desirable",
    "mean_necessary",
    "mean_feasible",
    "score",
    "priority",
    "adopted",
)
COMMENT_COLUMNS = (
    "version",
    "measure_id",
    "respondent",
    "group",
    "organisation",
    "text",
    "commented_at",
)


def answer_rows(
    records: Sequence[store.AnswerRecord], consultation: Consultation, who: Who, zone: tzinfo
) -> tuple[tuple[Cell, ...], ...]:
    """One row per stored answer, in the order of the consultation file, then by respondent."""
    questionnaires = {q.id: q for q in consultation.questionnaires}
    qn_order = {q.id: n for n, q in enumerate(consultation.questionnaires)}

    def question_of(qn: Questionnaire | None, question_id: str) -> Question | None:
        return qn.question(question_id) if qn else None

    def key(r: store.AnswerRecord) -> tuple[int, str, int, int, str]:
        qn = questionnaires.get(r.questionnaire_id)
        q_order = [q.id for q in qn.questions] if qn else []
        position = q_order.index(r.question_id) if r.question_id in q_order else len(q_order)
        rank = qn_order.get(r.questionnaire_id, len(qn_order))
        return rank, r.questionnaire_id, r.person, position, r.question_id

    rows = []
    for r in sorted(records, key=key):
        qn = questionnaires.get(r.questionnaire_id)
        question = question_of(qn, r.question_id)
        value, text = answer_cells(question, r.value)
        rows.append(
            (
                r.questionnaire_id,
                qn.title.get(LANG) if qn else "",
                who.field(qn.action_field) if qn else "",
                r.question_id,
                question.text.get(LANG) if question else "",
                question.type if question else "",
                pseudonym(r.person),
                who.group(r.group_id),
                who.organisation(r.group_id, r.organisation),
                value,
                text,
                yes_no(r.value is None),
                local_time(r.answered_at, zone),
            )
        )
    return tuple(rows)


def problem_rows(
    records: Sequence[store.ProblemRecord], who: Who, zone: tzinfo
) -> tuple[tuple[Cell, ...], ...]:
    return tuple(
        (
            r.id,
            who.field(r.action_field),
            clean(r.title),
            clean(r.description),
            yes_no(r.has_photo),
            r.votes,
            who.group(r.group_id) if r.group_id else "",
            who.organisation(r.group_id, r.organisation) if r.group_id else "",
            local_time(r.submitted_at, zone),
            r.merged_into,
        )
        for r in records
    )


async def training_rows(
    db: Database, consultation: Consultation, who: Who, catalogue: Catalogue
) -> tuple[tuple[Cell, ...], ...]:
    """Every training figure: per respondent and field of the training questionnaires, and per
    organisation, year and field (and occupation) from /ausbildung. `counted` says whether the
    row is in the "Ausbildung je Feld" table: a questionnaire answer is not where the person's
    organisation used /ausbildung on that side (see bot.training.Matching)."""
    questionnaires = {q.id: q for q in consultation.questionnaires if q.kind in SIDES}
    records = await store.training(db, list(questionnaires), catalogue.question_ids)
    flow = await store.training_flow(db)
    # A school's figure always counts (0 is an answer); a firm's offer only with places.
    flow_counts = {id(r): r.side == "demand" or r.count + r.internships > 0 for r in flow}
    used_flow = {(r.side, r.organisation_id) for r in flow if flow_counts[id(r)]}
    order = {q: n for n, q in enumerate(catalogue.question_ids)}
    rows: list[tuple[Cell, ...]] = []
    for r in sorted(records, key=lambda r: (r.questionnaire_id, r.person, order[r.question_id])):
        qn = questionnaires[r.questionnaire_id]
        question = qn.question(r.question_id)
        counted = (SIDES[qn.kind], r.organisation_id) not in used_flow
        rows.append(
            (
                pseudonym(r.person),
                SIDES[qn.kind],
                who.group(r.group_id),
                who.organisation(r.group_id, r.organisation),
                r.question_id,
                question.text.get(LANG) if question else "",
                r.count,
                SOURCE_QUESTIONNAIRE,
                None,
                None,
                None,
                yes_no(counted),
            )
        )
    for f in flow:
        field = catalogue.field(f.field_id)
        occupation = field.occupation(f.occupation_id or "") if field else None
        rows.append(
            (
                organisation_pseudonym(f.organisation_id),
                f.side,
                who.group(f.group_id),
                who.organisation(f.group_id, f.organisation),
                f.field_id,
                field.title.get(LANG) if field else f.field_id,
                f.count,
                SOURCE_FLOW,
                f.year,
                clean(occupation.title.get(LANG) if occupation else (f.occupation_text or "")),
                f.internships,
                yes_no(flow_counts[id(f)]),
            )
        )
    # Demand (schools) before supply (firms), whatever the questionnaires' ids.
    return tuple(sorted(rows, key=lambda row: row[1] != "demand"))


async def training_field_rows(
    db: Database, consultation: Consultation, catalogue: Catalogue
) -> tuple[tuple[Cell, ...], ...]:
    """The supply-and-demand table by catalogue field, as /ausbildung and the packs show it."""
    found = await training.matching(db, catalogue, LANG, consultation)
    rows: list[tuple[Cell, ...]] = [
        (
            x.field_id,
            x.title,
            x.seeking,
            x.places,
            x.gap,
            x.seeking_internship,
            x.internships,
            x.schools,
            x.firms,
        )
        for x in found.lines
    ]
    if found.internships_seeking or found.internships_offered:
        rows.append(
            (
                catalogue.internships,
                INTERNSHIPS_WITHOUT_FIELD,
                None,
                None,
                None,
                found.internships_seeking,
                found.internships_offered,
                None,
                None,
            )
        )
    return tuple(rows)


def participant_rows(
    records: Sequence[store.ParticipantRecord], who: Who, zone: tzinfo
) -> tuple[tuple[Cell, ...], ...]:
    return tuple(
        (
            pseudonym(r.person),
            who.group(r.group_id) if r.group_id else "",
            who.organisation(r.group_id, r.organisation) if r.group_id else "",
            LIST_SEPARATOR.join(who.field(f) for f in r.action_fields),
            r.language,
            r.consent_version,
            local_time(r.consented_at, zone),
            yes_no(r.onboarded),
            r.started,
            r.completed,
        )
        for r in records
    )


async def draft_rows(
    db: Database, who: Who, zone: tzinfo
) -> tuple[tuple[tuple[Cell, ...], ...], tuple[tuple[Cell, ...], ...]]:
    """Every published version's measures (ranked per field) and comments (bot.draft_summary)."""
    measures: list[tuple[Cell, ...]] = []
    comments: list[tuple[Cell, ...]] = []
    for version in await drafts.published(db):
        review = await build_review(db, version, who.organisation)
        for m in review.measures:
            measures.append(
                (
                    version.id,
                    m.measure_id,
                    who.field(m.action_field),
                    clean(m.title),
                    m.raters,
                    mean(m.desirable),
                    mean(m.necessary),
                    mean(m.feasible),
                    mean(m.score),
                    yes_no(m.priority),
                    yes_no(m.adopted),
                )
            )
            comments += [
                (
                    version.id,
                    m.measure_id,
                    pseudonym(c.person),
                    who.group(c.group_id) if c.group_id else "",
                    c.source if c.group_id else "",
                    clean(c.text),
                    local_time(c.created_at, zone),
                )
                for c in m.comments
            ]
    return tuple(measures), tuple(comments)
