"""The organisations' CSV as a town has it: saved by Excel or LibreOffice, German or English
column names, groups written as ids or titles.

Excel writes UTF-8 with a byte order mark ("CSV UTF-8") or Windows-1252 ("CSV (Trennzeichen-
getrennt)"), ``;`` in German settings and ``,`` elsewhere, CRLF line ends, and doubles a quote
inside a quoted field (the name Café "Zur Börse" is written with doubled inner quotes). The
dialect is fixed to exactly that (csv.excel) and only the delimiter is read from the header
line: ``csv.Sniffer`` guesses ``doublequote=False`` from a header without quotes, which mangles
such names.

Each row is checked on its own: the bad ones come back as problems with their line, the good ones
as rows, an organisation listed twice (same name, ignoring case and spacing) once. What is wrong
is said in the command line's words (templates/cli/invite_file.j2): only ``agenda-bot invite``
reads these files.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.cli.texts import text
from bot.consultation.model import Consultation

NAME_LIMIT = 120
# Column names a town may use; the first is the canonical one.
COLUMNS = {
    "name": ("name", "organisation", "firma"),
    "group": ("group", "gruppe"),
    "contact": ("contact", "kontakt", "e-mail", "email"),
}
DELIMITERS = (";", ",", "\t")
_TITLE_PARTS = re.compile(r"\s*(?:[,/]|\bund\b|\band\b)\s*")


class InviteFileError(Exception):
    """The file as a whole cannot be read; `errors` name the line and what is wrong."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class InviteRow:
    """One organisation to invite, from line `line` of the file."""

    name: str
    group_id: str
    contact: str | None
    line: int = 0


@dataclass(frozen=True)
class RowProblem:
    """A row that cannot be imported."""

    line: int
    text: str


@dataclass(frozen=True)
class Duplicate:
    """A row naming the same organisation as an earlier one (imported once)."""

    line: int
    first_line: int
    name: str


@dataclass(frozen=True)
class InviteFile:
    """What a file holds: good rows (each organisation once), bad rows, repeated rows."""

    rows: list[InviteRow]
    problems: list[RowProblem]
    duplicates: list[Duplicate]


def name_key(name: str) -> str:
    """The name as compared: Unicode-normalised, case and spacing ignored."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def group_names(consultation: Consultation) -> dict[str, str]:
    """Every way to write a group -> its id: the id, the German and English titles, and each part
    of a title (Verein of "Verein, Verband, Kammer") that belongs to one group only; any case."""
    names: dict[str, str] = {}
    for group in consultation.groups:
        names.setdefault(name_key(group.id), group.id)
    titles = [(g.id, t) for g in consultation.groups for t in g.title.texts]
    for group_id, title in titles:
        names.setdefault(name_key(title), group_id)
    parts: dict[str, set[str]] = {}
    for group_id, title in titles:
        for part in _TITLE_PARTS.split(title):
            if part.strip():
                parts.setdefault(name_key(part), set()).add(group_id)
    for part, ids in parts.items():
        if len(ids) == 1:
            names.setdefault(part, next(iter(ids)))
    return names


def decode(data: bytes, path: Path) -> str:
    """The file's text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # German Excel saves "CSV (Trennzeichen-getrennt)" as Windows-1252.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise InviteFileError([text("invite_file_unreadable", path=path)]) from None


def delimiter(header: str) -> str:
    """The delimiter the header line uses most (outside quotes); ',' for a single column."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_file(path: Path, consultation: Consultation) -> InviteFile:
    """Read name, group, contact; every bad row as a problem with its line."""
    raw = decode(path.read_bytes(), path)
    lines = raw.splitlines()
    skip = 0
    # Excel understands (and some exports start with) a line "sep=;" naming the delimiter.
    if lines and lines[0].strip().lower().startswith("sep=") and len(lines[0].strip()) == 5:
        sep, skip = lines[0].strip()[4], 1
    else:
        sep = delimiter(lines[0] if lines else "")
    reader = csv.reader(
        io.StringIO(raw, newline=""), dialect=csv.excel, delimiter=sep, strict=False
    )
    for _ in range(skip):
        next(reader, None)
    header_row = next(reader, None) or []
    header_line = reader.line_num
    header = [name_key(h) for h in header_row]
    columns: dict[str, int] = {}
    for column, spellings in COLUMNS.items():
        found = next((header.index(s) for s in spellings if s in header), None)
        if found is not None:
            columns[column] = found
    missing = [c for c in ("name", "group") if c not in columns]
    if missing:
        raise InviteFileError(
            [
                text(
                    "invite_file_missing_columns",
                    path=path,
                    line=header_line,
                    missing=missing,
                    sep=sep,
                )
            ]
        )

    def records() -> Iterator[tuple[int, list[str]]]:
        end = header_line
        for record in reader:
            yield end + 1, record  # the line where it starts; quoted line breaks count
            end = reader.line_num

    return _rows(records(), len(header), columns, consultation)


def _rows(
    records: Iterable[tuple[int, list[str]]],
    width: int,
    columns: dict[str, int],
    consultation: Consultation,
) -> InviteFile:
    groups = group_names(consultation)
    rows: list[InviteRow] = []
    problems: list[RowProblem] = []
    duplicates: list[Duplicate] = []
    seen: dict[str, int] = {}  # name key -> index in rows
    for line, record in records:
        values = [v.strip() for v in record]
        if not any(values):
            continue
        if len(values) > width and any(values[width:]):
            fields = text("invite_file_too_many_fields", fields=len(values), width=width)
            problems.append(RowProblem(line, fields))
            continue

        def cell(column: str, values: list[str] = values) -> str:
            index = columns.get(column)
            return values[index] if index is not None and index < len(values) else ""

        # A line break inside a cell (Alt+Enter in Excel) becomes a space.
        name, group, contact = (" ".join(cell(c).split()) for c in ("name", "group", "contact"))
        errors = []
        if not name:
            errors.append(text("invite_file_no_name"))
        elif len(name) > NAME_LIMIT:
            errors.append(text("invite_file_long_name", limit=NAME_LIMIT))
        group_id = groups.get(name_key(group))
        if group_id is None:
            errors.append(_unknown_group(group, consultation))
        if errors:
            problems.extend(RowProblem(line, text) for text in errors)
            continue
        assert group_id is not None
        row = InviteRow(name, group_id, contact or None, line)
        index = seen.get(name_key(name))
        if index is None:
            seen[name_key(name)] = len(rows)
            rows.append(row)
            continue
        first = rows[index]
        contacts = {first.contact, row.contact} - {None}
        if first.group_id == row.group_id and len(contacts) <= 1:
            duplicates.append(Duplicate(line, first.line, name))
            if first.contact is None and row.contact is not None:
                rows[index] = InviteRow(first.name, first.group_id, row.contact, first.line)
        else:
            twice = text(
                "invite_file_twice",
                name=name,
                first_line=first.line,
                group_id=first.group_id,
                contact=first.contact,
            )
            problems.append(RowProblem(line, twice))
    return InviteFile(rows, problems, duplicates)


def _unknown_group(group: str, consultation: Consultation) -> str:
    groups = [(g.id, g.title.de) for g in consultation.groups]
    if not group:
        return text("invite_file_no_group", groups=groups)
    spellings = {name_key(g.id): g.id for g in consultation.groups}
    for g in consultation.groups:
        spellings.setdefault(name_key(g.title.de), g.title.de)
    close = difflib.get_close_matches(name_key(group), list(spellings), n=1)
    meant = spellings[close[0]] if close else None
    return text("invite_file_unknown_group", group=group, close=meant, groups=groups)
