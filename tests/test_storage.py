"""The database layer: migrations, pragmas, transactions, and the migration splitter."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import organisations
from storage.db import Database, _statements, migrations
from tests.conftest import START


async def _schema(db: Database) -> list[tuple[str, str]]:
    rows = await db.fetchall(
        "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name"
    )
    return [(row["name"], row["sql"]) for row in rows]


async def test_migrations_are_recorded(tmp_path: Path) -> None:
    shipped = migrations()
    assert shipped and [m.version for m in shipped] == sorted({m.version for m in shipped})
    db = await Database.open(tmp_path / "nested" / "dir" / "agenda.sqlite3")
    try:
        assert await db.applied_migrations() == [m.version for m in shipped]
        rows = await db.fetchall("SELECT version, name, applied_at FROM schema_migrations")
        assert [(r["version"], r["name"]) for r in rows] == [(m.version, m.name) for m in shipped]
        assert all(r["applied_at"] for r in rows)
        tables = {name for name, _ in await _schema(db)}
        assert {"organisations", "people", "responses", "answers"} <= tables
    finally:
        await db.close()


async def test_migrating_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "agenda.sqlite3"
    db = await Database.open(path)
    try:
        schema = await _schema(db)
        recorded = await db.fetchall("SELECT * FROM schema_migrations")
        assert await db.migrate() == []
        assert await _schema(db) == schema
    finally:
        await db.close()
    again = await Database.open(path)
    try:
        assert await again.migrate() == []
        assert await _schema(again) == schema
        assert [tuple(r) for r in await again.fetchall("SELECT * FROM schema_migrations")] == [
            tuple(r) for r in recorded
        ]
    finally:
        await again.close()


async def test_wal_and_foreign_keys_are_on(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "agenda.sqlite3")
    try:
        mode = await db.fetchone("PRAGMA journal_mode")
        assert mode is not None and mode[0] == "wal"
        keys = await db.fetchone("PRAGMA foreign_keys")
        assert keys is not None and keys[0] == 1
        timeout = await db.fetchone("PRAGMA busy_timeout")
        assert timeout is not None and timeout[0] >= 1000
        # Foreign keys are enforced, not only declared.
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            async with db.write() as conn:
                await conn.execute(
                    "INSERT INTO person_fields (person_id, action_field) VALUES (4711, 'handel')"
                )
    finally:
        await db.close()
    # WAL is a property of the file: a plain connection sees it too.
    with sqlite3.connect(tmp_path / "agenda.sqlite3") as plain:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def _org_names(db: Database) -> list[str]:
    return [row["name"] for row in await db.fetchall("SELECT name FROM organisations ORDER BY id")]


async def test_a_failing_write_leaves_nothing_half_written(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "agenda.sqlite3")
    try:
        insert = "INSERT INTO organisations (name, group_id, invite_token, created_at) "
        insert += "VALUES (?, 'firm', ?, '2026-11-29T10:00:00+00:00')"

        # An error of the caller's own code after the first write.
        with pytest.raises(RuntimeError, match="boom"):
            async with db.write() as conn:
                await conn.execute(insert, ("Autohaus Schulz", "tok_1"))
                raise RuntimeError("boom")
        assert await _org_names(db) == []

        # A constraint violation in the second statement undoes the first one.
        async with db.write() as conn:
            await conn.execute(insert, ("Blumen Müller", "tok_2"))
        with pytest.raises(sqlite3.IntegrityError):
            async with db.write() as conn:
                await conn.execute(insert, ("Bäckerei Größe", "tok_3"))
                await conn.execute(insert, ("Doppelt", "tok_2"))
        assert await _org_names(db) == ["Blumen Müller"]

        # The connection is usable afterwards: no transaction left open, the lock released.
        assert not db.conn.in_transaction
        async with db.write() as conn:
            await conn.execute(insert, ("Europaschule Hagenow", "tok_4"))
        assert await _org_names(db) == ["Blumen Müller", "Europaschule Hagenow"]
    finally:
        await db.close()


async def test_a_failing_commit_is_rolled_back(tmp_path: Path) -> None:
    """A deferred constraint fails only at COMMIT: the transaction must not stay open."""
    db = await Database.open(tmp_path / "agenda.sqlite3")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            async with db.write() as conn:
                await conn.execute("PRAGMA defer_foreign_keys = ON")
                await conn.execute(
                    "INSERT INTO person_fields (person_id, action_field) VALUES (4711, 'handel')"
                )
        assert not db.conn.in_transaction
        assert await db.fetchall("SELECT * FROM person_fields") == []
        org = await organisations.upsert_invited(
            db, "Autohaus Schulz", "firm", None, "tok_5", now=START
        )
        assert org.invite_token == "tok_5"
    finally:
        await db.close()


async def test_upsert_invited_keeps_the_token_and_updates_the_contact(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "agenda.sqlite3")
    try:
        first = await organisations.upsert_invited(
            db, "Blumen Müller", "retail", "a@x.de", "tok_a", now=START
        )
        again = await organisations.upsert_invited(
            db, "Blumen Müller", "retail", "b@x.de", "tok_b", now=START
        )
        assert (again.id, again.invite_token, again.contact) == (first.id, "tok_a", "b@x.de")
        assert await organisations.by_token(db, "tok_a") == again
        assert await organisations.by_token(db, "tok_b") is None
    finally:
        await db.close()


MIGRATION = """\
-- Orders; the first table.   A semicolon in a comment must not end a statement.
CREATE TABLE t (
    a TEXT DEFAULT 'x;y',   -- and one here; too
    b TEXT
);
/* a block comment; with a semicolon */
INSERT INTO t (a, b) VALUES ('semi;colon', 'it''s; quoted');
INSERT INTO t (a, b) VALUES ('two
lines;', "q;"); INSERT INTO t (a) VALUES ('same line');
CREATE TRIGGER t_guard BEFORE DELETE ON t BEGIN
    SELECT RAISE(ABORT, 'no; deletes');
END;
-- a trailing comment; nothing after it
"""


def test_statements_respect_comments_and_string_literals() -> None:
    statements = _statements(MIGRATION)
    assert len(statements) == 5, statements
    assert statements[0].startswith("-- Orders;") and statements[0].endswith(");")
    assert "'x;y'" in statements[0] and "-- and one here; too" in statements[0]
    assert statements[1].startswith("/* a block comment;")
    assert statements[1].endswith("'it''s; quoted');")
    assert statements[2].endswith('"q;");')
    assert statements[3] == "INSERT INTO t (a) VALUES ('same line');"
    assert statements[4].startswith("CREATE TRIGGER") and statements[4].endswith("END;")

    conn = sqlite3.connect(":memory:")
    try:
        for statement in statements:
            conn.execute(statement)
        rows = conn.execute("SELECT a, b FROM t ORDER BY rowid").fetchall()
    finally:
        conn.close()
    assert rows == [("semi;colon", "it's; quoted"), ("two\nlines;", "q;"), ("same line", None)]


def test_statements_refuse_an_unfinished_statement() -> None:
    with pytest.raises(ValueError, match="incomplete statement"):
        _statements("CREATE TABLE a (x INT);\nCREATE TABLE b (x INT)\n")
    assert _statements("\n-- only a comment\n\n") == []
    assert _statements("") == []


def test_every_shipped_migration_splits_cleanly() -> None:
    for migration in migrations():
        statements = _statements(migration.sql)
        assert statements, migration.name
        assert all(sqlite3.complete_statement(s) for s in statements)


async def test_an_erased_persons_number_is_never_given_to_a_newcomer(tmp_path: Path) -> None:
    """The number is the pseudonym (P0007) in exports and the audit trail: a newcomer who got
    the erased person's number would inherit their rows in an older export."""
    from storage import erasure, people

    db = await Database.open(tmp_path / "agenda.sqlite3")
    now = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    try:
        for telegram_id in (101, 102):
            await people.record_consent(db, telegram_id, "de", "v1", now=now)
        newest = await people.by_telegram_id(db, 102)
        assert newest is not None
        gone = await erasure.erase_person(
            db, newest.id, keep_anonymised=False, capacities={}, offer_until=now, now=now
        )
        assert gone is not None
        await people.record_consent(db, 103, "de", "v1", now=now)
        newcomer = await people.by_telegram_id(db, 103)
        assert newcomer is not None and newcomer.id > newest.id
    finally:
        await db.close()
