"""The export as a workbook for a clerk: German headers and values, wrapped texts, print setup.

``bot.exports`` builds the tables with stable English field names and codes (kept in the CSV
files, for scripts). The workbook shows the same rows for people: every header and every code
value in German, from ``templates/exports/xlsx.de.yaml``; long texts wrap; each sheet prints
landscape on A4, fitted to the page width, with its header row repeated on every page.
Synchronous: run it with ``asyncio.to_thread`` or in the render worker.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.export_cells import Cell
from bot.exports import Export, Table
from bot.resources import TEMPLATES_DIR
from bot.texts import format_day
from storage.files import write_private

LABELS_FILE = TEMPLATES_DIR / "exports" / "xlsx.de.yaml"
DATE_FORMAT = "DD.MM.YYYY HH:MM"
MIN_WIDTH, MAX_WIDTH = 8, 60
PAPER_A4 = 9
ROWS_JUDGED = 500  # rows looked at for a column's width; a long tail would only slow it down
_HEADER = Font(bold=True)
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="top")
_WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class SheetLabels:
    """A sheet's German column headers and the German words for its code values."""

    columns: dict[str, str]
    values: dict[str, dict[str, str]]

    def header(self, column: str) -> str:
        return self.columns[column]

    def value(self, column: str, value: Cell) -> Cell:
        """The German word for a code value; any other value as it is."""
        if isinstance(value, str):
            return self.values.get(column, {}).get(value, value)
        return value


@dataclass(frozen=True)
class Labels:
    """The words of the workbook: title, footer and each sheet's labels."""

    title: str
    footer: str
    sheets: dict[str, SheetLabels]


@cache
def labels(path: Path = LABELS_FILE) -> Labels:
    """Read the workbook's German labels (once per process)."""
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Labels(
        raw["title"],
        raw["footer"],
        {
            name: SheetLabels(dict(sheet["columns"]), dict(sheet.get("values") or {}))
            for name, sheet in raw["sheets"].items()
        },
    )


def workbook_title(export: Export) -> str:
    """The title shown in the file's properties, e.g. "Digitale Agenda Hagenow – Export vom …"."""
    return labels().title.format(
        consultation=export.title, date=format_day(export.exported_at.date())
    )


def xlsx_bytes(export: Export) -> bytes:
    """The workbook: German header, filters, widths, wrap, print setup, dates as Excel dates."""
    words = labels()
    workbook = Workbook(write_only=True)
    workbook.properties.title = workbook_title(export)
    workbook.properties.creator = "agenda-bot"
    workbook.properties.language = "de-DE"
    for table in export.tables:
        _write_sheet(workbook.create_sheet(table.sheet), table, words.sheets[table.sheet], words)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(sheet: WriteOnlyWorksheet, table: Table, words: SheetLabels, book: Labels) -> None:
    headers = [words.header(name) for name in table.columns]
    rows = [
        [words.value(name, value) for name, value in zip(table.columns, row, strict=True)]
        for row in table.rows
    ]
    widths = _widths(headers, rows)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    last = f"{get_column_letter(len(headers))}{len(rows) + 1}"
    sheet.auto_filter.ref = f"A1:{last}"
    _print_setup(sheet, book)
    header = []
    for name in headers:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = _HEADER
        cell.alignment = _HEADER_ALIGN
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(sheet, value, width) for value, width in zip(row, widths, strict=True)])


def _print_setup(sheet: WriteOnlyWorksheet, book: Labels) -> None:
    """Landscape A4, all columns on one page width, header row on every page, page numbers."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = PAPER_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = True
    sheet.oddFooter.center.text = book.footer


def _cell(sheet: WriteOnlyWorksheet, value: Cell, width: float) -> Cell | WriteOnlyCell:
    """A plain value where openpyxl writes it right (fast); a styled cell where it would not."""
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, str) and (value.startswith("=") or len(value) > width or "\n" in value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text that looks like a formula stays text: never run by Excel
        cell.alignment = _WRAP  # a long text wraps within its column instead of being cut
        return cell
    return value


def _widths(headers: list[str], rows: list[list[Cell]]) -> list[float]:
    """Each column as wide as its values (at most MAX_WIDTH); a header wraps at its spaces."""
    widths = [float(max(len(word) for word in name.split())) for name in headers]
    for row in rows[:ROWS_JUDGED]:
        for index, value in enumerate(row):
            size = (
                16 if isinstance(value, datetime) else len(str(value if value is not None else ""))
            )
            widths[index] = max(widths[index], float(size))
    return [min(max(w + 2, MIN_WIDTH), MAX_WIDTH) for w in widths]


def save_xlsx(export: Export, path: Path) -> Path:
    """Write the workbook to path (its directory is created)."""
    return write_private(path, xlsx_bytes(export))
