"""Help shared by every command: ``agenda-bot --help`` and argparse's own words in German and
English, and the environment variables each command reads, listed under its own ``--help``
(the words: templates/cli/main.j2)."""

from __future__ import annotations

import argparse
import textwrap

from bot.cli.common import Subparsers
from bot.cli.texts import text

# Every variable a command may read, in the order `run --help` lists them; what each means is
# in templates/cli/main.j2.
ENVIRONMENT = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_BASE_URL",
    "AGENDA_DATA_DIR",
    "AGENDA_DB",
    "AGENDA_CONSULTATION",
    "AGENDA_STAFF_IDS",
    "AGENDA_ADMIN_IDS",
    "AGENDA_STAFF_CHAT",
    "AGENDA_TIMEZONE",
    "AGENDA_DIGEST_LEAD",
    "AGENDA_SEAT_OFFER_HOURS",
    "AGENDA_QUIET_HOURS",
    "AGENDA_QUIET_SUNDAY",
    "AGENDA_UPDATE_MAX_AGE",
    "AGENDA_RENDER_WORKERS",
    "AGENDA_WEBHOOK_URL",
    "AGENDA_WEBHOOK_LISTEN",
    "AGENDA_WEBHOOK_SECRET",
    "AGENDA_HEALTH_LISTEN",
    "AGENDA_LOG_LEVEL",
    "AGENDA_LOG_FORMAT",
    "AGENDA_BACKUP_DIR",
    "AGENDA_BACKUP_KEEP",
    "AGENDA_BACKUP_TIME",
)
DATABASE = ("AGENDA_DATA_DIR", "AGENDA_DB", "AGENDA_CONSULTATION", "AGENDA_TIMEZONE")
TELEGRAM = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_BASE_URL")
# What each command reads; a command not named here reads the database and the consultation.
BY_COMMAND: dict[str, tuple[str, ...]] = {
    "run": ENVIRONMENT,
    "check": ("AGENDA_DATA_DIR", "AGENDA_CONSULTATION"),
    "demo": (),
    "invite": (*DATABASE, *TELEGRAM),
    "backup": ("AGENDA_DATA_DIR", "AGENDA_DB"),
    "restore": ("AGENDA_DATA_DIR", "AGENDA_DB"),
    "purge": (*DATABASE, "AGENDA_BACKUP_DIR"),
}


def environment_epilog(names: tuple[str, ...]) -> str:
    """The list of variables for a command's --help."""
    return text("environment_epilog", names=names)


def decorate(root: argparse.ArgumentParser, sub: Subparsers) -> None:
    """German and English for the top level; each command lists the variables it reads."""
    root.description, root.epilog = text("root_description"), text("root_epilog")
    root.formatter_class = argparse.RawDescriptionHelpFormatter
    _german(root)
    root._positionals.title = text("commands_title")
    for name, parser in sub.choices.items():
        _list_environment(parser, BY_COMMAND.get(name, DATABASE))


def _german(parser: argparse.ArgumentParser) -> None:
    """argparse's own words: the section titles and -h."""
    parser._positionals.title = text("arguments_title")
    parser._optionals.title = text("options_title")
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = text("help_help")


def _list_environment(parser: argparse.ArgumentParser, names: tuple[str, ...]) -> None:
    _german(parser)
    if parser.epilog is None:
        parser.epilog = environment_epilog(names)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
    if parser.description and "\n" not in parser.description:  # raw from here: wrap it once
        parser.description = textwrap.fill(parser.description, 88, break_on_hyphens=False)
    for action in parser._actions:  # subcommands (draft check, plan render ...) read the same
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _list_environment(child, names)
