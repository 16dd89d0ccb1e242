"""``agenda-bot backup FILE`` and ``agenda-bot restore FILE``."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.common import Env, Subparsers, fail, local_zone

ENV_HELP = """\
Umgebungsvariablen (environment):
  AGENDA_DATA_DIR, AGENDA_DB   die Datenbank (the database), see `agenda-bot run --help`"""


def register(sub: Subparsers) -> None:
    """Add ``backup`` and ``restore``."""
    backup = sub.add_parser(
        "backup",
        help="Datenbank sichern, auch im laufenden Betrieb (back up the database, also while"
        " the bot runs)",
        description="Schreibt eine vollständige, in sich stimmige Kopie der Datenbank nach FILE"
        " (SQLite-Backup; auch während der Bot läuft) und prüft sie. Die Datei allein zu kopieren"
        " reicht nicht (WAL). (Writes a consistent copy of the database to FILE while the bot"
        " may run, and checks it; copying the file alone is not a backup.)",
        epilog=ENV_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    backup.add_argument(
        "file", type=Path, help="Zieldatei oder Verzeichnis (target file or directory)"
    )
    backup.set_defaults(func=backup_command)
    restore = sub.add_parser(
        "restore",
        help="eine Sicherung zurückspielen (restore a backup; the bot must be stopped)",
        description="Ersetzt die Datenbank durch die Sicherung FILE. Verweigert, solange ein Bot"
        " mit dieser Datenbank läuft. Die bisherige Datenbank bleibt daneben liegen"
        " (<db>.before-restore-<Zeit>). (Replaces the database by the backup FILE; refuses while"
        " a bot runs on it; the replaced files are kept beside it.)",
        epilog=ENV_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    restore.add_argument("file", type=Path, help="die Sicherung (the backup file)")
    restore.set_defaults(func=restore_command)


def backup_command(args: argparse.Namespace, env: Env) -> int:
    """Write the backup; print its path."""
    from storage.backup import backup, backup_name

    db_path = env.database()
    target: Path = args.file
    if target.is_dir():
        target = target / backup_name(datetime.now(UTC).astimezone(local_zone(env.settings())))
    if target.exists():
        return fail(f"{target} exists - choose another name (nothing overwritten)")
    if target.resolve() == db_path.resolve():
        return fail(f"{target} is the database itself")
    backup(db_path, target)
    print(target)
    return 0


def restore_command(args: argparse.Namespace, env: Env) -> int:
    """Restore; say where the replaced files are."""
    from storage.backup import BotRunning, restore

    settings = env.settings()
    source: Path = args.file
    if source.resolve() == settings.db_path.resolve():
        return fail(f"{source} is the database itself")
    try:
        done = restore(source, settings.db_path, datetime.now(UTC))
    except BotRunning as error:
        return fail(str(error))
    print(f"agenda-bot: {source} -> {done.db_path}", file=sys.stderr)
    for path in done.set_aside:
        print(
            f"agenda-bot: bisherige Datei aufbewahrt (previous file kept): {path}", file=sys.stderr
        )
    print(done.db_path)
    return 0
