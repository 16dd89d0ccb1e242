"""Progress after adoption: recording in the chat, followers told once, the report's statuses."""

from __future__ import annotations

import asyncio
import io
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot import progress, progress_notices
from bot.cli import main
from bot.consultation.model import Consultation
from bot.documents.kinds import PROGRESS
from bot.documents.pipeline import render_document
from bot.outbox.dispatch import Dispatcher
from bot.plan import Milestone
from storage import outbox, people
from storage import plan as plans
from storage import progress as store
from storage.db import Database
from tests.conftest import STAFF_ID, Harness, VirtualTime, onboard, text_of
from tests.outbox_support import on_time
from tests.test_plan import EXAMPLES, adopt_example

WLAN = "Freies WLAN in der Altstadt und am Bahnhof"


async def publish_example_plan(bot: Harness) -> None:
    """The example draft with three adopted measures and the example plan published."""
    await adopt_example(bot.db, bot.consultation)
    text = (EXAMPLES / "plan-beispiel.yaml").read_text(encoding="utf-8")
    await plans.publish(bot.db, text, "plan-beispiel.yaml", None, bot.clock())


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def progress_dispatcher(bot: Harness) -> Dispatcher:
    """The bot's dispatcher on virtual time with the measure_update policy."""
    found = on_time(bot, VirtualTime(), progress_notices.policies())
    bot.app.bot_data.dispatcher = found
    return found


def test_status_of_a_corridor() -> None:
    first, last = Milestone("a", date(2027, 3, 1)), Milestone("b", date(2027, 9, 1))
    reached = date(2027, 2, 20)
    assert progress.status([(first, reached), (last, reached)], date(2027, 4, 1)) == "done"
    assert progress.status([(first, None), (last, None)], date(2027, 3, 2)) == "late"
    assert progress.status([(first, None), (last, None)], date(2027, 3, 1)) == "on_time"
    assert progress.status([(first, reached), (last, None)], date(2027, 8, 1)) == "on_time"
    assert progress.parse_value(" 12,5 ") == 12.5
    for typed in ("zwölf", "1.000.000", "", "1e99"):
        try:
            progress.parse_value(typed)
        except progress.BadValue:
            continue
        raise AssertionError(typed)


async def test_staff_record_progress_and_a_follower_hears_of_it_once(bot: Harness) -> None:
    sender = progress_dispatcher(bot)
    await publish_example_plan(bot)
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/folgen")
    assert "Maßnahmen folgen" in text_of(anna.last)
    assert await anna.click(f"🔕 {WLAN}") == f"Sie folgen jetzt „{WLAN}“."
    assert f"🔔 {WLAN}" in anna.buttons()
    person = await people.by_telegram_id(bot.db, 1001)
    assert person is not None and await store.followed(bot.db, person.id) == {"t-wlan"}

    staff = bot.user(STAFF_ID, "Sabine")
    await onboard(staff, organisation="Stadtverwaltung Hagenow")
    await staff.send("/fortschritt")
    assert "Fortschritt erfassen" in text_of(staff.last)
    await staff.click(WLAN)
    assert "Standorte festgelegt (30.11.2027)" in text_of(staff.last)
    assert "im Zeitplan" in text_of(staff.last)
    await staff.click("✅ erreicht: Standorte festgelegt")
    assert "Meilenstein „Standorte festgelegt“ erreicht" in text_of(staff.messages[-2])
    assert "✅ Standorte festgelegt (30.11.2027) – erreicht am 01.12.2026" in text_of(staff.last)
    await staff.click("📊 Wert: Zugangspunkte in Betrieb")
    await staff.send("drei")
    assert "keine Zahl" in text_of(staff.last)
    await staff.send("3")
    assert "Zugangspunkte in Betrieb = 3" in text_of(staff.last)
    await sender.wait_idle()

    reached = await store.reached(bot.db)
    assert ("t-wlan", "Standorte festgelegt") in reached
    values = await store.latest_values(bot.db)
    assert values[("t-wlan", "Zugangspunkte in Betrieb")].value == 3.0
    # Anna follows the measure: one notice per entry, through the outbox; staff get none.
    notices = [text_of(m) for m in anna.messages if text_of(m).startswith("🔔")]
    assert len(notices) == 2
    assert "Meilenstein erreicht: Standorte festgelegt" in notices[0]
    assert "Zugangspunkte in Betrieb: neuer Wert 3" in notices[1]
    rows = await outbox.rows(bot.db, progress_notices.KIND)
    assert sorted(r.recipient for r in rows) == [1001, 1001]
    assert all(r.status == "sent" for r in rows)
    # Planning the same entry again adds nothing, and a second run sends nothing.
    assert await progress_notices.enqueue_updates(bot.services, rows[0].payload["entry"], WLAN) == 0
    assert (await sender.run()).sent == 0

    await anna.send("/folgen")
    await anna.click(f"🔔 {WLAN}")  # unfollow: no more notices
    await staff.send("/fortschritt")
    await staff.click(WLAN)
    await staff.click("📝 Notiz")
    await staff.send("x" * 501)
    assert "501 Zeichen" in text_of(staff.last)
    await staff.send("Ausschreibung läuft")
    assert "Notiz zu" in text_of(staff.last)
    await sender.wait_idle()
    assert len([m for m in anna.messages if text_of(m).startswith("🔔")]) == 2
    assert [n.note for n in await store.notes(bot.db)] == ["Ausschreibung läuft"]


