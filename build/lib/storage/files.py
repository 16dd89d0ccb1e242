"""Files only the bot's own user may read: the database and its WAL/SHM, the data directory,
rendered packs and exports (issue 12, item 8). Directories the bot creates are 0700, files 0600;
the command line sets the umask 077 at start (bot/cli/__init__.py), and the places that create
files set the mode explicitly too, so a different umask (a test, a library) changes nothing."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
DIR_MODE = 0o700
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def restrict_umask() -> None:
    """From now on, every file and directory this process creates is its user's alone."""
    os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """Create the directory (and missing parents) as 0700; an existing one is left as it is."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for created in missing:
        with contextlib.suppress(OSError):
            created.chmod(DIR_MODE)
    return path


def make_private(path: Path) -> None:
    """Set the file to 0600 if it exists and is ours (someone else's is left alone)."""
    with contextlib.suppress(OSError):
        if path.exists():
            path.chmod(FILE_MODE)


def private_database(path: Path) -> None:
    """Before SQLite opens it: the database file exists as 0600 (SQLite gives its WAL and SHM
    the database file's mode), and an existing database and its side files become 0600."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    for candidate in (path, *(Path(f"{path}{suffix}") for suffix in SQLITE_SIDE_FILES)):
        make_private(candidate)


@contextmanager
def open_private(path: Path, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """open() for writing a file that is 0600 from its first byte."""

    def opener(name: str, flags: int) -> int:
        return os.open(name, flags, FILE_MODE)

    with open(path, mode, opener=opener, **kwargs) as handle:
        make_private(path)  # an existing file keeps its mode through O_TRUNC
        yield handle


def write_private(path: Path, data: bytes | str, encoding: str = "utf-8") -> Path:
    """Write the whole file as 0600 (its directory created as 0700)."""
    private_dir(path.parent)
    if isinstance(data, str):
        with open_private(path, "w", encoding=encoding) as handle:
            handle.write(data)
    else:
        with open_private(path, "wb") as handle:
            handle.write(data)
    return path
