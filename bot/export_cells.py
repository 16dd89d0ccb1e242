"""Exports: what one cell holds, and how people and organisations are named in it.

The rules every table of the export shares, apart from which tables there are
(``bot.export_sheets``) and how they are put together and written (``bot.exports``): the cell
types, German yes/no, pseudonyms (``P0007`` from the internal number, never the Telegram id; the
rest of the bot names people this way too), the naming rule for organisations, local time
without tzinfo for Excel, text cleaned of characters XLSX cannot hold and defused for CSV.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, tzinfo
from typing import cast

from bot.consultation.model import Consultation
from bot.consultation.questionnaire import Question
from bot.questions import guess

LANG = "de"  # exports are for the town's staff: titles and answer texts in German
YES, NO = "Ja", "Nein"
MEAN_DIGITS = 2
# Excel reads a CSV cell starting with one of these as a formula; such text gets a leading '.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters that XLSX cannot hold (tab, newline and carriage return stay).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Cell = str | int | float | datetime | None


class Who:
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
            return clean(organisation)
        return self.anonymous.get(group_id) or self.group(group_id)

    def field(self, field_id: str | None) -> str:
        return self.fields.get(field_id, field_id) if field_id else ""


def pseudonym(person: int) -> str:
    """A stable pseudonym for a person: their internal number, never the Telegram id."""
    return f"P{person:04d}"


def organisation_pseudonym(organisation: int) -> str:
    """A stable pseudonym for an organisation (the /ausbildung figures are per organisation)."""
    return f"O{organisation:04d}"


def clean(text: str) -> str:
    """Text without the control characters XLSX cannot hold."""
    return _ILLEGAL.sub("", text)


def yes_no(flag: bool) -> str:
    """A flag as the workbook's German Ja/Nein."""
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
    cells = kind.export_cells(question, value, LANG, yes_no)
    return cast(tuple[Cell, Cell], tuple(clean(c) if isinstance(c, str) else c for c in cells))


def mean(value: float | None) -> float | None:
    """A mean rounded for the sheet (MEAN_DIGITS); None where nobody rated."""
    return round(value, MEAN_DIGITS) if value is not None else None


def csv_text(value: Cell) -> str:
    """A cell as written to CSV: dates as ISO 8601 local time, formula-like text defused."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    return str(value)
