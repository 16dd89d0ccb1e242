"""Staff CLI without traps: `status` prints what /status shows, `check --db` warns about answered
questions gone from the file, publishing the same draft or plan twice does nothing, and
`measures adopt` makes the plan testable from the command line."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.settings import DEFAULT_CONSULTATION, PROJECT_ROOT
from tests.conftest import STAFF_ID, Harness
from tests.test_staff_and_menu import answered_by_carl

EXAMPLES = PROJECT_ROOT / "consultations"


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "AGENDA_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AGENDA_DB", str(tmp_path / "agenda.sqlite3"))


async def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The CLI beside the running bot (its own thread and event loop), on the bot's database."""
    capsys.readouterr()
    code = await asyncio.to_thread(main, list(args))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- status


async def test_status_prints_what_the_chat_shows(
    bot: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    await answered_by_carl(bot)
    staff = bot.user(STAFF_ID, "Sabine")
    before = len(staff.messages)
    await staff.send("/status")
    chat = "\n".join(m.text or "" for m in staff.messages[before:])

    code, out, err = await cli(capsys, "status")
    assert code == 0
    assert f"Datenbank (database): {bot.settings.db_path}" in err

    def same_day(text: str) -> str:  # the bot's clock is the test's, the CLI's is today's
        return re.sub(r"\((offen|geschlossen), bis", "(…, bis", text).strip()

    assert same_day(out) == same_day(chat)
    assert "Hotel <Stadt> Hagenow (Tourismus und Gastgewerbe) – Link noch nicht geöffnet" in out
    assert "Unternehmen / Gewerbe: eingeladen 1 · begonnen 1 · fertig 0" in out
    assert "<b>" not in out


def test_status_refuses_a_missing_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such file" in err[0] and str(tmp_path) in err[0]
    assert not (tmp_path / "agenda.sqlite3").exists()


# ---------------------------------------------------------------- check --db


async def test_check_warns_about_an_answered_question_gone_from_the_file(
    bot: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await answered_by_carl(bot)
    with sqlite3.connect(bot.settings.db_path) as conn:
        qn_id, q_id = conn.execute(
            "SELECT questionnaire_id, question_id FROM answers WHERE value IS NOT NULL"
        ).fetchone()
    data = yaml.safe_load(DEFAULT_CONSULTATION.read_text(encoding="utf-8"))
    questionnaire = next(q for q in data["questionnaires"] if q["id"] == qn_id)
    question = next(q for q in questionnaire["questions"] if q["id"] == q_id)
    question["id"] = "umbenannt"
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    code, out, err = await cli(capsys, "check", str(renamed), "--db", str(bot.settings.db_path))
    assert code == 0 and ": ok - " in out
    warnings = [line for line in err.splitlines() if "Warnung" in line]
    assert len(warnings) == 1
    assert f"Frage {q_id!r} in {qn_id!r} fehlt in der Datei" in warnings[0]
    assert "hat aber 1 Antwort(en) in der Datenbank" in warnings[0]

    # The file as shipped: no warning.
    code, out, err = await cli(
        capsys, "check", str(DEFAULT_CONSULTATION), "--db", str(bot.settings.db_path)
    )
    assert code == 0 and "Warnung" not in err


def test_check_with_a_missing_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nicht-da.sqlite3"
    assert main(["check", str(DEFAULT_CONSULTATION), "--db", str(missing)]) == 2
    assert "no such file - check the path given to --db" in capsys.readouterr().err
    assert not missing.exists()


# ---------------------------------------------------------------- draft, measures, plan


def _versions(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


async def test_draft_then_measures_then_plan_from_the_command_line_without_doubles(
    bot: Harness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await answered_by_carl(bot)  # someone to notify
    db = bot.settings.db_path
    draft = EXAMPLES / "entwurf-beispiel.yaml"
    code, out, _ = await cli(capsys, "draft", "publish", str(draft))
    assert code == 0 and "published as version 1" in out
    notices = _versions(db, "outbox")

    # The same file again (even with Windows line ends): nothing new, nobody messaged again.
    again = tmp_path / "entwurf.yaml"
    again.write_bytes(draft.read_bytes().replace(b"\n", b"\r\n"))
    code, out, _ = await cli(capsys, "draft", "publish", str(again))
    assert code == 0
    assert "unverändert – gleich der veröffentlichten Version 1, nichts getan" in out
    assert _versions(db, "draft_versions") == 1
    assert _versions(db, "outbox") == notices

    plan = str(EXAMPLES / "plan-beispiel.yaml")
    code, _, err = await cli(capsys, "plan", "check", plan)
    assert code == 1 and "is not adopted" in err

    code, _, err = await cli(capsys, "measures", "adopt", "v-termine", "t-wlna")
    assert code == 1
    assert "unknown measure 't-wlna' (did you mean 't-wlan'?)" in err
    assert "nichts geändert (nothing changed)" in err
    code, out, _ = await cli(capsys, "measures", "list")
    assert "beschlossen" not in out and "v-termine" in out

    code, out, err = await cli(capsys, "measures", "adopt", "v-termine", "t-wlan", "h-schaufenster")
    assert code == 0, err
    assert "t-wlan\tFreies WLAN" in out and "beschlossen (adopted)" in out
    assert "3 von" in out
    code, out, _ = await cli(capsys, "plan", "check", plan)
    assert code == 0 and "ok - 3 measures" in out

    code, out, _ = await cli(capsys, "plan", "publish", plan)
    assert code == 0 and "published" in out
    code, out, _ = await cli(capsys, "plan", "publish", plan)
    assert code == 0 and "unverändert – gleich dem veröffentlichten Plan, nichts getan" in out
    assert _versions(db, "plan_versions") == 1

    code, out, _ = await cli(capsys, "measures", "adopt", "--undo", "t-wlan")
    assert code == 0 and "zurückgenommen" in out
    code, _, err = await cli(capsys, "plan", "check", plan)
    assert code == 1 and "measure 't-wlan' is not adopted" in err


def test_measures_without_a_draft(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sqlite3.connect(tmp_path / "agenda.sqlite3").close()
    assert main(["measures", "adopt", "v-termine"]) == 1
    assert "kein Entwurf veröffentlicht" in capsys.readouterr().err
