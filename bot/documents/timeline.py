"""Where things stand on a timeline (Gantt) drawn in HTML and CSS, not as a picture.

The plan and the progress report show each measure's corridor as a bar, its milestones as
marks and today as a line, all positioned in per cent of one shared scale. The names stay text
(never cut, readable on a phone, in the tagged PDF); the dates stand in a table as well.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Mark:
    """A milestone on the scale: its position (%), title, date and state."""

    at: float
    title: str
    due: date
    state: str  # open, reached or overdue


@dataclass(frozen=True)
class Row:
    """One measure on the scale: its bar (left and width in %) and milestone marks."""

    title: str
    status: str  # on_time, late or done (the plan: on_time)
    left: float
    width: float
    marks: tuple[Mark, ...]


@dataclass(frozen=True)
class Tick:
    """A label on the axis (a year or a quarter) at a position in %."""

    at: float
    label: str


@dataclass(frozen=True)
class Timeline:
    """Rows on one scale, the axis ticks and today (None when today lies outside the scale)."""

    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    today: float | None


@dataclass(frozen=True)
class Span:
    """What one row is made from: a title, its status, milestone (title, due, state) triples."""

    title: str
    status: str
    milestones: Sequence[tuple[str, date, str]]


def build(spans: Sequence[Span], today: date) -> Timeline | None:
    """The timeline of these spans from the first month to the last; None without any date."""
    days = [due for span in spans for _, due, _ in span.milestones]
    if not days:
        return None
    first = date(min(days).year, min(days).month, 1)
    last = max(days)
    end = date(last.year + (last.month == 12), last.month % 12 + 1, 1)  # the next month's first
    total = (end - first).days

    def at(day: date) -> float:
        return round(100 * (day - first).days / total, 2)

    rows = []
    for span in spans:
        dues = [due for _, due, _ in span.milestones]
        left = at(min(dues))
        rows.append(
            Row(
                span.title,
                span.status,
                left,
                max(at(max(dues)) - left, 0.8),
                tuple(Mark(at(due), title, due, state) for title, due, state in span.milestones),
            )
        )
    return Timeline(
        tuple(rows), _ticks(first, end, at), at(today) if first <= today <= end else None
    )


def _ticks(first: date, end: date, at: Callable[[date], float]) -> tuple[Tick, ...]:
    """Years where the scale spans more than about 15 months, else quarters (as 04/27)."""
    months = (end.year - first.year) * 12 + end.month - first.month
    step = 12 if months > 15 else 3
    ticks = []
    year, month = first.year, first.month
    while (year, month) < (end.year, end.month):
        if (month - 1) % step == 0:
            label = str(year) if step == 12 else f"{month:02d}/{year % 100:02d}"
            ticks.append(Tick(at(date(year, month, 1)), label))
        year, month = year + (month == 12), month % 12 + 1
    return tuple(ticks)
