"""The command line: ``agenda-bot COMMAND``; one module of this package per command group.

Adding a command: write ``bot/cli/<group>.py`` with ``register(sub: Subparsers) -> None`` that adds
its parser(s) and sets ``func`` (``def f(args: argparse.Namespace, env: Env) -> int``) with
``set_defaults``; add the module to ``COMMANDS`` below. Its words, help and messages alike, are
macros in ``templates/cli/<group>.j2`` (bot/cli/texts.py), German with English in brackets
(``help=text("backup_help")``: "Datenbank sichern (back up the database ...)"); the
environment variables a command reads are listed under its --help by bot/cli/helptext.py
(``BY_COMMAND``; default: the database and the consultation).
A command that needs the settings calls ``env.settings()`` (read once; logging then follows
AGENDA_LOG_LEVEL/AGENDA_LOG_FORMAT and the token and webhook secret are blanked out of every line).
A command that works on the database calls ``env.database()``: it names the file on stderr and
refuses a missing or damaged one. Expected failures print one line to stderr and return an exit
code; ``SettingsError`` and ``DatabaseUnusable`` become one line and exit code 2 here.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from bot.cli import (
    audit,
    backup,
    check,
    demo,
    digest,
    draft,
    export,
    invite,
    measures,
    plan,
    privacy,
    problems,
    run,
    status,
)
from bot.cli.common import EXIT_CONFIG, Env, note
from bot.cli.helptext import decorate
from bot.cli.texts import text
from bot.service import logs
from bot.settings import SettingsError
from storage.files import restrict_umask
from storage.integrity import DatabaseUnusable

COMMANDS = (
    run,
    check,
    status,
    invite,
    demo,
    digest,
    export,
    draft,
    plan,
    measures,
    problems,
    backup,
    privacy,
    audit,
)


def parser() -> argparse.ArgumentParser:
    """The argument parser with every command group registered."""
    root = argparse.ArgumentParser(prog="agenda-bot")
    sub = root.add_subparsers(dest="command", required=True, metavar=text("commands_metavar"))
    for module in COMMANDS:
        module.register(sub)
    decorate(root, sub)  # German and English; each command lists its variables
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    restrict_umask()  # the database, its WAL, packs, exports, links: the bot's user's alone
    args = parser().parse_args(argv)
    # Until the settings are read (Env.settings), the defaults; the token is hidden from then on.
    formatter = logs.configure(logs.early_level(os.environ))
    try:
        result: int = args.func(args, Env(formatter))
        return result
    except (SettingsError, DatabaseUnusable) as error:
        note(str(error))
        return EXIT_CONFIG
