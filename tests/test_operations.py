"""Running it for real: a damaged or missing database is one line and exit code 2, paths do not
depend on the current directory, start-up waits for Telegram, the webhook refuses posts without
its secret, /healthz answers, and no log line at DEBUG shows the token or the webhook secret."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from telegram.error import Forbidden

from bot.app import build_application
from bot.consultation.model import load_consultation
from bot.fake_telegram import FakeBotApi, FakeBotApiServer, FakeRequest, FakeUser
from bot.fake_telegram.limits import FaultMode
from bot.settings import DEFAULT_CONSULTATION, PROJECT_ROOT, Settings
from storage.integrity import DatabaseUnusable, quick_check

SECRET = "WebhookSecret_Nobody-May-See_42"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "PTB_TIMEDELTA": "true",
        "AGENDA_DATA_DIR": str(tmp_path),
        **extra,
    }


def run_cli(
    args: list[str], env: dict[str, str], cwd: Path = PROJECT_ROOT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class Bot:
    """`agenda-bot run` as its own process; its stderr collected in a file."""

    def __init__(self, tmp_path: Path, env: dict[str, str], *args: str) -> None:
        self.log_path = tmp_path / "bot.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run", *args],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, what: Callable[[], bool], label: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not what():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"not seen: {label}\n{self.log[-4000:]}")
            time.sleep(0.1)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        return self.process.wait(timeout=30)


@pytest.fixture
def server() -> Iterator[FakeBotApiServer]:
    with FakeBotApiServer(FakeBotApi()) as running:
        yield running


def telegram(server: FakeBotApiServer) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": server.api.token,
        "TELEGRAM_BASE_URL": server.base_url,
        "TELEGRAM_BASE_FILE_URL": server.base_file_url,
    }


def get_json(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


# ---------------------------------------------------------------- database and paths


def damaged_database(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE answers (id INTEGER PRIMARY KEY, text TEXT)")
    conn.executemany("INSERT INTO answers (text) VALUES (?)", [("x" * 200,)] * 2000)
    conn.commit()
    conn.close()
    data = bytearray(path.read_bytes())
    data[4096 * 3 : 4096 * 3 + 512] = b"\xff" * 512
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("damage", ["not a database", "damaged pages"])
def test_run_refuses_a_damaged_database_in_one_line_and_exits(
    tmp_path: Path, server: FakeBotApiServer, damage: str
) -> None:
    db = tmp_path / "agenda.sqlite3"
    if damage == "not a database":
        db.write_bytes(b"PK\x03\x04 this is a zip file, not the town's answers" * 100)
    else:
        damaged_database(db)
    before = db.read_bytes()
    result = run_cli(["run"], cli_env(tmp_path, **telegram(server)))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(db) in lines[0] and ("damaged" in lines[0] or "not an SQLite" in lines[0])
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == before, "a damaged database is left as it was, for a rescue"
    assert server.api.calls == [], "nothing was asked of Telegram"


def test_quick_check_names_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnusable, match="damaged"):
        quick_check(damaged_database(tmp_path / "a.sqlite3"))
    with pytest.raises(DatabaseUnusable, match="no such file"):
        quick_check(tmp_path / "missing.sqlite3")
    assert not (tmp_path / "missing.sqlite3").exists()


def test_a_command_that_reads_refuses_a_missing_database(tmp_path: Path) -> None:
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    result = run_cli(
        ["export", "--out", str(tmp_path / "x.xlsx")], cli_env(tmp_path), cwd=elsewhere
    )
    assert result.returncode == 2
    assert str(tmp_path / "agenda.sqlite3") in result.stderr and "no such file" in result.stderr
    assert not (tmp_path / "agenda.sqlite3").exists(), "no empty database is created"
    assert not (tmp_path / "x.xlsx").exists(), "and no empty workbook written"


def test_every_command_names_the_database_it_reads(tmp_path: Path) -> None:
    db = tmp_path / "agenda.sqlite3"
    sqlite3.connect(db).close()  # an empty database: migrated on open
    result = run_cli(["export", "--out", str(tmp_path / "x.xlsx")], cli_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert f"Datenbank (database): {db}" in result.stderr
    assert (tmp_path / "x.xlsx").is_file()


def test_relative_paths_are_inside_the_data_directory_wherever_one_stands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "hagenow.yaml").write_text("x: 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path.parent)
    env = {
        "AGENDA_DATA_DIR": str(tmp_path),
        "AGENDA_DB": "agenda.sqlite3",
        "AGENDA_CONSULTATION": "hagenow.yaml",
        "AGENDA_BACKUP_DIR": "backups",
    }
    settings = Settings.from_env(env)
    assert settings.db_path == tmp_path / "agenda.sqlite3"
    assert settings.consultation_path == tmp_path / "hagenow.yaml"
    assert settings.ops.backup_dir == tmp_path / "backups"
    absolute = Settings.from_env({**env, "AGENDA_DB": str(tmp_path / "x" / "db.sqlite3")})
    assert absolute.db_path == tmp_path / "x" / "db.sqlite3"
    # Without AGENDA_DATA_DIR: data/ in the project, not the current directory.
    assert Settings.from_env({}).db_path == PROJECT_ROOT / "data" / "agenda.sqlite3"


# ---------------------------------------------------------------- start-up, webhook, health, logs


def test_start_up_waits_for_telegram_then_polls_with_healthz_and_json_logs(
    tmp_path: Path,
) -> None:
    api = FakeBotApi()
    port, health_port = free_port(), free_port()
    env = cli_env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_BASE_URL=f"http://127.0.0.1:{port}/bot",
        TELEGRAM_BASE_FILE_URL=f"http://127.0.0.1:{port}/file/bot",
        AGENDA_HEALTH_LISTEN=f"127.0.0.1:{health_port}",
        AGENDA_LOG_FORMAT="json",
    )
    bot = Bot(tmp_path, env)
    try:
        bot.wait_for(lambda: "attempt 2:" in bot.log, "a second attempt", 60)
        with FakeBotApiServer(api, port=port):  # the network is back
            bot.wait_for(lambda: "Application started" in bot.log, "the bot polling", 90)
            status, health = get_json(f"http://127.0.0.1:{health_port}/healthz")
            assert status == 200
            assert health["status"] == "ok" and health["mode"] == "polling"
            assert health["database"] == "ok" and health["outbox_due"] == 0
            assert get_json(f"http://127.0.0.1:{health_port}/other")[0] == 404
            assert bot.stop() == 0
    finally:
        bot.stop()
    lines = [line for line in bot.log.splitlines() if line.strip()]
    assert lines[0].startswith("agenda-bot: Datenbank (database): ")
    records = [json.loads(line) for line in lines[1:]]  # every other line is one JSON record
    assert all({"time", "level", "logger", "message"} <= r.keys() for r in records)
    attempts = [r for r in records if "not reachable" in r["message"]]
    assert len(attempts) >= 2
    assert all(r["level"] == "WARNING" and r["logger"] == "bot.service.startup" for r in attempts)
    assert all("exception" not in r for r in attempts), "an expected network error: no traceback"
    assert any(r["message"] == "Application started" for r in records)
    assert api.token not in bot.log


def post_update(port: int, update: dict[str, object], secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/telegram", json.dumps(update).encode(), headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_the_webhook_handles_only_posts_with_the_secret_and_logs_no_secret(
    tmp_path: Path, server: FakeBotApiServer
) -> None:
    api = server.api
    webhook_port, health_port = free_port(), free_port()
    env = cli_env(
        tmp_path,
        **telegram(server),
        AGENDA_WEBHOOK_URL="https://agenda.example.org/telegram",
        AGENDA_WEBHOOK_LISTEN=f"127.0.0.1:{webhook_port}",
        AGENDA_WEBHOOK_SECRET=SECRET,
        AGENDA_HEALTH_LISTEN=f"127.0.0.1:{health_port}",
        AGENDA_LOG_LEVEL="DEBUG",
    )
    bot = Bot(tmp_path, env, "--webhook")
    anna = FakeUser(api, None, 1001, via_polling=True)
    try:
        bot.wait_for(lambda: "Application started" in bot.log, "the webhook server", 90)
        assert api.webhook == {"url": "https://agenda.example.org/telegram", "secret_token": SECRET}
        status, health = get_json(f"http://127.0.0.1:{health_port}/healthz")
        assert status == 200 and health["mode"] == "webhook" and health["database"] == "ok"
        assert health["last_update_at"] is None

        def start() -> dict[str, object]:
            message = api.receive(
                anna.user_json,
                {"text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]},
            )
            return {"update_id": api.next_update_id(), "message": message}

        assert post_update(webhook_port, start(), None) == 403
        assert post_update(webhook_port, start(), "a-wrong-secret-of-some-length") == 403
        time.sleep(1)
        assert anna.messages == [], "a post without the secret is never handled"

        assert post_update(webhook_port, start(), SECRET) == 200
        bot.wait_for(lambda: bool(anna.messages), "the bot's answer to /start")
        assert "Willkommen" in (anna.messages[0].text or "")
        bot.wait_for(
            lambda: (
                get_json(f"http://127.0.0.1:{health_port}/healthz")[1]["last_update_at"] is not None
            ),
            "the handled update in /healthz",
        )
        assert bot.stop() == 0
    finally:
        bot.stop()
    log = bot.log
    assert " DEBUG " in log and "httpx" in log, "DEBUG shows the HTTP client's lines"
    assert api.token not in log and api.token.split(":")[1] not in log
    assert SECRET not in log
    assert "<TELEGRAM_BOT_TOKEN>" in log and "<AGENDA_WEBHOOK_SECRET>" in log


def test_library_chatter_stays_out_of_the_log_below_debug() -> None:
    snippet = (
        "import logging; from bot.service import logs; logs.configure('INFO');"
        " logging.getLogger('apscheduler.scheduler').info('Scheduler started');"
        " logging.getLogger('httpx').info('HTTP Request: POST https://api.telegram.org/bot1:x');"
        " logging.getLogger('bot.run').info('starting bot')"
    )
    result = subprocess.run(
        [sys.executable, "-c", snippet],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stderr.count("\n") == 1 and "INFO bot.run: starting bot" in result.stderr


def test_a_health_port_in_use_is_one_line_and_exit_2(
    tmp_path: Path, server: FakeBotApiServer
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = cli_env(tmp_path, **telegram(server), AGENDA_HEALTH_LISTEN=f"127.0.0.1:{port}")
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "run"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 2, result.stderr[-3000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("agenda-bot: AGENDA_HEALTH_LISTEN: cannot listen on 127.0.0.1:")
    assert "Traceback" not in result.stderr


async def test_a_start_that_fails_half_way_closes_what_it_opened(tmp_path: Path) -> None:
    """The database is open when the commands are registered: Telegram refusing them must
    end the start with the error and close the database, whose thread would otherwise keep
    the process (the demo, a test, `agenda-bot run`) alive after the error."""
    api = FakeBotApi()
    api.faults = FaultMode(1.0, ("403",), methods=frozenset({"setMyCommands"}))
    env = {"TELEGRAM_BOT_TOKEN": api.token, "AGENDA_DB": str(tmp_path / "agenda.sqlite3")}
    app = build_application(
        Settings.from_env(env),
        load_consultation(DEFAULT_CONSULTATION),
        request=FakeRequest(api),
        get_updates_request=FakeRequest(api),
    )
    before = set(threading.enumerate())
    await app.initialize()
    assert app.post_init is not None
    with pytest.raises(Forbidden):
        await app.post_init(app)
    for thread in set(threading.enumerate()) - before:
        if not thread.daemon:  # a closed connection's thread ends within moments
            thread.join(timeout=10)
    left = [t for t in set(threading.enumerate()) - before if t.is_alive() and not t.daemon]
    assert left == [], "threads that keep the process alive"
    assert app.bot_data.services is None
    await app.shutdown()
