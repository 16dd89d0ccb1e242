"""Exports: the sheets' columns and rows, privacy, CSV for German Excel, /export and the CLI."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from bot.cli import main
from bot.consultation.model import Consultation
from bot.documents.worker import RenderFailed
from bot.documents.xlsx import labels, xlsx_bytes
from bot.export_cells import csv_text
from bot.export_sheets import (
    ANSWER_COLUMNS,
    PARTICIPANT_COLUMNS,
    PROBLEM_COLUMNS,
    TRAINING_COLUMNS,
)
from bot.exports import Export, build_export
from bot.texts import Texts
from storage import answers, organisations, people, problems
from storage.db import Database
from tests.conftest import STAFF_ID, START, Harness, onboard

BERLIN = ZoneInfo("Europe/Berlin")
# Distinctive Telegram ids: none of them may appear in an export.
BLUMEN, GEHEIM, SCHULE, BUERGER = 7700111, 7700222, 7700333, 7700444
FORMULA = '=HYPERLINK("http://example.org","klick")'
SHEETS = [
    "Info",
    "Antworten",
    "Probleme",
    "Ausbildung",
    "Ausbildung je Feld",
    "Teilnehmende",
    "Entwurf",
    "Kommentare",
]
CSV_FILES = {
    "Antworten": "answers.csv",
    "Probleme": "problems.csv",
    "Ausbildung": "training.csv",
    "Ausbildung je Feld": "training_fields.csv",
    "Teilnehmende": "participants.csv",
    "Entwurf": "draft.csv",
    "Kommentare": "draft_comments.csv",
}


@dataclass(frozen=True)
class Seeded:
    """Pseudonyms of the seeded people."""

    blumen: str
    geheim: str
    schule: str
    buerger: str


async def _person(
    db: Database, telegram_id: int, group: str, organisation: str | None, named: bool
) -> int:
    person = await people.record_consent(db, telegram_id, "de", "2026-12-02", now=START)
    await people.set_group(db, person.id, group, now=START)
    if organisation is not None:
        await organisations.set_own_name(db, person.id, organisation, now=START)
        found = await people.by_id(db, person.id)
        assert found is not None and found.organisation_id is not None
        await organisations.set_may_be_named(db, found.organisation_id, named)
    await people.set_fields(db, person.id, ["handel", "verwaltung"])
    await people.mark_onboarded(db, person.id, now=START)
    return person.id


async def seed(db: Database) -> Seeded:
    """Three organisations ("Geheim GmbH" must not be named) and a citizen still onboarding."""
    blumen = await _person(db, BLUMEN, "retail", "Blumen Müller", named=True)
    geheim = await _person(db, GEHEIM, "firm", "Geheim GmbH", named=False)
    schule = await _person(db, SCHULE, "school", "Regionale Schule", named=True)
    buerger = (await people.record_consent(db, BUERGER, "en", "2026-12-02", now=START)).id
    await answers.save(db, blumen, "sq-handel", "branche", "handel", now=START)
    await answers.save(db, blumen, "sq-handel", "digital", 4, now=START)
    await answers.save(db, blumen, "sq-handel", "kunden", ["social", "website"], now=START)
    await answers.save(db, blumen, "sq-handel", "plattform", True, now=START)
    await answers.save(db, blumen, "sq-handel", "beschaeft", 1200, now=START)
    await answers.save(db, blumen, "sq-handel", "hinweis", FORMULA, now=START)
    await answers.set_completed(db, blumen, "sq-handel", True, now=START)
    await answers.save(db, geheim, "sq-handel", "branche", "handwerk", now=START)
    await answers.save(db, geheim, "sq-handel", "beschaeft", None, now=START)  # skipped
    await answers.save(
        db, geheim, "sq-handel", "hinweis", "Glasfaser fehlt im Gewerbegebiet", now=START
    )
    await answers.save(db, geheim, "ausb-betrieb", "bildetaus", True, now=START)
    await answers.save(db, geheim, "ausb-betrieb", "handel", 2, now=START)
    await answers.save(db, geheim, "ausb-betrieb", "handwerk", 1, now=START)
    await answers.save(
        db, geheim, "ausb-betrieb", "it", None, now=START
    )  # skipped: no training row
    await answers.save(
        db, schule, "ausb-schule", "schueler", 60, now=START
    )  # not an occupational field
    await answers.save(db, schule, "ausb-schule", "it", 4, now=START)
    await answers.save(db, schule, "ausb-schule", "handel", 10, now=START)
    glas = await problems.start_draft(db, geheim, "handel", now=START)
    await problems.update_draft(
        db, glas.id, title="Kein Glasfaser", description="Upload <1 MBit", photo_file_id="AgAD1"
    )
    await problems.submit(db, glas.id, now=START)
    await problems.add_vote(db, glas.id, blumen, now=START)
    await problems.add_vote(db, glas.id, schule, now=START)
    draft = await problems.start_draft(db, blumen, "handel", now=START)  # never sent: not exported
    await problems.update_draft(db, draft.id, title="Entwurf", description="noch nicht fertig")
    return Seeded(*(f"P{n:04d}" for n in (blumen, geheim, schule, buerger)))


def _rows(book: Workbook, sheet: str) -> list[tuple[Any, ...]]:
    return list(book[sheet].iter_rows(values_only=True))


def _cells(book: Workbook) -> Iterable[str]:
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            yield from (str(value) for value in row if value is not None)


def _assert_private(book: Workbook) -> None:
    cells = list(_cells(book))
    assert not [c for c in cells if "Geheim GmbH" in c]
    for telegram_id in (BLUMEN, GEHEIM, SCHULE, BUERGER, STAFF_ID):
        assert not [c for c in cells if str(telegram_id) in c], telegram_id
    assert "ein Unternehmen aus Hagenow" in cells


async def _workbook(db: Database, consultation: Consultation) -> Workbook:
    export = await build_export(db, consultation, START, BERLIN)
    return load_workbook(io.BytesIO(await asyncio.to_thread(xlsx_bytes, export)))


def _recent(value: object) -> bool:
    """The moment the test wrote the answer (its clock, not the system's), in local time."""
    return value == START.astimezone(BERLIN).replace(tzinfo=None)


async def test_every_table_keeps_its_documented_field_names_for_scripts(
    bot: Harness,
) -> None:
    await seed(bot.db)
    export = await build_export(bot.db, bot.consultation, START, BERLIN)
    assert [t.sheet for t in export.tables] == SHEETS
    columns = {t.sheet: t.columns for t in export.tables}
    assert columns["Info"] == ("item", "value")
    assert columns["Antworten"] == (
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
    assert columns["Probleme"][:9] == (
        "id",
        "action_field",
        "title",
        "description",
        "has_photo",
        "affects_too",
        "reporter_group",
        "reporter_organisation",
        "submitted_at",
    )
    assert columns["Ausbildung"] == (
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
    assert columns["Ausbildung je Feld"] == (
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
    assert columns["Teilnehmende"] == (
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
    assert (
        columns["Antworten"],
        columns["Probleme"],
        columns["Ausbildung"],
        columns["Teilnehmende"],
    ) == (ANSWER_COLUMNS, PROBLEM_COLUMNS, TRAINING_COLUMNS, PARTICIPANT_COLUMNS)
    # Every field name is explained in docs/exports.md, with its German header beside it.
    docs = (Path(__file__).parent.parent / "docs" / "exports.md").read_text(encoding="utf-8")
    for table in export.tables:
        sheet_labels = labels().sheets[table.sheet]
        for name in table.columns:
            assert f"| `{name}` | {sheet_labels.header(name)} |" in docs, (table.sheet, name)


async def test_the_workbook_speaks_german_to_a_clerk(bot: Harness) -> None:
    await seed(bot.db)
    book = await _workbook(bot.db, bot.consultation)
    assert book.sheetnames == SHEETS
    assert book.properties.title == "Digitale Agenda Hagenow – Export vom 01.12.2026"
    headers = {name: _rows(book, name)[0] for name in SHEETS}
    assert headers["Info"] == ("Angabe", "Wert")
    assert headers["Antworten"] == (
        "Fragebogen-Kennung",
        "Fragebogen",
        "Handlungsfeld",
        "Frage-Kennung",
        "Frage",
        "Fragetyp",
        "Person (Pseudonym)",
        "Gruppe",
        "Organisation",
        "Rohwert",
        "Antwort",
        "übersprungen",
        "beantwortet am",
    )
    assert headers["Probleme"][:6] == (
        "Nr.",
        "Handlungsfeld",
        "Titel",
        "Beschreibung",
        "mit Foto",
        "„betrifft uns auch“",
    )
    assert headers["Ausbildung"][:2] == ("Person oder Organisation (Pseudonym)", "Seite")
    assert headers["Teilnehmende"][4] == "Sprache"
    # No English code name is left in any header.
    english = {
        name
        for columns in (ANSWER_COLUMNS, PROBLEM_COLUMNS, TRAINING_COLUMNS, PARTICIPANT_COLUMNS)
        for name in columns
        if "_" in name
    }
    assert not english & {cell for row in headers.values() for cell in row}
    for name in SHEETS:
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        assert all(cell.font.bold for cell in sheet[1]), name
        assert sheet.column_dimensions["A"].width >= 8, name
        # Print: landscape A4, one page wide, the header row on every page.
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (
            "landscape",
            9,
            1,
            0,
        ), name
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, name
        assert sheet.print_title_rows == "$1:$1", name
        assert "Seite &P von &N" in (sheet.oddFooter.center.text or ""), name
    info = dict(_rows(book, "Info")[1:])
    assert info["Befragung"] == "Digitale Agenda Hagenow"
    assert info["Exportiert am"] == datetime(2026, 12, 1, 10, 0)  # 09:00 UTC in Berlin
    assert (
        info["Teilnehmende (Zeilen im Blatt Teilnehmende)"],
        info["Antworten (Zeilen im Blatt Antworten)"],
        info["davon übersprungen"],
    ) == (4, 16, 2)
    assert info["Problemmeldungen"] == 1
    # Codes read as German words: question types, sides, sources, languages.
    types = {row[5] for row in _rows(book, "Antworten")[1:]}
    assert (
        types
        <= {"Bewertung 1–5", "Einfachauswahl", "Mehrfachauswahl", "Zahl", "Ja/Nein", "Freitext"}
        and "Mehrfachauswahl" in types
    )
    sides = {(row[1], row[7]) for row in _rows(book, "Ausbildung")[1:]}
    assert sides == {("Nachfrage (Schule)", "Fragebogen"), ("Angebot (Betrieb)", "Fragebogen")}
    assert {row[4] for row in _rows(book, "Teilnehmende")[1:]} == {"Deutsch", "Englisch"}


async def test_long_texts_wrap_instead_of_being_cut(bot: Harness) -> None:
    await seed(bot.db)
    person = await people.by_telegram_id(bot.db, BLUMEN)
    assert person is not None
    long_text = "Das Internet im Gewerbegebiet ist so langsam, dass " * 6
    report = await problems.start_draft(bot.db, person.id, "handel", now=bot.clock())
    await problems.update_draft(bot.db, report.id, title="Langsam", description=long_text)
    await problems.submit(bot.db, report.id, now=bot.clock())
    book = await _workbook(bot.db, bot.consultation)
    sheet = book["Probleme"]
    [cell] = [c for c in sheet["D"] if c.value == long_text]
    assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
    assert sheet.column_dimensions["D"].width == 60  # capped: the text wraps, the page holds
    [short] = [c for c in sheet["C"] if c.value == "Langsam"]
    assert not short.alignment.wrap_text


async def test_one_row_per_answer_with_raw_and_readable_values(bot: Harness) -> None:
    who = await seed(bot.db)
    book = await _workbook(bot.db, bot.consultation)
    rows = _rows(book, "Antworten")[1:]
    assert len(rows) == 16
    by_key = {(row[6], row[0], row[3]): row for row in rows}
    kunden = by_key[(who.blumen, "sq-handel", "kunden")]
    assert kunden[:9] == (
        "sq-handel",
        "Handel und Gewerbe: Wie digital ist es heute?",
        "Einzelhandel / Gewerbe",
        "kunden",
        "Was bieten Sie Kunden schon online an?",
        "Mehrfachauswahl",
        who.blumen,
        "Einzelhandel",
        "Blumen Müller",
    )
    # Multiple choices in the order of the consultation file, not of the ticks.
    assert kunden[9:12] == ("website|social", "Eigene Website; Social Media", "Nein")
    assert _recent(kunden[12])
    single = by_key[(who.blumen, "sq-handel", "branche")]
    assert single[9:12] == ("handel", "Einzelhandel", "Nein")
    number = by_key[(who.blumen, "sq-handel", "beschaeft")]
    assert (number[5], *number[9:12]) == ("Zahl", 1200, "1.200", "Nein")
    rating = by_key[(who.blumen, "sq-handel", "digital")]
    assert (rating[5], *rating[9:12]) == ("Bewertung 1–5", 4, "4", "Nein")
    yes_no = by_key[(who.blumen, "sq-handel", "plattform")]
    assert (yes_no[5], *yes_no[9:12]) == ("Ja/Nein", "true", "Ja", "Nein")
    skipped = by_key[(who.geheim, "sq-handel", "beschaeft")]
    assert skipped[7:12] == (
        "Unternehmen / Gewerbe",
        "ein Unternehmen aus Hagenow",
        None,
        None,
        "Ja",
    )
    assert _recent(skipped[12])
    # Free text that looks like a formula stays text: Excel must not run it.
    formula = by_key[(who.blumen, "sq-handel", "hinweis")]
    assert formula[9:11] == (FORMULA, FORMULA)
    [cell] = [c for c in book["Antworten"]["J"] if c.value == FORMULA]
    assert cell.data_type == "s"
    # The training questionnaires have no action field; their rows follow the file's order.
    training = by_key[(who.schule, "ausb-schule", "it")]
    assert training[2] is None and training[9:11] == (4, "4")
    order = [(row[0], row[6], row[3]) for row in rows]
    assert order.index(("sq-handel", who.blumen, "branche")) < order.index(
        ("sq-handel", who.blumen, "kunden")
    )
    assert order.index(("sq-handel", who.geheim, "hinweis")) < order.index(
        ("ausb-schule", who.schule, "it")
    )


async def test_problems_training_and_participants(bot: Harness) -> None:
    who = await seed(bot.db)
    book = await _workbook(bot.db, bot.consultation)
    [problem] = _rows(book, "Probleme")[1:]
    assert problem[1:8] == (
        "Einzelhandel / Gewerbe",
        "Kein Glasfaser",
        "Upload <1 MBit",
        "Ja",
        2,
        "Unternehmen / Gewerbe",
        "ein Unternehmen aus Hagenow",
    )
    assert isinstance(problem[0], int) and _recent(problem[8])
    assert book["Probleme"]["I2"].number_format == "DD.MM.YYYY HH:MM"

    training = _rows(book, "Ausbildung")[1:]
    questionnaire = ("Fragebogen", None, None, None, "Ja")
    assert training == [
        (
            who.schule,
            "Nachfrage (Schule)",
            "Schule",
            "Regionale Schule",
            "handel",
            "Wie viele suchen eine Ausbildung im Handel / Verkauf?",
            10,
            *questionnaire,
        ),
        (
            who.schule,
            "Nachfrage (Schule)",
            "Schule",
            "Regionale Schule",
            "it",
            "Wie viele suchen eine Ausbildung in IT / Medien?",
            4,
            *questionnaire,
        ),
        (
            who.geheim,
            "Angebot (Betrieb)",
            "Unternehmen / Gewerbe",
            "ein Unternehmen aus Hagenow",
            "handel",
            "Wie viele Ausbildungsplätze ab 2027 bieten Sie im Handel / Verkauf an?",
            2,
            *questionnaire,
        ),
        (
            who.geheim,
            "Angebot (Betrieb)",
            "Unternehmen / Gewerbe",
            "ein Unternehmen aus Hagenow",
            "handwerk",
            "Wie viele Ausbildungsplätze ab 2027 bieten Sie im Handwerk an?",
            1,
            *questionnaire,
        ),
    ]
    fields = {row[0]: row[1:] for row in _rows(book, "Ausbildung je Feld")[1:]}
    assert list(fields)[:2] == ["handel", "handwerk"] and "praktikum" not in fields
    assert fields["handel"] == ("Handel / Verkauf", 10, 2, -8, 0, 0, 1, 1)
    assert fields["it"] == ("IT / Medien", 4, 0, -4, 0, 0, 1, 0)

    participants = {row[0]: row for row in _rows(book, "Teilnehmende")[1:]}
    assert list(participants) == [who.blumen, who.geheim, who.schule, who.buerger]
    blumen = participants[who.blumen]
    assert blumen[1:6] == (
        "Einzelhandel",
        "Blumen Müller",
        "Einzelhandel / Gewerbe; Verwaltung",
        "Deutsch",
        "2026-12-02",
    )
    assert _recent(blumen[6])
    assert blumen[7:] == ("Ja", 1, 1)  # sq-handel, completed
    assert participants[who.geheim][2] == "ein Unternehmen aus Hagenow"
    assert participants[who.geheim][7:] == ("Ja", 2, 0)
    buerger = participants[who.buerger]
    assert (buerger[1], buerger[2], buerger[3], buerger[4], buerger[7:]) == (
        None,
        None,
        None,
        "Englisch",
        ("Nein", 0, 0),
    )
    _assert_private(book)


async def test_an_empty_database_gives_headers_only(bot: Harness) -> None:
    book = await _workbook(bot.db, bot.consultation)
    for name in SHEETS[1:]:
        if name == "Ausbildung je Feld":  # a table: every catalogue field, all zero
            assert all(row[2:] == (0,) * 7 for row in _rows(book, name)[1:]), name
            continue
        assert len(_rows(book, name)) == 1, name


def test_cli_writes_xlsx_and_csv_with_the_same_rows(
    tmp_path: Path,
    consultation: Consultation,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db_path = tmp_path / "agenda.sqlite3"

    async def prepare() -> None:
        db = await Database.open(db_path)
        try:
            await seed(db)
        finally:
            await db.close()

    asyncio.run(prepare())
    monkeypatch.setenv("AGENDA_DB", str(db_path))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    xlsx = tmp_path / "out" / "agenda.xlsx"
    assert main(["export", "--out", str(xlsx)]) == 0
    assert capsys.readouterr().out.split() == [str(xlsx)]
    csv_dir = tmp_path / "csv"
    assert main(["export", "--out", str(csv_dir), "--format", "csv"]) == 0
    names = [
        "answers.csv",
        "problems.csv",
        "training.csv",
        "training_fields.csv",
        "participants.csv",
        "draft.csv",
        "draft_comments.csv",
    ]
    assert capsys.readouterr().out.split() == [str(csv_dir / name) for name in names]
    assert main(["export", "--out", str(tmp_path / "x.csv"), "--format", "csv"]) == 1
    assert "--out must be a DIR" in capsys.readouterr().err
    assert main(["export", "--out", str(tmp_path / "x.csv")]) == 1
    assert "--format csv" in capsys.readouterr().err

    book = load_workbook(xlsx)
    _assert_private(book)

    async def exported() -> Export:
        db = await Database.open(db_path)
        try:
            return await build_export(db, consultation, START, BERLIN)
        finally:
            await db.close()

    export = asyncio.run(exported())
    for sheet, file_name in CSV_FILES.items():
        raw = (csv_dir / file_name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), file_name  # BOM: Excel reads UTF-8
        with (csv_dir / file_name).open(encoding="utf-8-sig", newline="") as handle:
            read = list(csv.reader(handle, delimiter=";"))
        # The CSV keeps the field names and codes for scripts; the workbook the same rows.
        table = export.table(sheet)
        assert read[0] == list(table.columns), sheet
        assert read[1:] == [[csv_text(value) for value in row] for row in table.rows], sheet
        assert len(_rows(book, sheet)) == len(read), sheet
    answers_csv = (csv_dir / "answers.csv").read_text(encoding="utf-8-sig")
    assert "'" + FORMULA.replace('"', '""') in answers_csv  # defused for Excel
    assert "Blumen Müller" in answers_csv and "Geheim GmbH" not in answers_csv


def test_csv_cells_are_what_german_excel_reads() -> None:
    assert csv_text(None) == ""
    assert csv_text(12) == "12"
    assert csv_text(datetime(2027, 3, 17, 9, 30)) == "2027-03-17 09:30:00"
    assert csv_text("=1+1") == "'=1+1"
    assert csv_text("@SUM(A1)") == "'@SUM(A1)"
    assert csv_text("Glasfaser") == "Glasfaser"


def test_export_messages_render_in_both_languages() -> None:
    texts = Texts()
    for lang in ("de", "en"):
        caption = texts.render(
            lang,
            "export_caption",
            title="<Agenda>",
            exported_at=datetime(2027, 3, 1, 8, 5),
            answers=1234,
            problems=2,
            participants=3,
        )
        assert "&lt;Agenda&gt;" in caption and "08:05" in caption
        assert len(caption) <= 1024
        assert "agenda-bot export" in texts.render(lang, "export_too_large", megabytes=60)
        assert texts.render(lang, "export_failed").strip()


@pytest.fixture
async def running(bot: Harness) -> AsyncIterator[Harness]:
    """The bot with its application started: /export builds the workbook in a task."""
    await bot.app.start()
    try:
        yield bot
    finally:
        await bot.app.stop()


async def test_export_sends_the_workbook_to_staff(running: Harness) -> None:
    bot = running
    await seed(bot.db)
    # One more person, through the conversation, whose firm must stay unnamed.
    await onboard(
        bot.user(7700555), group="Unternehmen / Gewerbe", organisation="Tarn KG", named=False
    )
    staff = bot.user(STAFF_ID, "Sabine")
    await staff.send("/export")
    deadline = time.monotonic() + 30
    while not [m for m in bot.api.chat(STAFF_ID) if m.document is not None]:
        assert time.monotonic() < deadline, "no export within 30 s"
        await asyncio.sleep(0.02)
    [message] = [m for m in bot.api.chat(STAFF_ID) if m.document is not None]
    assert message.document is not None and message.document.data is not None
    assert message.document.file_name == "agenda-2026-12-01.xlsx"
    assert "Digitale Agenda Hagenow – Export, Stand 01.12.2026, 10:00 Uhr" in (
        message.caption or ""
    )
    assert "16 Antworten, 1 Problemmeldungen, 5 Teilnehmende" in (message.caption or "")
    book = load_workbook(io.BytesIO(message.document.data))
    assert book.sheetnames == SHEETS
    _assert_private(book)
    cells = list(_cells(book))
    assert "Tarn KG" not in cells and not [c for c in cells if "7700555" in c]


async def test_a_failed_export_is_reported_to_staff(
    running: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def worker_gone(*_: object, **__: object) -> bytes:
        raise RenderFailed("export: the render worker ended")

    bot = running
    assert bot.app.bot_data.renders is not None
    monkeypatch.setattr(bot.app.bot_data.renders, "run", worker_gone)
    staff = bot.user(STAFF_ID, "Sabine")
    await staff.send("/export")
    reply = await staff.wait_for_reply()
    assert "Export konnte gerade nicht erstellt werden" in (reply.text or "")
    assert not [m for m in bot.api.chat(STAFF_ID) if m.document is not None]


async def test_export_is_refused_to_everyone_else(running: Harness) -> None:
    bot = running
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/export")
    reply = await anna.wait_for_reply()
    assert "nur für die Mitarbeitenden" in (reply.text or "")
    await asyncio.sleep(0.1)
    assert not [m for m in bot.api.chat(1001) if m.document is not None]
