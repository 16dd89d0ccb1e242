"""`agenda-bot --help` and each command's help: German with English in brackets, and the
environment variables the command reads."""

from __future__ import annotations

import argparse
import re

import pytest

from bot.cli import parser
from bot.settings import PROJECT_ROOT


def commands() -> dict[str, argparse.ArgumentParser]:
    """Every command and subcommand by its full name ('run', 'draft publish', ...)."""
    found: dict[str, argparse.ArgumentParser] = {}

    def walk(prefix: str, current: argparse.ArgumentParser) -> None:
        for action in current._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    full = f"{prefix} {name}".strip()
                    found[full] = child
                    walk(full, child)

    walk("", parser())
    return found


def test_the_top_level_help_is_german_with_english(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["--help"])
    text = capsys.readouterr().out
    assert "Befehle (commands)" in text and "Hilfe zu einem Befehl" in text
    assert "diese Hilfe zeigen (show this help)" in text
    assert "show this help message" not in text


def test_every_command_has_german_help_with_english_in_brackets() -> None:
    root = parser()
    sub = next(a for a in root._actions if isinstance(a, argparse._SubParsersAction))
    for choice in sub._choices_actions:
        assert re.search(r"\(.+\)", choice.help or ""), choice.dest


def test_every_command_lists_the_variables_it_reads(capsys: pytest.CaptureFixture[str]) -> None:
    for name, command in commands().items():
        help_text = command.format_help()
        assert (
            "Umgebungsvariablen (environment):" in help_text
            or "Liest keine Umgebungsvariablen" in help_text
        ), name
    export = commands()["export"].format_help()
    assert "AGENDA_DB" in export and "AGENDA_DATA_DIR" in export


def test_run_help_names_every_setting() -> None:
    names = set()
    for path in (PROJECT_ROOT / "bot").rglob("*.py"):
        names |= set(re.findall(r"\"((?:AGENDA|TELEGRAM)_[A-Z_]+)\"", path.read_text("utf-8")))
    text = commands()["run"].format_help()
    missing = {n for n in names if n not in text and n != "TELEGRAM_BASE_FILE_URL"}
    assert not missing


def test_long_descriptions_are_wrapped_for_a_terminal() -> None:
    for name, command in commands().items():
        if command.description:
            widest = max(len(line) for line in command.description.splitlines())
            assert widest <= 100, name
