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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.consultation import Consultation
from bot.yaml_places import FileProblems, Loc, read_yaml, shown, unknown
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

    @property
    def key(self) -> str:
        """The base of the file names."""
        return "zeit-massnahmen-plan"


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
    problems: list[tuple[Loc, str]] = [
        ((str(key),), "unknown key (allowed: title, measures)")
        for key in data
        if key not in ("title", "measures")
    ]
    title = _text(data.get("title"), ("title",), problems)
    raw = data.get("measures")
    found: list[PlannedMeasure] = []
    if not isinstance(raw, dict) or not raw:
        problems.append((("measures",), "expected a mapping of adopted measure ids"))
        raw = {}
    elif not any(m.adopted for m in measures.values()):
        problems.append((("measures",), "no measure is adopted yet (mark them in /prioritaeten)"))
    for key, item in raw.items():
        loc: Loc = ("measures", str(key))
        row = measures.get(str(key))
        if row is None or not row.adopted:
            problems.append((loc, _not_adopted(str(key), measures)))
            row = None
        planned = _measure(item, loc, problems)
        if row is not None and planned is not None:
            field = consultation.action_field(row.action_field)
            found.append(
                PlannedMeasure(
                    row.measure_id, row.title, field.title.get(lang) if field else row.action_field,
                    *planned,
                )
            )  # fmt: skip
    if problems:
        raise PlanError.at_places(problems, source)
    return title, tuple(sorted(found, key=lambda m: (m.start, m.end, m.measure_id)))


def _not_adopted(key: str, measures: Mapping[str, drafts.MeasureRow]) -> str:
    adopted = sorted(m for m, row in measures.items() if row.adopted)
    if key in measures:
        return f"measure {key!r} is not adopted (adopted: {', '.join(adopted) or 'none'})"
    return unknown("measure", key, adopted)


def _text(value: object, loc: Loc, problems: list[tuple[Loc, str]]) -> str:
    if value is None:
        problems.append((loc, "missing (required)"))
        return ""
    plain = isinstance(value, str | int | float) and not isinstance(value, bool)
    if not plain or not str(value).strip():
        problems.append((loc, f"expected a text, got {shown(value)}"))
        return ""
    text = str(value).strip()
    if len(text) > TEXT_LIMIT:
        problems.append((loc, f"at most {TEXT_LIMIT} characters (has {len(text)})"))
    return text


def _list(
    item: Mapping[Any, Any], key: str, loc: Loc, problems: list[tuple[Loc, str]]
) -> list[Any]:
    value = item.get(key)
    if not isinstance(value, list) or not value:
        problems.append(((*loc, key), "expected a list (lines starting with '- '), at least one"))
        return []
    if len(value) > MAX_ITEMS:
        problems.append(((*loc, key), f"at most {MAX_ITEMS} entries (has {len(value)})"))
    return value


def _measure(
    item: object, loc: Loc, problems: list[tuple[Loc, str]]
) -> tuple[str, tuple[str, ...], tuple[Milestone, ...], tuple[Indicator, ...]] | None:
    if not isinstance(item, dict):
        problems.append((loc, "expected a mapping (responsible: ..., milestones: ...)"))
        return None
    keys = ("responsible", "work_packages", "milestones", "indicators")
    problems += [
        ((*loc, str(key)), f"unknown key (allowed: {', '.join(keys)})")
        for key in item
        if key not in keys
    ]
    responsible = _text(item.get("responsible"), (*loc, "responsible"), problems)
    packages = tuple(
        _text(p, (*loc, "work_packages", n), problems)
        for n, p in enumerate(_list(item, "work_packages", loc, problems))
    )
    milestones = [
        m
        for n, raw in enumerate(_list(item, "milestones", loc, problems))
        if (m := _milestone(raw, (*loc, "milestones", n), problems)) is not None
    ]
    indicators = [
        i
        for n, raw in enumerate(_list(item, "indicators", loc, problems))
        if (i := _indicator(raw, (*loc, "indicators", n), problems)) is not None
    ]
    milestones.sort(key=lambda m: m.due)
    return responsible, packages, tuple(milestones), tuple(indicators)


def _fields(raw: object, loc: Loc, keys: Sequence[str], problems: list[tuple[Loc, str]]) -> bool:
    if not isinstance(raw, dict):
        problems.append((loc, f"expected a mapping with {', '.join(keys)}"))
        return False
    problems += [
        ((*loc, str(key)), f"unknown key (allowed: {', '.join(keys)})")
        for key in raw
        if key not in keys
    ]
    return True


def _milestone(raw: object, loc: Loc, problems: list[tuple[Loc, str]]) -> Milestone | None:
    if not _fields(raw, loc, ("title", "date"), problems):
        return None
    assert isinstance(raw, dict)
    title = _text(raw.get("title"), (*loc, "title"), problems)
    due = raw.get("date")
    if not isinstance(due, date):
        problems.append(((*loc, "date"), f"expected a date like 2027-06-30, got {shown(due)}"))
        return None
    return Milestone(title, due)


def _indicator(raw: object, loc: Loc, problems: list[tuple[Loc, str]]) -> Indicator | None:
    if not _fields(raw, loc, ("name", "target", "unit"), problems):
        return None
    assert isinstance(raw, dict)
    name = _text(raw.get("name"), (*loc, "name"), problems)
    unit = _text(raw.get("unit"), (*loc, "unit"), problems)
    target = raw.get("target")
    if not isinstance(target, int | float) or isinstance(target, bool):
        problems.append(((*loc, "target"), f"expected a number like 40, got {shown(target)}"))
        return None
    return Indicator(name, float(target), unit)


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
