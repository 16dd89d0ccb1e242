"""Help texts shared by every command: what ``agenda-bot --help`` says, and the environment
variables each command reads, listed under its own ``--help`` (German, English in brackets)."""

from __future__ import annotations

import argparse
import textwrap

from bot.cli.common import Subparsers

DESCRIPTION = """\
agenda-bot – der Telegram-Bot der Digitalen Agenda: Befragung von Firmen, Schulen und Vereinen.
Die Befehle unten laufen auf dem Server; Einstellungen kommen aus Umgebungsvariablen.
(The Telegram bot of the Digitale Agenda; the commands below run on the server, settings come
from environment variables.)"""

EPILOG = """\
Hilfe zu einem Befehl (help on one command):  agenda-bot BEFEHL --help
Alle Einstellungen (all settings):  agenda-bot run --help, README ("Settings"),
deploy/agenda-bot.env.example.
Exit-Codes: 0 gut (ok), 1 Fehler (failed), 2 Einstellung, Befragungsdatei oder Datenbank
falsch (a setting, the consultation file or the database is wrong)."""

# Every variable, with its meaning.
ENVIRONMENT = {
    "TELEGRAM_BOT_TOKEN": "Token von @BotFather (the bot token)",
    "TELEGRAM_BASE_URL": "anderer Bot-API-Server (another Bot API server)",
    "AGENDA_DATA_DIR": "Datenverzeichnis (data directory); default: data/ im Projekt",
    "AGENDA_DB": "Datenbank, relativ zu AGENDA_DATA_DIR (default: agenda.sqlite3)",
    "AGENDA_CONSULTATION": "Befragungsdatei, relativ zu AGENDA_DATA_DIR (consultation file)",
    "AGENDA_STAFF_IDS": "Telegram-IDs der Mitarbeitenden, kommagetrennt (staff ids)",
    "AGENDA_ADMIN_IDS": "wer mit /team Mitarbeitende ändert (admins; default: AGENDA_STAFF_IDS)",
    "AGENDA_STAFF_CHAT": "Chat-ID einer Mitarbeitergruppe (a staff group)",
    "AGENDA_TIMEZONE": "leer lassen: die Zeitzone der Befragungsdatei gilt (leave empty)",
    "AGENDA_DIGEST_LEAD": "Briefing-Pack so lange vor dem Workshop (e.g. 48h)",
    "AGENDA_SEAT_OFFER_HOURS": "Stunden für einen frei gewordenen Platz (hours to take a seat)",
    "AGENDA_QUIET_HOURS": "keine Erinnerungen von-bis (no reminders; e.g. 20-8)",
    "AGENDA_QUIET_SUNDAY": "sonntags keine Erinnerungen (1/0)",
    "AGENDA_UPDATE_MAX_AGE": "ältere Nachrichten nur mit Entschuldigung (stale after; 24h)",
    "AGENDA_RENDER_WORKERS": "Prozesse für Unterlagen gleichzeitig (render workers; 2)",
    "AGENDA_WEBHOOK_URL": "öffentliche https-Adresse für --webhook (public URL)",
    "AGENDA_WEBHOOK_LISTEN": "lokale Adresse des Webhook-Servers (default: 127.0.0.1:8080)",
    "AGENDA_WEBHOOK_SECRET": "geheimer Token; ohne ihn 403 (secret token)",
    "AGENDA_HEALTH_LISTEN": "GET /healthz auf HOST:PORT (default: off)",
    "AGENDA_LOG_LEVEL": "DEBUG, INFO, WARNING, ERROR (default: INFO)",
    "AGENDA_LOG_FORMAT": "text oder json (default: text)",
    "AGENDA_BACKUP_DIR": "nächtliche Sicherung hierhin (nightly backups; default: off)",
    "AGENDA_BACKUP_KEEP": "so viele Sicherungen behalten (keep; default: 14)",
    "AGENDA_BACKUP_TIME": "Uhrzeit der Sicherung (default: 03:00)",
}
DATABASE = ("AGENDA_DATA_DIR", "AGENDA_DB", "AGENDA_CONSULTATION", "AGENDA_TIMEZONE")
TELEGRAM = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_BASE_URL")
# What each command reads; a command not named here reads the database and the consultation.
BY_COMMAND: dict[str, tuple[str, ...]] = {
    "run": tuple(ENVIRONMENT),
    "check": ("AGENDA_DATA_DIR", "AGENDA_CONSULTATION"),
    "demo": (),
    "invite": (*DATABASE, *TELEGRAM),
    "backup": ("AGENDA_DATA_DIR", "AGENDA_DB"),
    "restore": ("AGENDA_DATA_DIR", "AGENDA_DB"),
    "purge": (*DATABASE, "AGENDA_BACKUP_DIR"),
}


def environment_epilog(names: tuple[str, ...]) -> str:
    """The list of variables for a command's --help."""
    if not names:
        return "Liest keine Umgebungsvariablen (reads no environment variables)."
    width = max(len(n) for n in names)
    lines = [f"  {n:<{width}}  {ENVIRONMENT.get(n, '')}".rstrip() for n in names]
    return "Umgebungsvariablen (environment):\n" + "\n".join(lines)


def decorate(root: argparse.ArgumentParser, sub: Subparsers) -> None:
    """German and English for the top level; each command lists the variables it reads."""
    root.description, root.epilog = DESCRIPTION, EPILOG
    root.formatter_class = argparse.RawDescriptionHelpFormatter
    _german(root)
    root._positionals.title = "Befehle (commands)"
    for name, parser in sub.choices.items():
        _list_environment(parser, BY_COMMAND.get(name, DATABASE))


def _german(parser: argparse.ArgumentParser) -> None:
    """argparse's own words: the section titles and -h."""
    parser._positionals.title = "Argumente (arguments)"
    parser._optionals.title = "Optionen (options)"
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = "diese Hilfe zeigen (show this help)"


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
