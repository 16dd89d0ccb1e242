"""Exports: every answer, problem report, training figure and participant, as XLSX or CSV.

``build_export`` reads the rows (``storage.exports``) and turns them into an ``Export``: a frozen
context of tables with stable English field names and codes, documented in ``docs/exports.md``.
``write_csv`` writes it as one CSV per table for German Excel (UTF-8 with BOM, ``;``) and for
scripts; ``bot.documents.xlsx`` as one workbook for a clerk, with German headers and values.

Privacy: people appear as a pseudonym (``P0007``, from the internal number, never the Telegram
id); an organisation is named only where it agreed, otherwise its group's anonymous label stands
in its place, as in the briefing packs. No usernames or Telegram ids exist in the rows at all.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import cast

from bot import training
from bot.consultation.catalogue import Catalogue, load_catalogue
from bot.consultation.model import Consultation, Question, Questionnaire
from bot.draft_summary import build_review
from bot.questions import guess
from storage import draft as drafts
from storage import exports as store
from storage.db import Database
from storage.files import open_private, private_dir

LANG = "de"  # exports are for the town's staff: titles and answer texts in German
YES, NO = "Ja", "Nein"
LIST_SEPARATOR = "; "
SIDES = {"training_demand": "demand", "training_supply": "supply"}
# Excel reads a CSV cell starting with one of these as a formula; such text gets a leading '.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters that XLSX cannot hold (tab, newline and carriage return stay).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Cell = str | int | float | datetime | None

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
MEAN_DIGITS = 2


@dataclass(frozen=True)
class Table:
    """One sheet of the workbook, and one CSV file (unless csv_name is empty)."""

    sheet: str
    csv_name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Export:
    """Everything an export holds: the Info sheet first, then the five data tables."""

    title: str
    exported_at: datetime  # local time of the consultation, without tzinfo (as Excel keeps it)
    tables: tuple[Table, ...]

    def table(self, sheet: str) -> Table:
        """The table shown on the named sheet."""
        return next(t for t in self.tables if t.sheet == sheet)

    @property
    def csv_tables(self) -> tuple[Table, ...]:
        """The tables that are written as CSV files."""
        return tuple(t for t in self.tables if t.csv_name)


class _Who:
    """Group titles, and what an export may call a person's organisation."""

    def __init__(self, consultation: Consultation) -> None:
        self.titles = {g.id: g.title.get(LANG) for g in consultation.groups}
        self.anonymous = {g.id: g.anonymous.get(LANG) for g in consultation.groups}
        self.fields = {f.id: f.title.get(LANG) for f in consultation.action_fields}

    def group(self, group_id: str) -> str:
        return self.titles.get(group_id, group_id)

    def organisation(self, group_id: str, organisation: str | None) -> str:
        """The name where the organisation may be named; otherwise its group's anonymous label."""
        if organisation:
            return _clean(organisation)
        return self.anonymous.get(group_id) or self.group(group_id)

    def field(self, field_id: str | None) -> str:
        return self.fields.get(field_id, field_id) if field_id else ""


def pseudonym(person: int) -> str:
    """A stable pseudonym for a person: their internal number, never the Telegram id."""
    return f"P{person:04d}"


def organisation_pseudonym(organisation: int) -> str:
    """A stable pseudonym for an organisation (the /ausbildung figures are per organisation)."""
    return f"O{organisation:04d}"


def _clean(text: str) -> str:
    return _ILLEGAL.sub("", text)


def _yes_no(flag: bool) -> str:
    return YES if flag else NO


def local_time(stamp: str | None, zone: tzinfo) -> datetime | None:
    """A stored UTC timestamp as local wall-clock time without tzinfo (Excel has no zones)."""
    if not stamp:
        return None
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).replace(tzinfo=None)


def answer_cells(question: Question | None, stored: str | None) -> tuple[Cell, Cell]:
    """(answer_value, answer_text) of a stored JSON answer; (None, None) when skipped."""
    if stored is None:
        return None, None
    value = json.loads(stored)
    kind = question.kind if question else guess(value)
    cells = kind.export_cells(question, value, LANG, _yes_no)
    return cast(tuple[Cell, Cell], tuple(_clean(c) if isinstance(c, str) else c for c in cells))


