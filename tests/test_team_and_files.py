"""Roles: admins add and remove staff in the chat (audited, numeric ids, private chats only);
files on disk: the database, its WAL and SHM, packs and exports are the bot's user's alone."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.fake_telegram import FakeBotApi
from bot.settings import Settings, SettingsError
from storage import audit
from storage.db import Database
from storage.files import restrict_umask
from tests.conftest import STAFF_ID, START, Harness, make_settings, onboard, text_of

NEW = 6_123_456_789  # above 2**31: newer Telegram accounts have such ids


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def lenient_umask() -> Iterator[None]:
    """A umask that lets others read: the modes must not depend on it."""
    before = os.umask(0o022)
    yield
    os.umask(before)


async def test_an_admin_adds_and_removes_staff_and_each_change_is_audited(bot: Harness) -> None:
    admin = bot.user(STAFF_ID, "Sabine")
    bot.api.add_chat(STAFF_ID, "Sabine")
    newcomer = bot.user(NEW, "Nina")
    await newcomer.send("/status")
    assert "nur für die Mitarbeitenden" in (newcomer.last.text or "")
    await admin.send("/team")
    assert f"ID {STAFF_ID} (Admin)" in (admin.last.text or "")
    await admin.send("/team Nina")
    assert "als Zahl" in (admin.last.text or "")
    await admin.send(f"/team {NEW}")
    before = len(await audit.entries(bot.db))
    await admin.click(f"➕ ID {NEW} hinzufügen")
    assert f"ID {NEW} gehört jetzt zu den Mitarbeitenden" in text_of(admin.messages[-2])
    await newcomer.send("/status")
    assert "Stand der Befragung" in (newcomer.last.text or "")
    # Staff added in the chat are not admins: /team is refused to them.
    await newcomer.send("/team")
    assert "nur für die Mitarbeitenden" in (newcomer.last.text or "")
    await admin.click(f"➖ ID {NEW} entfernen")
    await newcomer.send("/status")
    assert "nur für die Mitarbeitenden" in (newcomer.last.text or "")
    entries = (await audit.entries(bot.db))[before:]
    assert [(e.action, e.subject, e.actor, e.refused) for e in entries] == [
        ("staff_add", f"staff:{NEW}", STAFF_ID, False),
        ("command", "/team", NEW, True),
        ("staff_remove", f"staff:{NEW}", STAFF_ID, False),
        ("command", "/status", NEW, True),
    ]
    # A forged add button from someone else changes nothing and is recorded as refused.
    await newcomer.click_data(f"TM:add:u{NEW}")
    await newcomer.send("/status")
    assert "nur für die Mitarbeitenden" in (newcomer.last.text or "")


async def test_a_forwarded_message_offers_its_sender_others_forward_as_usual(
    bot: Harness,
) -> None:
    admin = bot.user(STAFF_ID, "Sabine")
    origin = {
        "type": "user",
        "date": 1,
        "sender_user": {"id": NEW, "is_bot": False, "first_name": "Nina"},
    }
    await admin._message({"text": "Hallo", "forward_origin": origin})
    assert admin.buttons() == [f"➕ ID {NEW} hinzufügen"]
    hidden = {"type": "hidden_user", "date": 1, "sender_user_name": "Nina"}
    await admin._message({"text": "Hallo", "forward_origin": hidden})
    assert "verrät Telegram die ID nicht" in (admin.last.text or "")
    anna = bot.user(1001)
    await onboard(anna)
    await anna._message({"text": "Hallo", "forward_origin": origin})
    assert "hinzufügen" not in " ".join(anna.buttons())
    assert not bot.services.is_staff(NEW)


def test_admin_ids_default_to_the_staff_ids(tmp_path: Path) -> None:
    api = FakeBotApi()
    assert make_settings(tmp_path, api).admin_ids == frozenset({STAFF_ID})
    settings = make_settings(tmp_path, api, AGENDA_ADMIN_IDS="42, 43")
    assert settings.admin_ids == frozenset({42, 43})
    with pytest.raises(SettingsError, match="AGENDA_ADMIN_IDS"):
        make_settings(tmp_path, api, AGENDA_ADMIN_IDS="@sabine")
    assert isinstance(settings, Settings)


@pytest.mark.usefixtures("lenient_umask")
def test_the_database_its_wal_and_shm_and_the_data_directory_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data" / "nested"

    async def use() -> None:
        db = await Database.open(data / "agenda.sqlite3")
        try:
            await audit.record(db, "export", actor=None, now=START)
            for suffix in ("", "-wal", "-shm"):
                assert _mode(Path(f"{data / 'agenda.sqlite3'}{suffix}")) == 0o600, suffix
        finally:
            await db.close()

    asyncio.run(use())
    assert _mode(data) == 0o700 and _mode(data.parent) == 0o700
    # An existing database with loose modes is tightened when opened.
    loose = tmp_path / "loose.sqlite3"
    loose.touch(mode=0o644)
    loose.chmod(0o644)
    asyncio.run(_create(loose))
    assert _mode(loose) == 0o600


@pytest.mark.usefixtures("lenient_umask")
def test_exports_written_by_the_command_line_are_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path = tmp_path / "agenda.sqlite3"
    asyncio.run(_create(db_path))
    monkeypatch.setenv("AGENDA_DB", str(db_path))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["export", "--out", str(tmp_path / "x" / "agenda.xlsx")]) == 0
    assert main(["export", "--out", str(tmp_path / "csv"), "--format", "csv"]) == 0
    files = [tmp_path / "x" / "agenda.xlsx", *sorted((tmp_path / "csv").iterdir())]
    assert len(files) > 2 and {_mode(f) for f in files} == {0o600}
    assert _mode(tmp_path / "x") == 0o700 and _mode(tmp_path / "csv") == 0o700
    assert os.umask(0o022) == 0o077  # main set it for everything else the command writes
    restrict_umask()
    assert os.umask(0o022) == 0o077


@pytest.mark.usefixtures("lenient_umask")
def test_a_rendered_pack_is_private(tmp_path: Path) -> None:
    from bot.documents.pipeline import Rendered, write_document

    paths = write_document(
        Rendered(html="<p>x</p>", pdf=b"%PDF-1.7"), tmp_path / "out", "ws-handel"
    )
    assert [_mode(p) for p in paths] == [0o600, 0o600]
    assert _mode(tmp_path / "out") == 0o700


async def _create(path: Path) -> None:
    db = await Database.open(path)
    await db.close()


async def test_staff_added_with_team_are_planned_for_digests_and_summaries(bot: Harness) -> None:
    from bot import digests, training_notices
    from storage import outbox
    from storage import staff as staff_store

    await staff_store.add(bot.db, NEW, by=STAFF_ID, now=bot.clock())
    bot.services.stored_staff = await staff_store.ids(bot.db)
    await digests.plan_digests(bot.db, bot.consultation, bot.settings, bot.clock())
    rows = await outbox.rows(bot.db, "digest")
    assert {r.recipient for r in rows} == {STAFF_ID, NEW}
    await training_notices.plan_summaries(bot.services)
    assert {r.recipient for r in await outbox.rows(bot.db, "training_summary")} == {STAFF_ID, NEW}
    # Removed again: the next planning drops that recipient's pending digests.
    await staff_store.remove(bot.db, NEW)
    bot.services.stored_staff = await staff_store.ids(bot.db)
    await digests.plan_digests(bot.db, bot.consultation, bot.settings, bot.clock())
    pending = [r for r in await outbox.rows(bot.db, "digest") if r.status == "pending"]
    assert {r.recipient for r in pending} == {STAFF_ID}
