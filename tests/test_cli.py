"""The command line: clear errors with exit codes, `check`, `invite import`, and `run` refusing
a broken consultation before it touches the network."""

from __future__ import annotations

import csv
import os
import re
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.fake_telegram import FakeBotApi, FakeBotApiServer
from bot.settings import DEFAULT_CONSULTATION, PROJECT_ROOT

TOKEN = "123456:CliTestToken"
LINK = re.compile(r"^https://t\.me/hagenow_agenda_bot\?start=([A-Za-z0-9_-]{16})$")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No setting of the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "AGENDA_")):
            monkeypatch.delenv(name)


def run_cli(
    args: list[str], env: dict[str, str], timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    """The CLI as its own process, with only the given environment."""
    base = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", "PTB_TIMEDELTA": "true"}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=PROJECT_ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# ---------------------------------------------------------------- configuration errors


def test_run_without_a_token_says_what_to_do(tmp_path: Path) -> None:
    result = run_cli(["run"], {"AGENDA_DB": str(tmp_path / "agenda.sqlite3")})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "TELEGRAM_BOT_TOKEN" in lines[0] and "@BotFather" in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "agenda.sqlite3").exists()


def test_run_with_a_bad_time_zone(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("AGENDA_TIMEZONE", "Mars/Olympus")
    assert main(["run"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "AGENDA_TIMEZONE" in lines[0] and "Mars/Olympus" in lines[0]


def test_run_with_a_time_zone_other_than_the_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("AGENDA_DB", str(tmp_path / "agenda.sqlite3"))
    monkeypatch.setenv("AGENDA_TIMEZONE", "Europe/Vienna")
    assert main(["run"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "AGENDA_TIMEZONE" in lines[0] and "Europe/Berlin" in lines[0]
    assert not (tmp_path / "agenda.sqlite3").exists()


def test_usage_errors_exit_with_argparse_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["frobnicate"])
    assert caught.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_run_with_a_rejected_token_neither_crashes_nor_leaks_it(tmp_path: Path) -> None:
    wrong = "999999:RevokedTokenNobodyMaySee"
    with FakeBotApiServer(FakeBotApi()) as server:
        result = run_cli(
            ["run"],
            {
                "TELEGRAM_BOT_TOKEN": wrong,
                "TELEGRAM_BASE_URL": server.base_url,
                "TELEGRAM_BASE_FILE_URL": server.base_file_url,
                "AGENDA_DB": str(tmp_path / "agenda.sqlite3"),
            },
        )
    assert result.returncode == 2
    assert wrong not in result.stderr + result.stdout
    assert "RevokedTokenNobodyMaySee" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("agenda-bot: TELEGRAM_BOT_TOKEN: rejected by Telegram"), last


def test_invite_import_with_telegram_unreachable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AGENDA_DB", str(tmp_path / "agenda.sqlite3"))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", f"http://127.0.0.1:{port}/bot")
    (tmp_path / "orgs.csv").write_text(ORGS, encoding="utf-8")
    assert main(["invite", "import", "orgs.csv"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("agenda-bot: cannot reach Telegram at http://")
    assert TOKEN not in err[0]
    assert not (tmp_path / "orgs-links.csv").exists()


# ---------------------------------------------------------------- check


def _type_line(text: str, questionnaire: int, question: int) -> int:
    """The 1-based line of questionnaires[i].questions[j].type in the YAML text."""

    def child(node: yaml.Node, key: str) -> yaml.Node:
        assert isinstance(node, yaml.MappingNode)
        found: yaml.Node = next(v for k, v in node.value if k.value == key)
        return found

    root = yaml.compose(text)
    assert root is not None
    qn = child(root, "questionnaires").value[questionnaire]
    return child(child(qn, "questions").value[question], "type").start_mark.line + 1


@pytest.fixture
def broken_consultation(tmp_path: Path) -> tuple[Path, int]:
    """A copy of the Hagenow file with `type: ratin` at questionnaires[2].questions[4]."""
    text = DEFAULT_CONSULTATION.read_text(encoding="utf-8")
    line = _type_line(text, 2, 4)
    lines = text.splitlines(keepends=True)
    lines[line - 1] = re.sub(r"type: \w+", "type: ratin", lines[line - 1])
    path = tmp_path / "broken.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    return path, line


def test_check_accepts_the_bundled_consultation(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT_ROOT)
    assert main(["check", "consultations/hagenow.yaml"]) == 0
    out = capsys.readouterr().out
    assert "ok" in out and "questionnaires" in out


def test_check_names_the_place_and_line_of_an_error(
    capsys: pytest.CaptureFixture[str], broken_consultation: tuple[Path, int]
) -> None:
    path, line = broken_consultation
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert "questionnaires[2].questions[4].type" in err
    assert f"{path}:{line}: questionnaires[2].questions[4].type" in err
    assert "ratin" in err and "rating" in err


def test_run_refuses_a_broken_consultation_before_any_network_access(
    tmp_path: Path, broken_consultation: tuple[Path, int]
) -> None:
    path, line = broken_consultation
    # A listening socket nobody may connect to: if the bot tried Telegram, we would see it.
    with socket.socket() as trap:
        trap.bind(("127.0.0.1", 0))
        trap.listen()
        trap.setblocking(False)
        port = trap.getsockname()[1]
        result = run_cli(
            ["run"],
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_BASE_URL": f"http://127.0.0.1:{port}/bot",
                "TELEGRAM_BASE_FILE_URL": f"http://127.0.0.1:{port}/file/bot",
                "AGENDA_CONSULTATION": str(path),
                "AGENDA_DB": str(tmp_path / "agenda.sqlite3"),
            },
        )
        with pytest.raises(BlockingIOError):
            trap.accept()
    assert result.returncode != 0
    assert str(path) in result.stderr and "AGENDA_CONSULTATION" in result.stderr
    assert f"{path}:{line}: questionnaires[2].questions[4].type" in result.stderr
    assert "Traceback" not in result.stderr
    assert TOKEN not in result.stderr + result.stdout
    assert not (tmp_path / "agenda.sqlite3").exists()


# ---------------------------------------------------------------- invite import

ORGS = (
    "name;group;contact\n"
    "Blumen Müller;retail;info@blumen-mueller.de\n"
    "Bäckerei Größe & Söhne;firm;\n"
    "Europaschule Hagenow;school;sekretariat@schule.example\n"
    "Heimatverein Hagenow e.V.;association;\n"
)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AGENDA_DB", str(tmp_path / "agenda.sqlite3"))
    return tmp_path


def _links(path: Path) -> dict[str, str]:
    # Written for German Excel: UTF-8 with BOM, semicolons.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    return {row["name"]: row["link"] for row in rows}


def test_invite_import_writes_one_link_per_organisation(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "orgs.csv").write_text(ORGS, encoding="utf-8")
    assert main(["invite", "import", "orgs.csv", "--bot", "hagenow_agenda_bot"]) == 0
    links = _links(workdir / "orgs-links.csv")
    assert list(links) == [
        "Blumen Müller",
        "Bäckerei Größe & Söhne",
        "Europaschule Hagenow",
        "Heimatverein Hagenow e.V.",
    ]
    tokens = []
    for link in links.values():
        match = LINK.match(link)
        assert match, link
        tokens.append(match[1])
    assert len(set(tokens)) == len(tokens)
    assert "4 Organisationen (organisations): 4 neu" in capsys.readouterr().out

    with sqlite3.connect(workdir / "agenda.sqlite3") as conn:
        stored = dict(conn.execute("SELECT name, invite_token FROM organisations").fetchall())
    assert stored == dict(zip(links, tokens, strict=True))

    # Importing the same file again (say, with one more contact) keeps every token.
    (workdir / "orgs.csv").write_text(
        ORGS.replace("Größe & Söhne;firm;", "Größe & Söhne;firm;backstube@example.org"),
        encoding="utf-8",
    )
    assert main(["invite", "import", "orgs.csv", "--bot", "@hagenow_agenda_bot"]) == 0
    assert _links(workdir / "orgs-links.csv") == links
    with sqlite3.connect(workdir / "agenda.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM organisations").fetchone()[0] == 4


def test_invite_import_reads_excel_files(workdir: Path) -> None:
    """Excel saves UTF-8 with a byte order mark, or Windows-1252; commas work too."""
    (workdir / "bom.csv").write_text(ORGS, encoding="utf-8-sig")
    (workdir / "ansi.csv").write_bytes(ORGS.replace(";", ",").encode("cp1252"))
    assert main(["invite", "import", "bom.csv", "--bot", "hagenow_agenda_bot"]) == 0
    assert main(["invite", "import", "ansi.csv", "--bot", "hagenow_agenda_bot"]) == 0
    assert _links(workdir / "bom-links.csv") == _links(workdir / "ansi-links.csv")
    assert "Bäckerei Größe & Söhne" in _links(workdir / "ansi-links.csv")


def test_invite_import_with_an_unknown_group_imports_nothing(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "orgs.csv").write_text(
        "name;group;contact\n"
        "Blumen Müller;retail;\n"
        "Café Zentral;gastro;\n"
        "\n"
        "Autohaus Schulz;firms;\n",
        encoding="utf-8",
    )
    assert main(["invite", "import", "orgs.csv", "--bot", "hagenow_agenda_bot"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3
    assert err[0].startswith("orgs.csv:3: unbekannte Gruppe (unknown group) 'gastro'")
    # Line numbers are the file's: the blank line counts.
    assert err[1].startswith("orgs.csv:5: unbekannte Gruppe (unknown group) 'firms'")
    assert "'firm'" in err[1]
    assert "nichts importiert (nothing imported)" in err[2] and "--partial" in err[2]
    assert not (workdir / "orgs-links.csv").exists()
    db = workdir / "agenda.sqlite3"
    if db.exists():
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM organisations").fetchone()[0] == 0


def test_invite_import_names_a_missing_column(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "orgs.csv").write_text("Name;Typ\nBlumen Müller;retail\n", encoding="utf-8")
    assert main(["invite", "import", "orgs.csv", "--bot", "hagenow_agenda_bot"]) == 1
    assert "orgs.csv:1: Spalte fehlt (missing column): group" in capsys.readouterr().err


def test_invite_import_without_bot_name_or_token(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "orgs.csv").write_text(ORGS, encoding="utf-8")
    assert main(["invite", "import", "orgs.csv"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "TELEGRAM_BOT_TOKEN" in err[0]
    assert not (workdir / "orgs-links.csv").exists()


@pytest.fixture
def telegram() -> Iterator[FakeBotApiServer]:
    with FakeBotApiServer(FakeBotApi(username="stadt_test_bot")) as server:
        yield server


def test_invite_import_with_a_rejected_token(
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    telegram: FakeBotApiServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "999999:RevokedTokenNobodyMaySee")
    monkeypatch.setenv("TELEGRAM_BASE_URL", telegram.base_url)
    (workdir / "orgs.csv").write_text(ORGS, encoding="utf-8")
    assert main(["invite", "import", "orgs.csv"]) == 2
    err = capsys.readouterr().err
    assert "TELEGRAM_BOT_TOKEN: rejected by Telegram" in err
    assert "RevokedTokenNobodyMaySee" not in err


def test_invite_import_asks_telegram_for_the_bot_name(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, telegram: FakeBotApiServer
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", telegram.api.token)
    monkeypatch.setenv("TELEGRAM_BASE_URL", telegram.base_url)
    (workdir / "orgs.csv").write_text(ORGS, encoding="utf-8")
    assert main(["invite", "import", "orgs.csv", "--out", "links.csv"]) == 0
    assert telegram.api.calls_of("getMe")
    assert not any(c.method.startswith("send") for c in telegram.api.calls)
    links = _links(workdir / "links.csv")
    assert len(links) == 4
    assert all(
        re.fullmatch(r"https://t\.me/stadt_test_bot\?start=[A-Za-z0-9_-]{16}", link)
        for link in links.values()
    )