async def build_export(
    db: Database, consultation: Consultation, now: datetime, zone: tzinfo
) -> Export:
    """Read every table from the database into an export context."""
    who = _Who(consultation)
    answers = _answer_rows(await store.answers(db), consultation, who, zone)
    problems = _problem_rows(await store.problems(db), who, zone)
    catalogue = load_catalogue()
    training = await _training_rows(db, consultation, who, catalogue)
    fields = await _training_field_rows(db, consultation, catalogue)
    participants = _participant_rows(await store.participants(db), who, zone)
    measures, comments = await _draft_rows(db, who, zone)
    exported_at = now.astimezone(zone).replace(tzinfo=None, microsecond=0)
    skipped = ANSWER_COLUMNS.index("skipped")
    info: tuple[tuple[Cell, ...], ...] = (
        ("consultation", consultation.title.get(LANG)),
        ("exported_at", exported_at),
        ("timezone", getattr(zone, "key", str(zone))),
        ("participants", len(participants)),
        ("answers", len(answers)),
        ("answers_skipped", sum(1 for row in answers if row[skipped] == YES)),
        ("problems", len(problems)),
        ("training_rows", len(training)),
        ("draft_measures", len(measures)),
        ("draft_comments", len(comments)),
    )
    return Export(
        consultation.title.get(LANG),
        exported_at,
        (
            Table("Info", "", INFO_COLUMNS, info),
            Table("Antworten", "answers.csv", ANSWER_COLUMNS, answers),
            Table("Probleme", "problems.csv", PROBLEM_COLUMNS, problems),
            Table("Ausbildung", "training.csv", TRAINING_COLUMNS, training),
            Table("Ausbildung je Feld", "training_fields.csv", TRAINING_FIELD_COLUMNS, fields),
            Table("Teilnehmende", "participants.csv", PARTICIPANT_COLUMNS, participants),
            Table("Entwurf", "draft.csv", DRAFT_COLUMNS, measures),
            Table("Kommentare", "draft_comments.csv", COMMENT_COLUMNS, comments),
        ),
    )


def _answer_rows(
    records: Sequence[store.AnswerRecord], consultation: Consultation, who: _Who, zone: tzinfo
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
                _yes_no(r.value is None),
                local_time(r.answered_at, zone),
            )
        )
    return tuple(rows)


def _problem_rows(
    records: Sequence[store.ProblemRecord], who: _Who, zone: tzinfo
) -> tuple[tuple[Cell, ...], ...]:
    return tuple(
        (
            r.id,
            who.field(r.action_field),
            _clean(r.title),
            _clean(r.description),
            _yes_no(r.has_photo),
            r.votes,
            who.group(r.group_id) if r.group_id else "",
            who.organisation(r.group_id, r.organisation) if r.group_id else "",
            local_time(r.submitted_at, zone),
            r.merged_into,
        )
        for r in records
    )


async def _training_rows(
    db: Database, consultation: Consultation, who: _Who, catalogue: Catalogue
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
                _yes_no(counted),
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
                _clean(occupation.title.get(LANG) if occupation else (f.occupation_text or "")),
                f.internships,
                _yes_no(flow_counts[id(f)]),
            )
        )
    # Demand (schools) before supply (firms), whatever the questionnaires' ids.
    return tuple(sorted(rows, key=lambda row: row[1] != "demand"))


async def _training_field_rows(
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


def _participant_rows(
    records: Sequence[store.ParticipantRecord], who: _Who, zone: tzinfo
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
            _yes_no(r.onboarded),
            r.started,
            r.completed,
        )
        for r in records
    )


def _mean(value: float | None) -> float | None:
    return round(value, MEAN_DIGITS) if value is not None else None


async def _draft_rows(
    db: Database, who: _Who, zone: tzinfo
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
                    _clean(m.title),
                    m.raters,
                    _mean(m.desirable),
                    _mean(m.necessary),
                    _mean(m.feasible),
                    _mean(m.score),
                    _yes_no(m.priority),
                    _yes_no(m.adopted),
                )
            )
            comments += [
                (
                    version.id,
                    m.measure_id,
                    pseudonym(c.person),
                    who.group(c.group_id) if c.group_id else "",
                    c.source if c.group_id else "",
                    _clean(c.text),
                    local_time(c.created_at, zone),
                )
                for c in m.comments
            ]
    return tuple(measures), tuple(comments)


# ------------------------------------------------------------------------------------ writing


def csv_text(value: Cell) -> str:
    """A cell as written to CSV: dates as ISO 8601 local time, formula-like text defused."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    return str(value)


def write_csv(export: Export, directory: Path) -> list[Path]:
    """One CSV per data table in directory: UTF-8 with BOM, ';'-separated, for German Excel."""
    private_dir(directory)
    written = []
    for table in export.csv_tables:
        path = directory / table.csv_name
        with open_private(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
            writer.writerow(table.columns)
            writer.writerows([csv_text(value) for value in row] for row in table.rows)
        written.append(path)
    return written


def export_file_name(export: Export) -> str:
    """agenda-<date>.xlsx, the date of the export in local time."""
    return f"agenda-{export.exported_at.date().isoformat()}.xlsx"
