"""Exports: every answer, problem report, training figure and participant, as XLSX or CSV.

``build_export`` has ``bot.export_sheets`` read each table's rows (``storage.exports``) and puts
them into an ``Export``: a frozen context of tables with stable English field names and codes,
documented in ``docs/exports.md``. ``write_csv`` writes it as one CSV per table for German Excel
(UTF-8 with BOM, ``;``) and for scripts; ``bot.documents.xlsx`` as one workbook for a clerk,
with German headers and values.

Privacy: people appear as a pseudonym (``P0007``, from the internal number, never the Telegram
id); an organisation is named only where it agreed, otherwise its group's anonymous label stands
in its place, as in the briefing packs (``bot.export_cells``). No usernames or Telegram ids
exist in the rows at all.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from bot import export_sheets as sheets
from bot.consultation.catalogue import load_catalogue
from bot.consultation.model import Consultation
from bot.export_cells import LANG, YES, Cell, Who, csv_text
from bot.export_sheets import (
    ANSWER_COLUMNS,
    COMMENT_COLUMNS,
    DRAFT_COLUMNS,
    INFO_COLUMNS,
    PARTICIPANT_COLUMNS,
    PROBLEM_COLUMNS,
    TRAINING_COLUMNS,
    TRAINING_FIELD_COLUMNS,
)
from storage import exports as store
from storage.db import Database
from storage.files import open_private, private_dir


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


async def build_export(
    db: Database, consultation: Consultation, now: datetime, zone: tzinfo
) -> Export:
    """Read every table from the database into an export context."""
    who = Who(consultation)
    answers = sheets.answer_rows(await store.answers(db), consultation, who, zone)
    problems = sheets.problem_rows(await store.problems(db), who, zone)
    catalogue = load_catalogue()
    training = await sheets.training_rows(db, consultation, who, catalogue)
    fields = await sheets.training_field_rows(db, consultation, catalogue)
    participants = sheets.participant_rows(await store.participants(db), who, zone)
    measures, comments = await sheets.draft_rows(db, who, zone)
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
