"""Backups of the database: a consistent copy while the bot runs (SQLite's online backup API),
a restore that refuses while a bot runs on the file, and the run lock that tells.

WAL mode keeps recent changes in ``<db>-wal``: copying the database file alone is not a backup.
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from storage.integrity import DatabaseUnusable, quick_check

_BACKUP_NAME = re.compile(r"^agenda-\d{4}-\d\d-\d\d-\d{4}\.sqlite3$")
_SIDE_FILES = ("-wal", "-shm")


class BotRunning(Exception):
    """A bot process holds the database's run lock."""

    def __init__(self, db_path: Path, pid: str) -> None:
        super().__init__(
            f"a bot is running on {db_path} (pid {pid or '?'}) - stop it first"
            " (e.g. systemctl stop agenda-bot)"
        )


def lock_path(db_path: Path) -> Path:
    """The run lock beside the database."""
    return db_path.with_name(db_path.name + ".lock")


def hold_run_lock(db_path: Path) -> IO[str]:
    """Take the database's run lock for the life of this process (released by the system when
    the process ends, however it ends); raise BotRunning if another process holds it."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path(db_path).open("a+", encoding="ascii")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        pid = handle.read().strip()
        handle.close()
        raise BotRunning(db_path, pid) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def backup(db_path: Path, target: Path) -> Path:
    """Copy the database consistently into target (a new file, mode 0600) and check the copy."""
    quick_check(db_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # all pages in one step: one consistent snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal
        finally:
            copy.close()
    finally:
        source.close()
    quick_check(partial)
    partial.replace(target)
    return target


def backup_name(now: datetime) -> str:
    """The file name of a nightly backup."""
    return f"agenda-{now:%Y-%m-%d-%H%M}.sqlite3"


def backup_files(directory: Path) -> list[Path]:
    """The nightly backups in directory, oldest first (none if it does not exist)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if _BACKUP_NAME.match(p.name))


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest keep nightly backups in directory; return those deleted. Only
    files named as nightly backups are touched."""
    ours = backup_files(directory)
    doomed = ours[:-keep] if keep > 0 else ours
    for path in doomed:
        path.unlink()
    return doomed


@dataclass(frozen=True)
class Restored:
    """What restore did: the database now, and where the replaced one was put."""

    db_path: Path
    set_aside: list[Path]


def restore(source: Path, db_path: Path, now: datetime) -> Restored:
    """Put a backup in place of the database. Refuses while a bot holds the run lock and a backup
    that fails quick_check; the current files are kept beside it (``.before-restore-<time>``)."""
    try:
        quick_check(source)
    except DatabaseUnusable as error:
        raise DatabaseUnusable(source, f"{error.problem} - not restored") from None
    lock = hold_run_lock(db_path)  # no bot may start while we swap the files
    try:
        stamp = f".before-restore-{now:%Y%m%d-%H%M%S}"
        aside = []
        for suffix in ("", *_SIDE_FILES):
            current = db_path.with_name(db_path.name + suffix)
            if current.exists():
                # <db><stamp>-wal beside <db><stamp>: SQLite still finds the pair together.
                moved = db_path.with_name(db_path.name + stamp + suffix)
                current.replace(moved)
                aside.append(moved)
        partial = db_path.with_name(db_path.name + ".partial")
        partial.unlink(missing_ok=True)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        copy = sqlite3.connect(partial)
        try:
            src.backup(copy)
        finally:
            copy.close()
            src.close()
        partial.replace(db_path)
        quick_check(db_path)
    finally:
        lock.close()
    return Restored(db_path, aside)
