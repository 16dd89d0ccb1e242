"""The database connection: WAL, foreign keys, numbered migrations, one writer at a time."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import aiosqlite

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file in storage/migrations."""

    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """All migrations shipped with the code, in order."""
    found = []
    for entry in resources.files("storage").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


def now_iso() -> str:
    """The current UTC time as stored in the database."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Database:
    """One aiosqlite connection; writes are serialised so transactions never interleave."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        """Open (creating if needed) and migrate the database at path."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        # With WAL, NORMAL keeps every committed answer across crashes of the bot (SQLite docs).
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA busy_timeout=5000")
        db = cls(conn)
        try:
            await db.migrate()
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        """Close the connection."""
        await self.conn.close()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: committed on success, rolled back on any error."""
        async with self._write_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                # Inside the try: a COMMIT that fails (a deferred constraint, a full disk)
                # must not leave the transaction open for the next writer.
                await self.conn.execute("COMMIT")
            except BaseException:
                # SQLite may have rolled back by itself; a second ROLLBACK would raise and
                # hide the original error.
                if self.conn.in_transaction:
                    await self.conn.execute("ROLLBACK")
                raise

    async def fetchall(self, sql: str, params: tuple[object, ...] = ()) -> list[aiosqlite.Row]:
        """Rows of a read query."""
        async with self.conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def fetchone(self, sql: str, params: tuple[object, ...] = ()) -> aiosqlite.Row | None:
        """The first row of a read query, or None."""
        async with self.conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def applied_migrations(self) -> list[int]:
        """Versions recorded in schema_migrations."""
        rows = await self.fetchall("SELECT version FROM schema_migrations ORDER BY version")
        return [row["version"] for row in rows]

    async def migrate(self) -> list[int]:
        """Apply every migration not yet recorded; return the versions applied now."""
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = set(await self.applied_migrations())
        applied = []
        for migration in migrations():
            if migration.version in done:
                continue
            async with self.write() as conn:
                # Another process may have applied it meanwhile; BEGIN IMMEDIATE serialises us.
                cursor = await conn.execute(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)
                )
                if await cursor.fetchone():
                    continue
                for statement in _statements(migration.sql):
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, now_iso()),
                )
            applied.append(migration.version)
        return applied


def _statements(sql: str) -> list[str]:
    """Split a migration into complete statements, as SQLite's own tokenizer sees them.

    A ``;`` ends a statement only where ``sqlite3.complete_statement`` agrees: not inside a
    comment, a string literal, a quoted name or a trigger body; two statements may share a line.
    """
    statements, start = [], 0
    for end, char in enumerate(sql, start=1):
        if char == ";" and sqlite3.complete_statement(sql[start:end]):
            statement = sql[start:end].strip()
            if statement != ";":
                statements.append(statement)
            start = end
    rest = sql[start:]
    if rest.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in rest.splitlines()
    ):
        raise ValueError(f"incomplete statement at the end of a migration: {rest.strip()[:60]}")
    return statements
