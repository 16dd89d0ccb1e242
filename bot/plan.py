"""The time-and-measures plan (Zeit-Maßnahmen-Plan): the plan file and what the plan shows.

A plan file (``docs/plan.md``, example ``consultations/plan-beispiel.yaml``) gives, per adopted
measure of the latest published draft, its work packages, milestones (title, date), control
indicators (name, target, unit) and the responsible body. ``parse_plan`` reports *every*
problem as ``"place: message"`` (like ``measures.h-fenster.milestones[1].date``); a measure id
that is unknown or not adopted is one of them. Staff publish a checked file with
``agenda-bot plan publish FILE``; it is stored in the database, and ``/plan`` and
``agenda-bot plan render`` render the latest one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError

from bot.consultation.model import Consultation
from bot.consultation.yaml_models import FileModel, no_number, problems_of
from bot.consultation.yaml_places import FileProblems, Problem, read_yaml, unknown
from storage import draft as drafts
from storage.db import Database

MAX_ITEMS = 30  # work packages, milestones or indicators per measure
TEXT_LIMIT = 200


class PlanError(FileProblems):
    """A plan file that cannot be used; ``errors`` holds every "place: message"."""

    what = "the plan"
    default_source = "<plan>"


class NoPlan(LookupError):
    """No plan has been published yet."""


@dataclass(frozen=True)
class Milestone:
    """A dated step of a measure."""

    title: str
    due: date


@dataclass(frozen=True)
class Indicator:
    """A control indicator with its target."""

    name: str
    target: float
    unit: str


@dataclass(frozen=True)
class PlannedMeasure:
    """One adopted measure in the plan, milestones in date order."""

    measure_id: str
    title: str
    action_field: str  # its title in the plan's language
    responsible: str
    work_packages: tuple[str, ...]
    milestones: tuple[Milestone, ...]
    indicators: tuple[Indicator, ...]

    @property
    def start(self) -> date:
        return self.milestones[0].due

    @property
    def end(self) -> date:
        return self.milestones[-1].due


@dataclass(frozen=True)
class PlanContext:
    """Everything the plan document shows (picklable: it renders in a worker process)."""

    lang: str
    title: str
    consultation_title: str
    town: str
    draft_version: int
    generated: date
    measures: tuple[PlannedMeasure, ...]


async def draft_measures(db: Database) -> tuple[int, dict[str, drafts.MeasureRow]]:
    """The latest published version and its measures by id (version 0: none yet)."""
    version = await drafts.current(db)
    if version is None:
        return 0, {}
    return version.id, {m.measure_id: m for m in await drafts.measures(db, version.id)}


def load_plan(
    text: str,
    measures: Mapping[str, drafts.MeasureRow],
    consultation: Consultation,
    source: str = "<plan>",
    lang: str = "de",
) -> tuple[str, tuple[PlannedMeasure, ...]]:
    """Read and validate a plan file's text: (title, measures); PlanError lists every problem."""
    data = read_yaml(text, source, PlanError)
    return parse_plan(data, measures, consultation, source, lang)


def parse_plan(
    data: object,
    measures: Mapping[str, drafts.MeasureRow],
    consultation: Consultation,
    source: str = "<plan>",
    lang: str = "de",
) -> tuple[str, tuple[PlannedMeasure, ...]]:
    """Validate parsed YAML against the draft's adopted measures; PlanError lists every problem."""
    if not isinstance(data, dict):
        raise PlanError(["expected a mapping with title and measures"], source)
    parsed: PlanFile | None = None
    problems: list[Problem] = []
    try:
        parsed = PlanFile.model_validate(data)
    except ValidationError as exc:
        problems = problems_of(exc, PlanFile)[0]
    problems += _adoption(data, measures)
    if problems or parsed is None:
        raise PlanError.at_places(problems, source)
    found = []
    for key, entry in parsed.measures.items():
        row = measures[key]
        field = consultation.action_field(row.action_field)
        found.append(
            PlannedMeasure(
                row.measure_id,
                row.title,
                field.title.get(lang) if field else row.action_field,
                entry.responsible,
                tuple(entry.work_packages),
                tuple(
                    sorted(
                        (Milestone(m.title, m.date) for m in entry.milestones), key=lambda m: m.due
                    )
                ),
                tuple(Indicator(i.name, i.target, i.unit) for i in entry.indicators),
            )
        )
    return parsed.title, tuple(sorted(found, key=lambda m: (m.start, m.end, m.measure_id)))


def _adoption(data: Mapping[Any, Any], measures: Mapping[str, drafts.MeasureRow]) -> list[Problem]:
    """Every measure of the plan must be adopted in the latest published draft."""
    raw = data.get("measures")
    if not isinstance(raw, dict) or not raw:
        return []
    problems: list[Problem] = []
    if not any(m.adopted for m in measures.values()):
        problems.append((("measures",), "no measure is adopted yet (mark them in /prioritaeten)"))
    for key in raw:
        row = measures.get(str(key))
        if row is None or not row.adopted:
            problems.append((("measures", str(key)), _not_adopted(str(key), measures)))
    return problems


def _not_adopted(key: str, measures: Mapping[str, drafts.MeasureRow]) -> str:
    adopted = sorted(m for m, row in measures.items() if row.adopted)
    if key in measures:
        return f"measure {key!r} is not adopted (adopted: {', '.join(adopted) or 'none'})"
    return unknown("measure", key, adopted)


def _as_text(value: object) -> object:
    """A number is a text too here (a unit like 2028, a target group like 50)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


PlanText = Annotated[str, BeforeValidator(_as_text), Field(min_length=1, max_length=TEXT_LIMIT)]
MeasureKey = Annotated[str, BeforeValidator(_as_text)]  # measure ids are checked by _adoption
Items = Field(min_length=1, max_length=MAX_ITEMS)  # work packages, milestones, indicators


class MilestoneEntry(FileModel):
    title: PlanText
    date: Annotated[date, BeforeValidator(no_number), Field(examples=["2027-06-30"])]


class IndicatorEntry(FileModel):
    name: PlanText
    target: Annotated[float, Field(examples=[40])]
    unit: PlanText


class MeasureEntry(FileModel):
    """One adopted measure's part of the plan."""

    responsible: PlanText
    work_packages: Annotated[list[PlanText], Items]
    milestones: Annotated[list[MilestoneEntry], Items]
    indicators: Annotated[list[IndicatorEntry], Items]


class PlanFile(FileModel):
    """A plan file: its title and, per adopted measure id, its part."""

    title: PlanText
    measures: Annotated[dict[MeasureKey, MeasureEntry], Field(min_length=1)]


async def build_plan(
    db: Database,
    consultation: Consultation,
    text: str,
    today: date,
    source: str = "<plan>",
    lang: str = "de",
) -> PlanContext:
    """Validate a plan's text against the adopted measures and gather what it shows."""
    version, found = await draft_measures(db)
    title, measures = load_plan(text, found, consultation, source, lang)
    return PlanContext(
        lang, title, consultation.title.get(lang), consultation.town, version, today, measures
    )
