"""The audit trail: every staff action and every refused attempt leaves exactly one entry,
/audit shows them, ``agenda-bot audit`` prints them."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from telegram import Update

from bot.cli import main
from bot.documents.worker import RenderFailed
from bot.fake_telegram import FakeUser
from handlers.staff import is_staff_chat
from storage import audit, people
from storage import problems as problem_store
from storage import workshops as registrations
from storage.audit import ACTIONS
from storage.db import Database
from tests.conftest import STAFF_ID, START, Harness, onboard
from tests.outbox_support import add_people
from tests.test_draft import DRAFT
from tests.test_progress import WLAN, publish_example_plan
from tests.test_training import FIRM, firm_offers_typed

Line = tuple[str, str | None, bool, int | None]  # action, subject, refused, actor


class Trail:
    """The entries written since the last look."""

    def __init__(self, db: Database) -> None:
        self.db, self.seen = db, 0

    async def new(self) -> list[Line]:
        entries = await audit.entries(self.db)
        fresh = entries[self.seen :]
        self.seen = len(entries)
        return [(e.action, e.subject, e.refused, e.actor) for e in fresh]


async def staff_user(bot: Harness) -> FakeUser:
    staff = bot.user(STAFF_ID, "Sabine")
    bot.api.add_chat(STAFF_ID, "Sabine")
    return staff


async def test_broadcast_and_draft_actions_leave_one_entry_each(bot: Harness) -> None:
    trail = Trail(bot.db)
    await add_people(bot, range(700_001, 700_004))
    staff = await staff_user(bot)
    await staff.send("/rundschreiben")
    await staff.send("Neuer Raum")
    await staff.click("Alle (3)")
    assert await trail.new() == []  # preparing a broadcast changes nothing yet
    await staff.click("✅ An 3 senden")
    [(action, subject, refused, actor)] = await trail.new()
    assert (action, refused, actor) == ("broadcast", False, STAFF_ID)
    assert subject is not None and subject.startswith("broadcast:")
    await staff.click_data("BC:send")  # a second tap sends nothing and records nothing
    assert await trail.new() == []

    await staff.send_document("entwurf.yaml", DRAFT.format(n=1).encode())
    [(action, subject, _, _)] = await trail.new()
    assert action == "draft_upload"
    await staff.click("Veröffentlichen")
    assert await trail.new() == [("publish_draft", subject, False, STAFF_ID)]
    await staff.send("/prioritaeten")
    await staff.click("☆ Priorität h-fenster")
    await staff.click("◻️ Plan h-fenster")
    priority, adopt = await trail.new()
    assert (priority[0], adopt[0]) == ("priority", "adopt")
    assert priority[1] == adopt[1] and (priority[1] or "").startswith("measure:")
    entries = await audit.entries(bot.db, limit=2)
    assert [e.detail for e in entries] == ["on", "on"]


async def test_attendance_mapping_merge_and_progress_leave_one_entry_each(bot: Harness) -> None:
    trail = Trail(bot.db)
    staff = await staff_user(bot)
    anna = bot.user(601)
    await onboard(anna, organisation="Blumen Müller")
    await anna.send("/workshops")
    await anna.click("Anmelden: Workshop Einzelhandel / Gewerbe")
    await staff.send("/teilnehmer")
    await staff.click("Workshop Einzelhandel / Gewerbe (1/15)")
    await staff.click("○ 1. Blumen Müller")
    [(action, subject, _, actor)] = await trail.new()
    [reg] = await registrations.of_event(bot.db, "ws-handel")
    assert (action, subject, actor) == ("attendance", f"registration:{reg.id}", STAFF_ID)

    florist = bot.user(3001)
    await onboard(florist, group=FIRM, organisation="Floristik")
    await firm_offers_typed(florist, "Handwerk", "Florist/in", "2")
    await staff.send("/ausbildung")
    await staff.click("🔗 „Florist/in“ zuordnen")
    await staff.click("Handel / Verkauf")
    await staff.click("Verkäufer/in")
    [(action, subject, _, _)] = await trail.new()
    assert action == "mapping" and (subject or "").startswith("offer:")

    ids = []
    for person in (anna, florist):
        found = await people.by_telegram_id(bot.db, person.id)
        assert found is not None
        draft = await problem_store.start_draft(bot.db, found.id, "handel", now=START)
        await problem_store.update_draft(bot.db, draft.id, title="Internet lahm", description="x")
        await problem_store.submit(bot.db, draft.id, now=START)
        ids.append(draft.id)
    keep, gone = ids
    await staff.click_data(f"PM:ok:{gone}:{keep}")
    assert await trail.new() == [("problem_merge", f"problem:{gone}>{keep}", False, STAFF_ID)]
    await staff.click_data(f"PM:ok:{gone}:{keep}")  # stale now: nothing happens, nothing logged
    assert await trail.new() == []

    await publish_example_plan(bot)
    assert await trail.new() == []  # set up directly in storage: no staff action
    await onboard(staff, organisation="Stadtverwaltung Hagenow")
    await staff.send("/fortschritt")
    await staff.click(WLAN)
    await staff.click("✅ erreicht: Standorte festgelegt")
    assert await trail.new() == [("progress", "measure:t-wlan", False, STAFF_ID)]


async def test_digest_and_export_in_the_chat_leave_one_entry_each(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_worker(*_: object, **__: object) -> bytes:
        raise RenderFailed("not in this test")

    monkeypatch.setattr(bot.app.bot_data.renders, "run", no_worker)
    trail = Trail(bot.db)
    staff = await staff_user(bot)
    await bot.app.start()
    try:
        await staff.send("/digest ws-handel")
        await staff.wait_for_reply()
        await staff.send("/digest nix")  # unknown workshop: nothing was handed out
        await staff.send("/export")
        await staff.wait_for_reply()
    finally:
        await bot.app.stop()
    assert await trail.new() == [
        ("digest", "ws-handel", False, STAFF_ID),
        ("export", None, False, STAFF_ID),
    ]


async def test_every_refused_attempt_leaves_one_entry_and_changes_nothing(bot: Harness) -> None:
    trail = Trail(bot.db)
    anna = bot.user(1001)
    await onboard(anna)
    assert await trail.new() == []
    await anna.send("/status")
    await anna.send("/export extra words")
    await anna.click_data("DP:pub:1")
    await anna.click_data("PM:ok:2:1")
    await anna.send_document("entwurf.yaml", DRAFT.format(n=1).encode())
    await anna.send("/audit")
    assert "nur für die Mitarbeitenden" in (anna.last.text or "")
    assert await trail.new() == [
        ("command", "/status", True, 1001),
        ("command", "/export", True, 1001),
        ("button", "DP", True, 1001),
        ("button", "PM", True, 1001),
        ("command", "message", True, 1001),
        ("command", "/audit", True, 1001),
    ]


def _update(bot: Harness, user_id: int, chat: dict[str, object]) -> Update:
    message = {
        "message_id": 1,
        "date": 1,
        "chat": chat,
        "text": "/status",
        "from": {"id": user_id, "is_bot": False, "first_name": "S"},
    }
    return Update.de_json({"update_id": 1, "message": message}, bot.app.bot)


async def test_staff_are_staff_only_in_their_private_chat(bot: Harness) -> None:
    context = SimpleNamespace(services=bot.services)
    group = {"id": -100123, "type": "group", "title": "Rathaus"}
    private = {"id": STAFF_ID, "type": "private", "first_name": "S"}
    assert is_staff_chat(_update(bot, STAFF_ID, private), context)  # type: ignore[arg-type]
    assert not is_staff_chat(_update(bot, STAFF_ID, group), context)  # type: ignore[arg-type]
    assert not is_staff_chat(_update(bot, 1001, {**private, "id": 1001}), context)  # type: ignore[arg-type]


async def test_audit_shows_the_latest_entries_readably(bot: Harness) -> None:
    await audit.record(bot.db, "purge", actor=None, via="job", detail="people=3", now=START)
    await audit.record(bot.db, "invite_revoke", actor=None, subject="organisation:4", now=START)
    anna = bot.user(1001)
    await anna.send("/export")
    staff = await staff_user(bot)
    await staff.send("/audit")
    shown = staff.last.text or ""
    lines = shown.splitlines()
    assert "Protokoll" in lines[0]
    assert "⛔ 01.12.2026 10:00 – Befehl abgelehnt /export – ID 1001" in lines[1]
    assert "• 01.12.2026 10:00 – Einladungslink gesperrt organisation:4 – Kommandozeile" in shown
    assert "Aufbewahrungsfrist: Daten gelöscht (people=3) – automatisch" in shown
    # The /audit of a staff member is not itself an action: nothing more was recorded.
    assert len(await audit.entries(bot.db)) == 3


def test_every_action_has_a_label_in_both_languages() -> None:
    from tests.conftest import TEXTS

    for lang in ("de", "en"):
        for action in ACTIONS:
            shown = TEXTS.render_plain(lang, "audit_action", action=action).strip()
            assert shown and shown != action, (lang, action)


def test_cli_audit_prints_the_entries_since_a_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio
    from datetime import timedelta

    db_path = tmp_path / "agenda.sqlite3"

    async def prepare() -> None:
        db = await Database.open(db_path)
        try:
            await audit.record(db, "export", actor=9001, detail="xlsx", now=START)
            await audit.record(
                db,
                "command",
                actor=4242,
                subject="/export",
                refused=True,
                now=START + timedelta(days=2),
            )
        finally:
            await db.close()

    asyncio.run(prepare())
    monkeypatch.setenv("AGENDA_DB", str(db_path))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["audit"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:] == [
        "2026-12-01 10:00:00\t9001\texport\t\t\txlsx",
        "2026-12-03 10:00:00\t4242\tcommand\t/export\tja (yes)\t",
    ]
    assert main(["audit", "--since", "2026-12-02"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "2026-12-03 10:00:00\t4242\tcommand\t/export\tja (yes)\t"
    ]
    assert main(["export", "--out", str(tmp_path / "out.xlsx")]) == 0
    assert main(["problems", "merge", "1", "2"]) == 1  # refused: no such reports, no entry
    draft_file = tmp_path / "entwurf.yaml"
    draft_file.write_text(DRAFT.format(n=1), encoding="utf-8")
    assert main(["draft", "publish", str(draft_file)]) == 0
    assert main(["draft", "publish", str(draft_file)]) == 0  # the same again: nothing done
    assert main(["measures", "adopt", "h-fenster", "--priority"]) == 0
    capsys.readouterr()
    assert main(["audit"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()[1:]]
    assert [(r[2], r[3], r[5]) for r in rows if r[1] == "cli"] == [
        ("export", "", "xlsx"),
        ("publish_draft", "draft:1", "recipients=0"),
        ("adopt", "measure:h-fenster", "on"),
        ("priority", "measure:h-fenster", "on"),
    ]
