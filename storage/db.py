"""The database: WAL, foreign keys, numbered migrations, and a unit of work.

Unit of work (UoW API)
----------------------
``async with db.transaction():`` opens one write transaction for the current task. Every
storage function the task calls inside it joins that transaction: their ``db.write()`` blocks
become savepoints of it, and their reads (``db.fetchall``/``db.fetchone``) go through the
writer connection, so they see the task's own uncommitted writes. The whole block commits
when it ends, or rolls back entirely if it raises: a change and the outbox rows it implies
commit together or not at all::

    async with db.transaction():
        broadcast_id = await broadcasts.create(db, ...)
        await outbox.enqueue_many(db, planned, now)

- Re-entering is a join, never a second lock: ``transaction()`` or ``write()`` inside the
  task's open transaction opens a savepoint (an inner block that raises undoes only its own
  writes, if the caller catches the error). Storage functions keep their signatures.
- ``db.write()`` outside a transaction is a transaction of its own (as before).
- Reads outside any transaction use a separate read connection; with WAL it sees only
  committed rows, never another task's open transaction.
- The transaction belongs to the task that opened it: a task created inside the block (it
  inherits the context) does not join it and waits for the lock like anyone else. So never
  await, inside a transaction, another task that writes: that would deadlock.
- Keep transactions short: no Telegram calls inside one (other writers wait meanwhile).
- If another process holds the write lock longer than the busy timeout, opening the
  transaction waits and retries with backoff (``LockWait``) instead of failing.

Time
----
In Python a moment is an aware ``datetime`` in UTC; in SQL it is ISO 8601 text in UTC with
whole seconds (``iso()``; ``from_iso()`` reads it back), so moments compare as text. Storage
never reads the clock: callers pass ``now``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Protocol

import aiosqlite

from storage.files import private_database
from storage.integrity import DatabaseUnusable

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
BUSY_TIMEOUT_MS = 5000  # SQLite's own wait for a lock, per attempt


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file in storage/migrations."""

    version: int
    name: str
    sql: str

    @property
    def rebuilds(self) -> bool:
        """Whether it rebuilds a table (SQLite's 12 steps): it runs with foreign keys off, so
        dropping the old table deletes nothing, and is checked with foreign_key_check."""
        return self.sql.startswith(REBUILD_MARK)


REBUILD_MARK = "-- rebuild: foreign keys off"


class MigrationFailed(Exception):
    """A migration that would leave the database inconsistent; nothing of it was kept."""


def migrations() -> list[Migration]:
    """All migrations shipped with the code, in order."""
    found = []
    for entry in resources.files("storage").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


