"""Requests by mail and retention from the command line: person find/export/erase, purge."""

from __future__ import annotations

import asyncio
import io
import os
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

import bot.cli.privacy as cli_privacy
from bot.cli import main
from bot.consultation.model import Consultation
from tests.conftest import start_harness, stop_harness
from tests.test_privacy import ANNA, BEN, enter_everywhere, scan


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "AGENDA_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AGENDA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AGENDA_DB", str(tmp_path / "agenda.sqlite3"))


async def two_people(tmp_path: Path, consultation: Consultation) -> tuple[list[str], list[str]]:
    """Anna and Ben, each with canaries everywhere; the bot stopped afterwards."""
    bot = await start_harness(tmp_path, consultation)
    try:
        anna = await enter_everywhere(bot, bot.user(ANNA), "ANNA")
        ben = await enter_everywhere(bot, bot.user(BEN, "Ben"), "BEN")
    finally:
        await stop_harness(bot)
    return anna, ben


def cli(*argv: str) -> int:
    return main(list(argv))


def audit_actions(db_path: Path) -> list[tuple[str, str | None, str]]:
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT action, subject, via FROM audit ORDER BY id").fetchall()
    finally:
        conn.close()
    return [(str(a), s, str(v)) for a, s, v in rows]


async def test_staff_find_copy_and_erase_a_person_on_a_request_by_mail(
    tmp_path: Path,
    consultation: Consultation,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    anna, ben = await two_people(tmp_path, consultation)
    db_path = tmp_path / "agenda.sqlite3"
    capsys.readouterr()

    assert await asyncio.to_thread(cli, "person", "find", "canary-anna") == 0
    found = capsys.readouterr().out
    assert found.startswith("P0001\tCANARY-ANNA-ORG\tretail") and "BEN" not in found
    assert await asyncio.to_thread(cli, "person", "find", "P0002") == 0
    assert "CANARY-BEN-ORG" in capsys.readouterr().out
    assert await asyncio.to_thread(cli, "person", "find", "niemand") == 1

    out = tmp_path / "anfrage"
    assert await asyncio.to_thread(cli, "person", "export", "P0001", "--out", str(out)) == 0
    [copy] = list(out.iterdir())
    assert oct(copy.stat().st_mode & 0o777) == "0o600"
    page = zipfile.ZipFile(io.BytesIO(copy.read_bytes())).read("daten.html").decode()
    assert "CANARY-ANNA-COMMENT" in page and "CANARY-BEN-COMMENT" not in page

    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert await asyncio.to_thread(cli, "person", "erase", "P0001") == 1
    assert "Nichts gelöscht" in capsys.readouterr().out
    assert anna[0].encode() in scan(db_path)

    monkeypatch.setattr("sys.stdin", io.StringIO("j\n"))
    assert await asyncio.to_thread(cli, "person", "erase", "P0001") == 0
    assert "P0001 gelöscht" in capsys.readouterr().out
    assert await asyncio.to_thread(cli, "person", "erase", "P0001", "--yes") == 1  # gone

    found_bytes = scan(db_path)
    for canary in [*anna, str(ANNA)]:
        assert canary.encode() not in found_bytes, canary
    for canary in ben:
        assert canary.encode() in found_bytes, canary
    assert audit_actions(db_path) == [
        ("person_find", None, "cli"),
        ("person_find", None, "cli"),
        ("person_find", None, "cli"),
        ("person_export", "P0001", "cli"),
        ("erase", "P0001", "cli"),
    ]


async def test_purge_waits_for_the_date_then_erases_everyone(
    tmp_path: Path,
    consultation: Consultation,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    anna, ben = await two_people(tmp_path, consultation)
    db_path = tmp_path / "agenda.sqlite3"
    backups = tmp_path / "backups"
    backups.mkdir()
    old_backup = backups / "agenda-2027-12-30-0300.sqlite3"
    old_backup.write_bytes(b"CANARY-ANNA-BACKUP")
    monkeypatch.setenv("AGENDA_BACKUP_DIR", str(backups))

    monkeypatch.setattr(cli_privacy, "now", lambda: datetime(2027, 12, 31, 12, tzinfo=UTC))
    assert await asyncio.to_thread(cli, "purge") == 1
    assert "erst nach dem 2027-12-31" in capsys.readouterr().out
    assert anna[0].encode() in scan(db_path) and old_backup.exists()

    monkeypatch.setattr(cli_privacy, "now", lambda: datetime(2028, 1, 1, 12, tzinfo=UTC))
    assert await asyncio.to_thread(cli, "purge", "--dry-run") == 0
    assert "fällig (due): 2 Personen" in capsys.readouterr().out
    assert anna[0].encode() in scan(db_path)

    assert await asyncio.to_thread(cli, "purge") == 0
    assert "Gelöscht: 2 Personen" in capsys.readouterr().out
    found = scan(db_path)
    for canary in [*anna, *ben, str(ANNA), str(BEN)]:
        assert canary.encode() not in found, canary
    assert not old_backup.exists(), "a backup made before the purge holds the purged data"
    assert audit_actions(db_path) == [("purge", None, "cli")]
