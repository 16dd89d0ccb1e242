"""Progress after adoption: each planned measure against its time corridor.

The corridor of a measure runs from the first to the last milestone date of the published plan.
Its status is *done* when every milestone is marked reached, *late* when a milestone's date has
passed (before today) without it being reached, otherwise *on time*. Indicators show their
latest recorded value against the plan's target; notes are listed with their day.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.consultation.model import Consultation
from bot.plan import Indicator, Milestone, NoPlan, PlanContext, build_plan
from storage import plan as plans
from storage import progress as store
from storage.db import Database

DONE = "done"
LATE = "late"
ON_TIME = "on_time"
NOTE_LIMIT = 500
VALUE_LIMIT = 1e12
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


class BadValue(ValueError):
    """A typed indicator value that is not a number."""


def parse_value(typed: str) -> float:
    """'1234,5' or '1234.5' -> 1234.5; BadValue for anything else."""
    cleaned = typed.strip().replace(" ", "")
    if not _NUMBER.match(cleaned):
        raise BadValue(typed)
    value = float(cleaned.replace(",", "."))
    if abs(value) > VALUE_LIMIT:
        raise BadValue(typed)
    return value


def status(milestones: Sequence[tuple[Milestone, date | None]], today: date) -> str:
    """done, late or on_time for milestones and the day each was reached (None: not yet)."""
    if all(day is not None for _, day in milestones):
        return DONE
    if any(day is None and m.due < today for m, day in milestones):
        return LATE
    return ON_TIME


@dataclass(frozen=True)
class MilestoneState:
    """A milestone of the plan and when it was reached (None: not yet)."""

    title: str
    due: date
    reached: date | None

    @property
    def days_late(self) -> int:
        """Days it was reached after its date (0: on time or not reached yet)."""
        return max(0, (self.reached - self.due).days) if self.reached else 0

    def overdue(self, today: date) -> int:
        """Days its date has passed without it being reached (0: reached or not due yet)."""
        return 0 if self.reached else max(0, (today - self.due).days)

    def state(self, today: date) -> str:
        """reached, overdue or open: how the timeline marks it."""
        if self.reached:
            return "reached"
        return "overdue" if self.due < today else "open"


@dataclass(frozen=True)
class IndicatorState:
    """A control indicator: its target and the latest recorded value (None: none yet)."""

    name: str
    target: float
    unit: str
    value: float | None
    recorded: date | None

    @property
    def share(self) -> float | None:
        """The latest value as a share of the target, in per cent (None: no value or target 0)."""
        if self.value is None or not self.target:
            return None
        return round(100 * self.value / self.target, 1)


@dataclass(frozen=True)
class NoteLine:
    """A note staff recorded on a day."""

    day: date
    text: str


@dataclass(frozen=True)
class MeasureProgress:
    """One planned measure against its corridor."""

    measure_id: str
    title: str
    action_field: str
    responsible: str
    start: date
    end: date
    status: str
    milestones: tuple[MilestoneState, ...]
    indicators: tuple[IndicatorState, ...]
    notes: tuple[NoteLine, ...]


@dataclass(frozen=True)
class ProgressContext:
    """Everything the progress report shows (picklable: it renders in a worker process)."""

    lang: str
    title: str
    consultation_title: str
    town: str
    generated: date
    measures: tuple[MeasureProgress, ...]

    def counts(self) -> dict[str, int]:
        """How many measures have each status."""
        return {s: sum(m.status == s for m in self.measures) for s in (DONE, LATE, ON_TIME)}

    def measure(self, measure_id: str) -> MeasureProgress | None:
        """The measure with this id, or None."""
        return next((m for m in self.measures if m.measure_id == measure_id), None)


async def published_plan(db: Database, consultation: Consultation, today: date) -> PlanContext:
    """The latest published plan, validated again; NoPlan or bot.plan.PlanError."""
    stored = await plans.latest(db)
    if stored is None:
        raise NoPlan
    return await build_plan(db, consultation, stored.source, today, stored.file_name)


def _indicator(indicator: Indicator, latest: store.Entry | None, zone: ZoneInfo) -> IndicatorState:
    if latest is None:
        return IndicatorState(indicator.name, indicator.target, indicator.unit, None, None)
    return IndicatorState(
        indicator.name,
        indicator.target,
        indicator.unit,
        latest.value,
        latest.recorded_at.astimezone(zone).date(),
    )


async def build_progress(db: Database, plan: PlanContext, zone: ZoneInfo) -> ProgressContext:
    """The plan's measures with what was recorded for them, as of the plan's day."""
    today = plan.generated
    reached = await store.reached(db)
    values = await store.latest_values(db)
    notes = await store.notes(db)

    def local(moment: datetime) -> date:
        return moment.astimezone(zone).date()

    measures = []
    for m in plan.measures:
        days = [
            (x, local(at) if (at := reached.get((m.measure_id, x.title))) else None)
            for x in m.milestones
        ]
        indicators = tuple(
            _indicator(i, values.get((m.measure_id, i.name)), zone) for i in m.indicators
        )
        measures.append(
            MeasureProgress(
                m.measure_id,
                m.title,
                m.action_field,
                m.responsible,
                m.start,
                m.end,
                status(days, today),
                tuple(MilestoneState(x.title, x.due, day) for x, day in days),
                indicators,
                tuple(
                    NoteLine(local(n.recorded_at), n.note)
                    for n in notes
                    if n.measure_id == m.measure_id
                ),
            )
        )
    return ProgressContext(
        plan.lang, plan.title, plan.consultation_title, plan.town, today, tuple(measures)
    )