async def test_report_shows_done_late_and_on_time(bot: Harness) -> None:
    await publish_example_plan(bot)
    for title in ("Standorte festgelegt", "Fünf Zugangspunkte in Betrieb"):
        await store.record(bot.db, "t-wlan", store.MILESTONE, bot.clock(), subject=title)
    await store.record(
        bot.db,
        "h-schaufenster",
        store.INDICATOR,
        bot.clock(),
        subject="Teilnehmende Geschäfte",
        value=12,
    )
    await store.record(bot.db, "h-schaufenster", store.NOTE, bot.clock(), note="Plattform gewählt")
    # 15 Oct 2027: "Software beauftragt" (30 Sep 2027) passed unreached; the shop window's
    # first milestone is due on 31 Oct 2027; the WLAN has reached all of its milestones.
    bot.clock.now = datetime(2027, 10, 15, 9, 0, tzinfo=UTC)
    plan = await progress.published_plan(bot.db, bot.consultation, bot.services.today())
    report = await progress.build_progress(bot.db, plan, bot.consultation.zone)
    assert [(m.measure_id, m.status) for m in report.measures] == [
        ("v-termine", "late"),
        ("h-schaufenster", "on_time"),
        ("t-wlan", "done"),
    ]
    assert report.counts() == {"done": 1, "late": 1, "on_time": 1}

    text = _pdf_text(render_document(PROGRESS, report).pdf)
    assert "erledigt 1 · im Verzug 1 · im Zeitplan 1" in " ".join(text.split())
    stands = [line for line in text.splitlines() if line.startswith("Stand: ")]
    assert stands == ["Stand: im Verzug", "Stand: im Zeitplan", "Stand: erledigt"]
    assert "Software beauftragt 30.09.2027 überfällig seit 15 Tagen" in text
    assert "Fünf Zugangspunkte in Betrieb 30.06.2028 erreicht am 01.12.2026" in text
    assert "Teilnehmende Geschäfte (Geschäfte) 12\n01.12.2026\n40 30 %" in text  # 12 of 40
    assert "01.12.2026: Plattform gewählt" in text


async def test_progress_is_for_staff_only(bot: Harness) -> None:
    await publish_example_plan(bot)
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/fortschritt")
    assert "nur für die Mitarbeitenden" in text_of(await anna.wait_for_reply())
    await anna.click_data("PG:ms:t-wlan:0")
    assert "nur für die Mitarbeitenden" in text_of(anna.last)
    assert await store.reached(bot.db) == {}


def test_cli_writes_the_progress_report(
    tmp_path: Path,
    consultation: Consultation,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db_path = tmp_path / "agenda.sqlite3"

    async def prepare() -> None:
        db = await Database.open(db_path)
        try:
            await adopt_example(db, consultation)
            text = (EXAMPLES / "plan-beispiel.yaml").read_text(encoding="utf-8")
            await plans.publish(db, text, "plan-beispiel.yaml", None, datetime.now(UTC))
            await store.record(
                db, "t-wlan", store.MILESTONE, datetime.now(UTC), subject="Standorte festgelegt"
            )
        finally:
            await db.close()

    asyncio.run(prepare())
    monkeypatch.setenv("AGENDA_DB", str(db_path))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    out = tmp_path / "out"
    assert main(["plan", "progress", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(out / f"fortschrittsbericht.{kind}") for kind in ("html", "pdf")]
    html = (out / "fortschrittsbericht.html").read_text(encoding="utf-8")
    assert "Fortschrittsbericht" in html and "Standorte festgelegt" in html
    assert (out / "fortschrittsbericht.pdf").read_bytes().startswith(b"%PDF")


async def test_report_button_sends_pdf_and_html(bot: Harness) -> None:
    await publish_example_plan(bot)
    staff = bot.user(STAFF_ID, "Sabine")
    await bot.app.start()
    try:
        await staff.send("/fortschritt")
        await staff.click("📄 Bericht")
        deadline = time.monotonic() + 60
        while len([m for m in bot.api.chat(STAFF_ID) if m.document]) < 2:
            assert time.monotonic() < deadline, "no report within 60 s"
            await asyncio.sleep(0.05)
    finally:
        await bot.app.stop()
    pdf, html = [m.document for m in bot.api.chat(STAFF_ID) if m.document is not None]
    assert [pdf.file_name, html.file_name] == [f"fortschrittsbericht.{k}" for k in ("pdf", "html")]
    assert pdf.data is not None and "Stand: im Zeitplan" in _pdf_text(pdf.data)
