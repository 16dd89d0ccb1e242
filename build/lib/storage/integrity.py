"""Is a database file usable? ``PRAGMA quick_check`` before the bot or a command touches it, and
the mark that tells a demo database from a real one (SQLite's ``application_id`` header field)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

# "AGDM" in the file header: written by `agenda-bot demo`, so the demo may replace its own file
# and refuses any other.
DEMO_APPLICATION_ID = 0x4147444D
_TIMEOUT_S = 10.0


class DatabaseUnusable(Exception):
    """The database file is missing, unreadable or damaged; the message names the file."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"database {path}: {problem}")
        self.path = path
        self.problem = problem


def _connect_read_only(path: Path) -> sqlite3.Connection:
    # mode=ro: a check never creates the file; a missing one is an error, not a new database.
    return sqlite3.connect(
        f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=_TIMEOUT_S, isolation_level=None
    )


def quick_check(path: Path) -> None:
    """Raise DatabaseUnusable unless path is a readable SQLite database that passes quick_check."""
    if not path.exists():
        raise DatabaseUnusable(path, "no such file")
    if not path.is_file():
        raise DatabaseUnusable(path, "not a file")
    try:
        conn = _connect_read_only(path)
    except sqlite3.Error as error:
        raise DatabaseUnusable(path, f"cannot open ({error})") from None
    try:
        rows = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as error:
        raise DatabaseUnusable(path, _plain(str(error))) from None
    finally:
        conn.close()
    if rows != ["ok"]:
        shown = "; ".join(str(r) for r in rows[:3]) + (" ..." if len(rows) > 3 else "")
        raise DatabaseUnusable(path, f"damaged - quick_check found {len(rows)} problem(s): {shown}")


def _plain(message: str) -> str:
    if "not a database" in message:
        return "not an SQLite database (damaged, or another kind of file)"
    if "malformed" in message:
        return "damaged (database disk image is malformed)"
    if "unable to open" in message:
        return "cannot be read (permissions?)"
    if "locked" in message:
        return "locked by another process for more than 10 s"
    return message


def mark_demo(conn: sqlite3.Connection) -> None:
    """Mark an open database as made by the demo."""
    conn.execute(f"PRAGMA application_id = {DEMO_APPLICATION_ID}")


def is_demo_database(path: Path) -> bool:
    """Whether path is a database the demo made (False for any other file, readable or not)."""
    try:
        conn = _connect_read_only(path)
        try:
            row = conn.execute("PRAGMA application_id").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return bool(row) and row[0] == DEMO_APPLICATION_ID


def create_demo_database(path: Path) -> None:
    """Create an empty database at path, marked as the demo's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    try:
        mark_demo(conn)
        conn.commit()
    finally:
        conn.close()
