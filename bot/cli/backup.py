"""``agenda-bot backup FILE`` and ``agenda-bot restore FILE``."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.common import Env, Subparsers, fail, local_zone, note
from bot.cli.texts import text


def register(sub: Subparsers) -> None:
    """Add ``backup`` and ``restore``."""
    backup = sub.add_parser(
        "backup",
        help=text("backup_help"),
        description=text("backup_description"),
        epilog=text("backup_environment"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    backup.add_argument("file", type=Path, help=text("backup_file_help"))
    backup.set_defaults(func=backup_command)
    restore = sub.add_parser(
        "restore",
        help=text("restore_help"),
        description=text("restore_description"),
        epilog=text("backup_environment"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    restore.add_argument("file", type=Path, help=text("restore_file_help"))
    restore.set_defaults(func=restore_command)


def backup_command(args: argparse.Namespace, env: Env) -> int:
    """Write the backup; print its path."""
    from storage.backup import backup, backup_name

    db_path = env.database()
    target: Path = args.file
    if target.is_dir():
        target = target / backup_name(datetime.now(UTC).astimezone(local_zone(env.settings())))
    if target.exists():
        return fail(text("backup_target_exists", target=target))
    if target.resolve() == db_path.resolve():
        return fail(text("backup_is_the_database", path=target))
    backup(db_path, target)
    print(target)
    return 0


def restore_command(args: argparse.Namespace, env: Env) -> int:
    """Restore; say where the replaced files are."""
    from storage.backup import BotRunning, restore

    settings = env.settings()
    source: Path = args.file
    if source.resolve() == settings.db_path.resolve():
        return fail(text("backup_is_the_database", path=source))
    try:
        done = restore(source, settings.db_path, datetime.now(UTC))
    except BotRunning as error:
        return fail(str(error))
    note(text("restore_done", source=source, target=done.db_path))
    for path in done.set_aside:
        note(text("restore_kept", path=path))
    print(done.db_path)
    return 0