def iso(moment: datetime) -> str:
    """An aware moment as stored: UTC, ISO 8601, whole seconds."""
    if moment.tzinfo is None:
        raise ValueError("stored times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    """A stored moment back as an aware UTC datetime."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class _Open:
    """The transaction a task has open on a database."""

    db: Database
    task: asyncio.Task[object] | None
    depth: int


_OPEN: ContextVar[_Open | None] = ContextVar("agenda_open_transaction", default=None)


class CommitHook(Protocol):
    """Work that commits with the current task's next outermost transaction (set in
    ``commit_hook``): the inbox marks its update handled in the transaction of the change the
    update caused (bot/service/inbox.py), so the change and "handled" are stored together or not
    at all."""

    async def before_commit(self, conn: aiosqlite.Connection) -> None: ...

    def after_commit(self) -> None: ...


commit_hook: ContextVar[CommitHook | None] = ContextVar("commit_hook", default=None)


@dataclass(frozen=True)
class LockWait:
    """How long to wait for a write lock another process holds: backoff between attempts."""

    first: float = 0.2  # seconds after the first busy timeout
    factor: float = 2.0
    most: float = 5.0  # the longest pause between two attempts
    attempts: int = 0  # 0: wait as long as it takes (a person's answer is never dropped)


def _locked(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) and "locked" in str(error).lower()


class Database:
    """A writer connection (one transaction at a time) and a read connection."""

    def __init__(
        self,
        conn: aiosqlite.Connection,
        reader: aiosqlite.Connection | None = None,
        lock_wait: LockWait | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.conn = conn  # the writer
        self.reader = reader or conn  # ':memory:' has no second connection to the same data
        self.lock_wait = lock_wait or LockWait()
        self._sleep = sleep
        self._write_lock = asyncio.Lock()
        self.lock_retries = 0  # how often a write waited for another process's lock

    @classmethod
    async def open(cls, path: Path | str, lock_wait: LockWait | None = None) -> Database:
        """Open (creating if needed) and migrate the database at path."""
        memory = str(path) == ":memory:"
        if not memory:
            # Created 0600 in a 0700 directory; SQLite gives WAL and SHM the same mode. On an
            # error (a directory, an unwritable place) SQLite says below what is wrong.
            with contextlib.suppress(OSError):
                private_database(Path(path))
        try:
            conn = await _connect(path)
        except sqlite3.Error as error:
            raise DatabaseUnusable(Path(path), f"cannot open ({error})") from None
        reader = None
        try:
            db = cls(conn, lock_wait=lock_wait)
            await db._retry_locked(lambda: conn.execute("PRAGMA journal_mode=WAL"))
            await db.migrate()
            if not memory:
                reader = await _connect(path)
                await reader.execute("PRAGMA query_only=ON")
                db.reader = reader
        except BaseException as error:
            # Closed on any failure: aiosqlite's thread would otherwise keep the process alive.
            await conn.close()
            if reader is not None:
                await reader.close()
            if isinstance(error, sqlite3.DatabaseError) and not isinstance(
                error, sqlite3.OperationalError
            ):
                raise DatabaseUnusable(Path(path), str(error)) from None
            raise
        return db

    async def close(self) -> None:
        """Close both connections."""
        if self.reader is not self.conn:
            await self.reader.close()
        await self.conn.close()

    def _open_here(self) -> _Open | None:
        """The current task's open transaction on this database, if any."""
        found = _OPEN.get()
        if found is None or found.db is not self:
            return None
        if found.task is not asyncio.current_task():
            return None  # inherited by a task created inside the block: not its transaction
        return found

    def in_transaction(self) -> bool:
        """Whether the current task has a transaction open on this database."""
        return self._open_here() is not None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """The current task's unit of work: joined if open, else a new write transaction."""
        joined = self._open_here()
        if joined is not None:
            async with self._savepoint(joined):
                yield self.conn
            return
        async with self._write_lock:
            await self._retry_locked(lambda: self.conn.execute("BEGIN IMMEDIATE"))
            token = _OPEN.set(_Open(self, asyncio.current_task(), 0))
            try:
                yield self.conn
                hook = commit_hook.get()
                if hook is not None:
                    await hook.before_commit(self.conn)
                # Inside the try: a COMMIT that fails (a deferred constraint, a full disk)
                # must not leave the transaction open for the next writer.
                await self.conn.execute("COMMIT")
                if hook is not None:
                    hook.after_commit()
            except BaseException:
                # SQLite may have rolled back by itself; a second ROLLBACK would raise and
                # hide the original error.
                if self.conn.in_transaction:
                    await self.conn.execute("ROLLBACK")
                raise
            finally:
                _OPEN.reset(token)

    # Storage functions write with ``async with db.write() as conn``: the same thing.
    write = transaction

    @asynccontextmanager
    async def _savepoint(self, outer: _Open) -> AsyncIterator[None]:
        name = f"uow_{outer.depth + 1}"
        await self.conn.execute(f"SAVEPOINT {name}")
        token = _OPEN.set(_Open(self, outer.task, outer.depth + 1))
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                await self.conn.execute(f"ROLLBACK TO {name}")
                await self.conn.execute(f"RELEASE {name}")
            raise
        else:
            await self.conn.execute(f"RELEASE {name}")
        finally:
            _OPEN.reset(token)

    async def _retry_locked(self, step: Callable[[], Awaitable[object]]) -> None:
        """Run `step`; while another process holds the lock past the busy timeout, wait with
        backoff and try again (see LockWait)."""
        wait, attempt = self.lock_wait.first, 0
        while True:
            try:
                await step()
                return
            except sqlite3.OperationalError as error:
                attempt += 1
                if not _locked(error) or 0 < self.lock_wait.attempts <= attempt:
                    raise
                self.lock_retries += 1
                log.warning("database locked by another process; trying again in %.1f s", wait)
                await self._sleep(wait)
                wait = min(wait * self.lock_wait.factor, self.lock_wait.most)

    async def checkpoint(self) -> None:
        """Copy the WAL into the database file and empty it (after an erasure: the old pages
        leave the WAL too). Waits for the task's turn like a write."""
        async with self._write_lock:
            await self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _reading(self) -> aiosqlite.Connection:
        return self.conn if self._open_here() is not None else self.reader

    async def fetchall(self, sql: str, params: tuple[object, ...] = ()) -> list[aiosqlite.Row]:
        """Rows of a read query (inside the task's transaction: with its own writes)."""
        async with self._reading().execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def fetchone(self, sql: str, params: tuple[object, ...] = ()) -> aiosqlite.Row | None:
        """The first row of a read query, or None."""
        async with self._reading().execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def applied_migrations(self) -> list[int]:
        """Versions recorded in schema_migrations."""
        rows = await self.fetchall("SELECT version FROM schema_migrations ORDER BY version")
        return [row["version"] for row in rows]

    async def migrate(self, now: datetime | None = None) -> list[int]:
        """Apply every migration not yet recorded; return the versions applied now.

        `now` is recorded as the time applied (default: the system clock, the one place
        outside a caller that reads it: a migration runs before any clock is injected).
        """
        stamp = iso(now or datetime.now(UTC))
        await self._retry_locked(
            lambda: self.conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
        )
        done = set(await self.applied_migrations())
        applied = []
        for migration in migrations():
            if migration.version in done:
                continue
            if migration.rebuilds:  # only outside a transaction (SQLite ignores it inside)
                await self.conn.execute("PRAGMA foreign_keys=OFF")
            try:
                async with self.write() as conn:
                    # Another process may have applied it meanwhile; BEGIN IMMEDIATE serialises.
                    cursor = await conn.execute(
                        "SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)
                    )
                    if await cursor.fetchone():
                        continue
                    for statement in _statements(migration.sql):
                        await conn.execute(statement)
                    if migration.rebuilds:
                        cursor = await conn.execute("PRAGMA foreign_key_check")
                        broken = list(await cursor.fetchall())
                        if broken:
                            raise MigrationFailed(
                                f"migration {migration.version} breaks {len(broken)} reference(s)"
                            )
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at) "
                        "VALUES (?, ?, ?)",
                        (migration.version, migration.name, stamp),
                    )
            finally:
                if migration.rebuilds:
                    await self.conn.execute("PRAGMA foreign_keys=ON")
            applied.append(migration.version)
        return applied


async def _connect(path: Path | str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys=ON")
        # Deleted rows are overwritten, not left in free pages (erasure, storage/erasure.py).
        await conn.execute("PRAGMA secure_delete=ON")
        # With WAL, NORMAL keeps every committed answer across crashes of the bot (SQLite docs).
        await conn.execute("PRAGMA synchronous=NORMAL")
    except BaseException:
        await conn.close()  # or its thread keeps the process alive
        raise
    return conn


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
