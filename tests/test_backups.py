"""Backups: a consistent copy while the bot writes, a restore that refuses while a bot runs on the
file and keeps what it replaces, and the nightly backup that keeps the newest N."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import build_application
from bot.cli import main
from bot.consultation.model import Consultation
from bot.fake_telegram import FakeBotApi, FakeRequest
from bot.service.backups import nightly_backup
from bot.settings import PROJECT_ROOT, Settings
from storage.backup import hold_run_lock
from storage.db import Database
from storage.integrity import quick_check


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "AGENDA_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AGENDA_DATA_DIR", str(tmp_path))


async def _make_db(path: Path, organisations: int) -> None:
    db = await Database.open(path)
    try:
        async with db.transaction() as conn:
            for n in range(organisations):
                await conn.execute(
                    "INSERT INTO organisations (name, group_id, invite_token, created_at)"
                    " VALUES (?, 'firm', ?, '2026-12-01T09:00:00+00:00')",
                    (f"Firma {n}", f"tok{n:013d}"),
                )
    finally:
        await db.close()


def make_db(path: Path, organisations: int) -> None:
    asyncio.run(_make_db(path, organisations))


def count(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT count(*) FROM organisations").fetchone()[0])


def test_a_backup_while_another_process_writes_is_consistent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "agenda.sqlite3"
    make_db(db_path, 50)
    stop = threading.Event()

    def writer() -> None:  # a bot writing in WAL mode, one committed row at a time
        conn = sqlite3.connect(db_path, timeout=30, isolation_level=None)
        n = 50
        while not stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO organisations (name, group_id, invite_token, created_at)"
                " VALUES (?, 'firm', ?, '2026-12-01T09:00:00+00:00')",
                (f"Firma {n}", f"tok{n:013d}"),
            )
            conn.execute("COMMIT")
            n += 1
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.2)
        assert main(["backup", str(tmp_path / "copy.sqlite3")]) == 0
    finally:
        stop.set()
        thread.join()
    copy = tmp_path / "copy.sqlite3"
    quick_check(copy)
    assert 50 <= count(copy) <= count(db_path)
    assert not Path(str(copy) + "-wal").exists(), "the backup is one self-contained file"
    assert oct(copy.stat().st_mode & 0o777) == "0o600", "personal data: owner only"
    out = capsys.readouterr()
    assert out.out.strip() == str(copy) and f"Datenbank (database): {db_path}" in out.err
    assert main(["backup", str(copy)]) == 1, "an existing file is never overwritten"


def test_restore_refuses_while_a_bot_runs_and_keeps_what_it_replaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "agenda.sqlite3"
    make_db(db_path, 3)
    assert main(["backup", str(tmp_path / "monday.sqlite3")]) == 0
    make_db(db_path, 0)  # a later day's database...
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("DELETE FROM organisations")
        conn.commit()  # ...where something went wrong
    # A running bot holds the run lock (here: a process that only holds it).
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path;"
            " from storage.backup import hold_run_lock;"
            " lock = hold_run_lock(Path(sys.argv[1])); print('held', flush=True); time.sleep(60)",
            str(db_path),
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        capsys.readouterr()
        assert main(["restore", str(tmp_path / "monday.sqlite3")]) == 1
        err = capsys.readouterr().err
        assert f"a bot is running on {db_path} (pid {holder.pid})" in err
        assert count(db_path) == 0, "nothing was touched"
    finally:
        holder.kill()
        holder.communicate()
    assert main(["restore", str(tmp_path / "monday.sqlite3")]) == 0
    assert count(db_path) == 3
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("agenda.sqlite3.before-restore-")]
    assert len(kept) == 1 and count(kept[0]) == 0, "the replaced database is kept, readable"
    # The lock is free again: a bot may start.
    hold_run_lock(db_path).close()


def test_restore_refuses_a_damaged_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "agenda.sqlite3"
    make_db(db_path, 2)
    (tmp_path / "bad.sqlite3").write_bytes(b"not a backup" * 100)
    assert main(["restore", str(tmp_path / "bad.sqlite3")]) == 2
    assert "bad.sqlite3" in capsys.readouterr().err
    assert count(db_path) == 2


def test_the_nightly_backup_keeps_the_newest_n(tmp_path: Path) -> None:
    db_path = tmp_path / "agenda.sqlite3"
    make_db(db_path, 4)
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "notes.txt").write_text("not ours", encoding="utf-8")
    night = datetime(2027, 3, 1, 3, 0, tzinfo=UTC)
    for day in range(4):
        nightly_backup(db_path, backups, 2, night + timedelta(days=day))
    names = sorted(p.name for p in backups.iterdir())
    assert names == [
        "agenda-2027-03-03-0300.sqlite3",
        "agenda-2027-03-04-0300.sqlite3",
        "notes.txt",
    ]
    assert count(backups / names[1]) == 4


def _written(directory: Path) -> list[Path]:
    return list(directory.iterdir())


async def test_the_running_bot_plans_the_nightly_backup(
    tmp_path: Path, consultation: Consultation
) -> None:
    await _make_db(tmp_path / "agenda.sqlite3", 4)
    # The running bot plans it at AGENDA_BACKUP_TIME, and the job writes one.
    api = FakeBotApi()
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": api.token,
            "AGENDA_DATA_DIR": str(tmp_path),
            "AGENDA_BACKUP_DIR": "nightly",
            "AGENDA_BACKUP_KEEP": "3",
            "AGENDA_BACKUP_TIME": "02:30",
        }
    )
    app = build_application(settings, consultation, request=FakeRequest(api), rate_limit=False)
    await app.initialize()
    assert app.post_init is not None and app.post_shutdown is not None
    await app.post_init(app)
    try:
        assert app.job_queue is not None
        (job,) = app.job_queue.get_jobs_by_name("nightly-backup")
        assert (
            job.job.trigger.fields[5].expressions[0].first,  # hour, minute
            job.job.trigger.fields[6].expressions[0].first,
        ) == (2, 30)
        await job.run(app)
        (written,) = _written(tmp_path / "nightly")
        assert count(written) == 4
    finally:
        await app.post_shutdown(app)
        await app.shutdown()
