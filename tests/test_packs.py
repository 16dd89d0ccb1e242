"""Workshop briefing packs: figures from SQL, privacy, escaping, PDF, /digest and the CLI."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.cli import main
from bot.consultation.model import Consultation
from bot.documents.kinds import PACK
from bot.documents.pipeline import render_html
from bot.pack_context import PackContext
from bot.packs import build_pack
from storage import answers, organisations, people, problems
from storage.db import Database
from tests.conftest import STAFF_ID, START, Harness, onboard, text_of

TODAY = date(2027, 3, 10)
SCRIPT = "<script>alert(1)</script>"
# Distinctive Telegram ids: none of them may appear in a pack.
BLUMEN, GEHEIM, VEREIN, SCHULE = 7700111, 7700222, 7700333, 7700444


@pytest.fixture
async def running(bot: Harness) -> AsyncIterator[Harness]:
    """The bot with its application started: /digest renders the pack in a task."""
    await bot.app.start()
    try:
        yield bot
    finally:
        await bot.app.stop()


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
    await people.mark_onboarded(db, person.id, now=START)
    return person.id


async def seed(db: Database) -> None:
    """Four people for the retail workshop; "Geheim GmbH" does not want to be named."""
    await organisations.upsert_invited(
        db, "Autohaus Schulz", "firm", None, "tok_autohaus0001", now=START
    )
    blumen = await _person(db, BLUMEN, "retail", "Blumen Müller", named=True)
    geheim = await _person(db, GEHEIM, "firm", "Geheim GmbH", named=False)
    verein = await _person(db, VEREIN, "association", "Gewerbeverein Hagenow", named=True)
    schule = await _person(db, SCHULE, "school", "Regionale Schule", named=True)
    for person, branche, rating, kunden, hinweis in (
        (blumen, "handel", 4, ["website", "social"], SCRIPT),
        (geheim, "handwerk", 2, ["website"], "Glasfaser fehlt im **Gewerbegebiet**"),
        (verein, "verband", 5, ["karten", "website"], None),
    ):
        await answers.save(db, person, "sq-handel", "branche", branche, now=START)
        await answers.save(db, person, "sq-handel", "digital", rating, now=START)
        await answers.save(db, person, "sq-handel", "kunden", kunden, now=START)
        if hinweis is not None:
            await answers.save(db, person, "sq-handel", "hinweis", hinweis, now=START)
    await answers.save(db, blumen, "sq-handel", "beschaeft", 4, now=START)
    await answers.save(db, geheim, "sq-handel", "beschaeft", 12, now=START)
    await answers.save(db, verein, "sq-handel", "beschaeft", None, now=START)  # skipped
    await answers.save(
        db, geheim, "goals-handel", "wuenschens", "Alle Läden online buchbar", now=START
    )
    await answers.save(db, verein, "bp-handel", "beispiel", "Online-City Wuppertal", now=START)
    await answers.save(db, verein, "bp-handel", "uebertrag", "anpassen", now=START)
    await answers.save(db, schule, "ausb-schule", "handel", 10, now=START)
    await answers.save(db, schule, "ausb-schule", "it", 4, now=START)
    await answers.save(db, blumen, "ausb-betrieb", "handel", 3, now=START)
    await answers.save(db, geheim, "ausb-betrieb", "handel", 2, now=START)
    await answers.save(db, geheim, "ausb-betrieb", "handwerk", 1, now=START)
    glas = await problems.start_draft(db, geheim, "handel", now=START)
    await problems.update_draft(db, glas.id, title="Kein Glasfaser", description="Upload <1 MBit")
    await problems.submit(db, glas.id, now=START)
    park = await problems.start_draft(db, blumen, "handel", now=START)
    await problems.update_draft(db, park.id, title="Parkplätze", description="Zu wenige")
    await problems.submit(db, park.id, now=START)
    await problems.add_vote(db, glas.id, blumen, now=START)
    await problems.add_vote(db, glas.id, verein, now=START)


async def _seeded_pack(bot: Harness) -> PackContext:
    await seed(bot.db)
    return await build_pack(bot.db, bot.consultation, "ws-handel", TODAY)


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def _no_secrets(text: str) -> None:
    assert "Geheim GmbH" not in text
    for telegram_id in (BLUMEN, GEHEIM, VEREIN, SCHULE):
        assert str(telegram_id) not in text


async def test_pack_figures_equal_the_seeded_answers(bot: Harness) -> None:
    pack = await _seeded_pack(bot)
    assert pack.title == "Workshop Einzelhandel / Gewerbe"
    # Response figures: three people answered the retail questionnaires (the school only the
    # training one), one invited firm.
    assert pack.answered == 3
    assert pack.invited == 1
    by_group = {g.title: (g.invited, g.answered) for g in pack.groups}
    assert by_group == {
        "Einzelhandel": (0, 1),
        "Unternehmen / Gewerbe": (1, 1),
        "Verein, Verband, Kammer": (0, 1),
    }
    [sq] = pack.status_quo
    assert sq.respondents == 3
    questions = {q.key.split(".")[1]: q for q in sq.questions}
    digital = questions["digital"]
    assert digital.answered == 3
    assert digital.stats is not None
    assert digital.stats.mean == pytest.approx((4 + 2 + 5) / 3)
    assert digital.stats.median == 4
    assert [o.count for o in digital.options] == [0, 1, 0, 1, 1]
    kunden = {o.key: o.count for o in questions["kunden"].options}
    assert kunden["website"] == 3 and kunden["social"] == 1 and kunden["karten"] == 1
    beschaeft = questions["beschaeft"]
    assert beschaeft.answered == 2
    assert beschaeft.stats is not None and beschaeft.stats.median == 8  # (4 + 12) / 2
    [problem1, problem2] = pack.problems
    assert (problem1.title, problem1.votes, problem1.source) == (
        "Kein Glasfaser",
        2,
        "ein Unternehmen aus Hagenow",
    )
    assert (problem2.title, problem2.votes, problem2.source) == ("Parkplätze", 0, "Blumen Müller")
    [suggestion] = pack.suggestions
    assert suggestion.source == "Gewerbeverein Hagenow"
    assert pack.training is not None
    lines = pack.training.lines
    training = {line.field_id: (line.seeking, line.offered, line.gap) for line in lines}
    assert training["handel"] == (10, 5, -5)
    assert training["handwerk"] == (0, 1, 1)
    assert training["it"] == (4, 0, -4)
    assert (pack.training.seeking, pack.training.offered) == (14, 6)
    quotes = [quote for g in questions["hinweis"].quotes for quote in g.quotes]
    assert {(q.text, q.source) for q in quotes} == {
        (SCRIPT, "Blumen Müller"),
        ("Glasfaser fehlt im **Gewerbegebiet**", "ein Unternehmen aus Hagenow"),
    }


async def test_an_empty_workshop_gives_a_pack_that_says_so(bot: Harness) -> None:
    pack = await build_pack(bot.db, bot.consultation, "ws-verwaltung", TODAY)
    assert pack.empty and pack.answered == 0
    html = render_html(PACK, pack)
    assert "noch keine Antworten" in html
    assert "Workshop Verwaltung" in html
    assert "Zeit-Maßnahmen-Plan" in html


async def test_digest_sends_pdf_and_html_and_other_people_get_answers_meanwhile(
    running: Harness,
) -> None:
    bot = running
    await seed(bot.db)
    staff = bot.user(STAFF_ID, "Sabine")
    await staff.send("/digest")
    assert "Für welchen Workshop?" in text_of(staff.last)
    assert staff.buttons() == [
        "Workshop Verwaltung (17.02.2027)",
        "Workshop Tourismus / Mobilität (03.03.2027)",
        "Workshop Einzelhandel / Gewerbe (17.03.2027)",
    ]
    await staff.click("Workshop Einzelhandel / Gewerbe (17.03.2027)")
    # While the pack renders in its worker, the bot answers someone else.
    anna = bot.user(1001)
    await anna.send("/hilfe")
    assert "/umfrage" in text_of(anna.last)
    assert not [m for m in bot.api.chat(STAFF_ID) if m.document is not None]
    deadline = time.monotonic() + 60
    while len([m for m in bot.api.chat(STAFF_ID) if m.document]) < 2:
        assert time.monotonic() < deadline, "no pack within 60 s"
        await asyncio.sleep(0.05)
    pdf, html = [m.document for m in bot.api.chat(STAFF_ID) if m.document is not None]
    assert (pdf.file_name, html.file_name) == ("ws-handel.pdf", "ws-handel.html")
    assert pdf.data is not None and pdf.data.startswith(b"%PDF")
    assert html.data is not None and b"Workshop Einzelhandel / Gewerbe" in html.data
    assert b"Geheim GmbH" not in html.data


async def test_digest_with_an_unknown_id_lists_the_valid_ones(running: Harness) -> None:
    staff = running.user(STAFF_ID, "Sabine")
    await staff.send("/digest <b>nix")
    reply = await staff.wait_for_reply()
    assert "„<b>nix“ gibt es nicht" in (reply.text or "")
    assert "ws-verwaltung, ws-tourismus, ws-handel" in (reply.text or "")


async def test_digest_is_refused_to_everyone_else(running: Harness) -> None:
    bot = running
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/digest ws-handel")
    reply = await anna.wait_for_reply()
    assert "nur für die Mitarbeitenden" in (reply.text or "")
    await anna.click_data("DG:ws-handel")
    reply = await anna.wait_for_reply()
    assert "nur für die Mitarbeitenden" in (reply.text or "")
    assert not [m for m in bot.api.chat(1001) if m.document is not None]


def test_cli_writes_the_pack_whose_pdf_shows_the_figures_escaped_and_anonymous(
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
    out = tmp_path / "out"
    assert main(["digest", "nope", "--out", str(out)]) == 1
    assert "ws-verwaltung, ws-tourismus, ws-handel" in capsys.readouterr().err
    assert main(["digest", "ws-handel", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(out / "ws-handel.html"), str(out / "ws-handel.pdf")]

    pdf = (out / "ws-handel.pdf").read_bytes()
    html = (out / "ws-handel.html").read_text(encoding="utf-8")
    pdf_text = _pdf_text(pdf)
    assert pdf.startswith(b"%PDF")
    # User text appears literally: escaped in HTML, as typed in the PDF.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert SCRIPT not in html
    assert SCRIPT in pdf_text
    assert "**Gewerbegebiet**" in html
    for text in (html, pdf_text):
        _no_secrets(text)
        assert "ein Unternehmen aus Hagenow" in text
        assert "Blumen Müller" in text
    assert "Workshop Einzelhandel / Gewerbe" in pdf_text
    assert "17.03.2027" in pdf_text
    # Mean 3,7 and median 4 of the rating, the vote count, the training gap.
    assert "Mittelwert 3,7 Median 4" in pdf_text
    for figure in ("Kein Glasfaser", "betrifft 2 weitere", "Online-City Wuppertal"):
        assert figure in pdf_text, figure
    assert "Handel / Verkauf 10 5 -5" in pdf_text
    assert "Zusammen 14 6 -8" in pdf_text
    assert "Arbeitspaket" in pdf_text and "Meilenstein" in pdf_text
    assert "Seite 2 von" in pdf_text
