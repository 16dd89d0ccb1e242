"""End to end over real HTTP: `agenda-bot run` as its own process, polling a fake Telegram."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.consultation.model import load_consultation
from bot.fake_telegram import ChatMessage, FakeBotApi, FakeBotApiServer, FakeUser
from bot.settings import DEFAULT_CONSULTATION, PROJECT_ROOT

BEISPIELE = "Handel und Gewerbe: Gute Beispiele von anderswo"


def _command() -> list[str]:
    script = Path(sys.executable).with_name("agenda-bot")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script), "run"]
    return [sys.executable, "-m", "bot.cli", "run"]


def _always_open_consultation(tmp_path: Path) -> Path:
    """The Hagenow file with every questionnaire open, so the test does not expire in 2027."""
    text = DEFAULT_CONSULTATION.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(\s+)opens: \d{4}-\d\d-\d\d", r"\1opens: 2000-01-01", text)
    text = re.sub(r"(?m)^(\s+)closes: \d{4}-\d\d-\d\d", r"\1closes: 2099-12-30", text)
    text = re.sub(r"(?m)^purge_after: \d{4}-\d\d-\d\d", "purge_after: 2099-12-31", text)
    path = tmp_path / "consultation.yaml"
    path.write_text(text, encoding="utf-8")
    return path


async def _stop(process: asyncio.subprocess.Process) -> None:
    """Kill the bot if it still runs, and reap it."""
    if process.returncode is None:
        process.kill()
        await asyncio.wait_for(process.wait(), timeout=10)


@pytest.fixture
def server() -> Iterator[FakeBotApiServer]:
    with FakeBotApiServer(FakeBotApi()) as running:
        yield running


def _wait_until_commands_set(api: FakeBotApi, timeout: float) -> None:
    """The bot sets its commands in post_init: after that it is nearly up."""
    deadline = time.monotonic() + timeout
    while not api.commands() and time.monotonic() < deadline:
        time.sleep(0.2)


async def until(user: FakeUser, text: str, timeout: float = 15) -> ChatMessage:  # noqa: ASYNC109
    """Wait until one of the bot's two latest messages shows `text` (in its text or a button)."""
    deadline = time.monotonic() + timeout
    while True:
        for msg in reversed(user.messages[-2:]):
            if text in (msg.text or "") or any(text in label for label in msg.button_labels):
                return msg
        if time.monotonic() > deadline:
            seen = [(m.text or "")[:80] for m in user.messages[-3:]]
            raise AssertionError(f"the bot did not show {text!r} within {timeout}s; last: {seen}")
        await asyncio.sleep(0.05)


async def step(user: FakeUser, expected: str, *, send: str = "", click: str = "") -> None:
    """One user action, then wait for the bot's answer to contain `expected`."""
    if send:
        await user.send(send)
    else:
        await until(user, click)  # the button may come in the second of two messages
        await user.click(click)
    await user.wait_for_reply(timeout=15)
    await until(user, expected)


async def test_the_bot_process_onboards_and_records_a_questionnaire(
    tmp_path: Path, server: FakeBotApiServer
) -> None:
    api = server.api
    db_path = tmp_path / "agenda.sqlite3"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "PTB_TIMEDELTA": "true",
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_BASE_URL": server.base_url,
        "TELEGRAM_BASE_FILE_URL": server.base_file_url,
        "AGENDA_DB": str(db_path),
        "AGENDA_CONSULTATION": str(_always_open_consultation(tmp_path)),
    }
    stderr_path = tmp_path / "stderr.txt"
    with stderr_path.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            *_command(), cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )
    try:
        # Start-up (imports, database, commands) is not part of the first reply's time limit:
        # on a loaded machine it alone can take longer than that.
        await asyncio.to_thread(_wait_until_commands_set, api, 90)
        anna = FakeUser(api, None, 1001, via_polling=True)
        await step(anna, "Sprache", send="/start")
        await step(anna, "Datenschutz", click="Deutsch")
        await step(anna, "Für wen sprechen Sie?", click="Einverstanden")
        await step(anna, "Wie heißt Ihre Organisation?", click="Einzelhandel")
        await step(anna, "Welche Themen", send="Blumen Müller & Söhne")
        await step(anna, "✅ Einzelhandel / Gewerbe", click="Einzelhandel / Gewerbe")
        await step(anna, "namentlich nennen", click="Fertig")
        await step(anna, "Profil ist fertig", click="Ja, namentlich nennen")

        await step(anna, "Ihre Umfragen", send="/umfrage")
        await step(anna, "Welches Beispiel ist es?", click=BEISPIELE)
        await step(anna, "Wo gibt es das?", send="Ein Lieferdienst aller Läden der Innenstadt")
        await step(anna, "Woher kennen Sie das Beispiel?", click="Überspringen")
        await step(anna, "übertragen?", click="Selbst genutzt")
        await step(anna, "Was bräuchte es dafür", click="Ja, mit Anpassungen")
        await step(anna, "im Workshop kurz vorstellen", click="Überspringen")
        await step(anna, "– Ihre Antworten", click="Nein")
        await step(anna, "Vielen Dank", click="Abschließen")

        assert api.commands()[0]["command"] == "start"
        assert [c["command"] for c in api.commands(language_code="en")][:2] == [
            "start",
            "survey",
        ]
        assert "umfrage" in [c["command"] for c in api.commands()]

        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0
        log = stderr_path.read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in log and " ERROR " not in log
        assert api.token not in log, "the bot token leaked into the log"
    except BaseException:
        await _stop(process)
        print(stderr_path.read_text(encoding="utf-8", errors="replace")[-8000:], file=sys.stderr)
        raise
    finally:
        await _stop(process)

    with sqlite3.connect(db_path) as conn:
        people = conn.execute(
            "SELECT p.id, p.consent_version, p.onboarded_at, o.name, o.may_be_named "
            "FROM people p JOIN organisations o ON o.id = p.organisation_id "
            "WHERE p.telegram_id = 1001"
        ).fetchall()
        assert len(people) == 1
        person_id, consent, onboarded, org_name, named = people[0]
        assert consent == load_consultation(DEFAULT_CONSULTATION).consent_version
        assert onboarded is not None
        assert (org_name, named) == ("Blumen Müller & Söhne", 1)
        completed = conn.execute(
            "SELECT completed_at FROM responses WHERE person_id = ? AND questionnaire_id = ?",
            (person_id, "bp-handel"),
        ).fetchone()
        assert completed is not None and completed[0] is not None
        stored = dict(
            conn.execute(
                "SELECT question_id, value FROM answers WHERE person_id = ? "
                "AND questionnaire_id = 'bp-handel'",
                (person_id,),
            ).fetchall()
        )
    assert stored["beispiel"] == '"Ein Lieferdienst aller Läden der Innenstadt"'
    assert stored["wo"] is None and stored["bedarf"] is None
    assert stored["quelle"] == '"genutzt"'
