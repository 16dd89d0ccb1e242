"""The time-and-measures plan: the file and its errors, the CLI, the PDF's text, /plan."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot import draft
from bot.cli import main
from bot.consultation.model import Consultation
from bot.plan import PlanError, build_plan
from bot.settings import PROJECT_ROOT
from storage import draft as store
from storage import plan as plans
from storage.db import Database
from tests.conftest import STAFF_ID, Harness, text_of

EXAMPLES = PROJECT_ROOT / "consultations"
ADOPTED = ("v-termine", "t-wlan", "h-schaufenster")

BROKEN = """
title: Plan
measures:
  v-gewerbe:
    responsible: Hauptamt
    work_packages: [Formulare]
    milestones: [{title: Start, date: 2028-01-01}]
    indicators: [{name: Anträge online, target: 50, unit: Prozent}]
  x-nix:
    responsible: Niemand
  h-schaufenster:
    responsible: Gewerbeverein
    work_packages: [Plattform]
    milestones:
      - title: Förderantrag
        date: 2027-10-31
      - title: Online
        date: Ende 2028
    indicators:
      - name: Geschäfte
        target: vierzig
        unit: Geschäfte
    budget: 1000
"""


async def adopt_example(db: Database, consultation: Consultation) -> int:
    """Publish the example draft and adopt three of its measures; the version id."""
    text = (EXAMPLES / "entwurf-beispiel.yaml").read_text(encoding="utf-8")
    now = datetime(2027, 5, 10, 9, 0, tzinfo=UTC)
    version = await draft.store_draft(db, draft.load_draft(text, consultation), text, None, now)
    await draft.publish(db, version, now)
    for m in await store.measures(db, version):
        if m.measure_id in ADOPTED:
            await store.mark(db, m.id, "adopted", True)
    return version


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


async def test_a_bad_plan_file_names_every_place(bot: Harness) -> None:
    await adopt_example(bot.db, bot.consultation)
    with pytest.raises(PlanError) as raised:
        await build_plan(bot.db, bot.consultation, BROKEN, bot.clock().date(), "plan.yaml")
    errors = raised.value.errors
    assert (
        "measures.v-gewerbe: measure 'v-gewerbe' is not adopted"
        " (adopted: h-schaufenster, t-wlan, v-termine)"
    ) in errors
    assert any(e.startswith("measures.x-nix: unknown measure 'x-nix'") for e in errors)
    assert any(e.startswith("measures.x-nix.milestones: expected a list") for e in errors)
    assert (
        "measures.h-schaufenster.milestones[1].date: expected a date like 2027-06-30,"
        " got 'Ende 2028'"
    ) in errors
    assert (
        "measures.h-schaufenster.indicators[0].target: expected a number like 40, got 'vierzig'"
    ) in errors
    assert any(e.startswith("measures.h-schaufenster.budget: unknown key") for e in errors)
    assert str(raised.value).startswith("plan.yaml: 8 problem(s) in the plan")


async def test_the_example_plan_orders_measures_by_their_first_milestone(bot: Harness) -> None:
    await adopt_example(bot.db, bot.consultation)
    text = (EXAMPLES / "plan-beispiel.yaml").read_text(encoding="utf-8")
    plan = await build_plan(bot.db, bot.consultation, text, bot.clock().date())
    assert [m.measure_id for m in plan.measures] == ["v-termine", "h-schaufenster", "t-wlan"]
    schaufenster = plan.measures[1]
    assert schaufenster.title == "Digitales Schaufenster der Hagenower Geschäfte"
    assert (str(schaufenster.start), str(schaufenster.end)) == ("2027-10-31", "2028-12-31")
    assert schaufenster.indicators[0].target == 40


def test_cli_checks_publishes_and_renders_the_plan_whose_pdf_shows_the_milestones(
    tmp_path: Path,
    consultation: Consultation,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db_path = tmp_path / "agenda.sqlite3"
    bad = tmp_path / "plan.yaml"
    bad.write_text(BROKEN, encoding="utf-8")

    async def prepare() -> None:
        db = await Database.open(db_path)
        try:
            await adopt_example(db, consultation)
        finally:
            await db.close()

    asyncio.run(prepare())
    monkeypatch.setenv("AGENDA_DB", str(db_path))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    out = tmp_path / "out"
    assert main(["plan", "render", "--out", str(out)]) == 1
    assert "no plan published yet" in capsys.readouterr().err
    assert main(["plan", "publish", str(bad)]) == 1
    assert "measures.v-gewerbe: measure 'v-gewerbe' is not adopted" in capsys.readouterr().err
    example = str(EXAMPLES / "plan-beispiel.yaml")
    assert main(["plan", "check", example]) == 0
    assert capsys.readouterr().out.strip().endswith("ok - 3 measures, 8 milestones")
    assert main(["plan", "publish", example]) == 0
    assert "published - 3 measures" in capsys.readouterr().out
    assert main(["plan", "render", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(out / f"zeit-massnahmen-plan.{kind}") for kind in ("html", "pdf")]
    pdf = (out / "zeit-massnahmen-plan.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    assert "Zeit-Maßnahmen-Plan Digitale Agenda Hagenow 2027–2029" in text
    for line in (
        "Software beauftragt 30.09.2027",
        "Online-Termine freigeschaltet 15.01.2028",
        "Auswertung nach einem Jahr 31.01.2029",
        "Standorte festgelegt 30.11.2027",
        "Fünf Zugangspunkte in Betrieb 30.06.2028",
        "Förderantrag gestellt 31.10.2027",
        "20 Geschäfte online 30.04.2028",
        "40 Geschäfte online 31.12.2028",
    ):
        assert line in text, line
    assert "Gewerbeverein Hagenow mit dem Stadtmarketing" in text
    assert "Anteil online gebuchter Termine 60 Prozent" in text
    html = (out / "zeit-massnahmen-plan.html").read_text(encoding="utf-8")
    assert '<ul class="gantt"' in html  # the timeline, drawn in HTML and CSS
    assert "url(fonts/" not in html and "url(data:font/ttf;base64," in html  # one file


@pytest.fixture
async def running(bot: Harness) -> AsyncIterator[Harness]:
    """The bot with its application started: /plan renders in a task."""
    await bot.app.start()
    try:
        yield bot
    finally:
        await bot.app.stop()


async def test_plan_command_sends_pdf_and_html_of_the_published_plan(running: Harness) -> None:
    bot = running
    staff = bot.user(STAFF_ID, "Sabine")
    await staff.send("/plan")
    assert "noch kein Zeit-Maßnahmen-Plan" in text_of(await staff.wait_for_reply())
    await adopt_example(bot.db, bot.consultation)
    text = (EXAMPLES / "plan-beispiel.yaml").read_text(encoding="utf-8")
    await plans.publish(bot.db, text, "plan-beispiel.yaml", None, bot.clock())
    await staff.send("/plan")
    deadline = time.monotonic() + 60
    while len([m for m in bot.api.chat(STAFF_ID) if m.document]) < 2:
        assert time.monotonic() < deadline, "no plan within 60 s"
        await asyncio.sleep(0.05)
    pdf, html = [m.document for m in bot.api.chat(STAFF_ID) if m.document is not None]
    assert [pdf.file_name, html.file_name] == [f"zeit-massnahmen-plan.{k}" for k in ("pdf", "html")]
    assert pdf.data is not None and "Förderantrag gestellt 31.10.2027" in _pdf_text(pdf.data)
    assert html.data is not None and "Fünf Zugangspunkte in Betrieb".encode() in html.data
    anna = bot.user(1001)
    await anna.send("/plan")
    assert "nur für die Mitarbeitenden" in text_of(await anna.wait_for_reply())
