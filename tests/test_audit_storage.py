"""The audit trail's storage: entries commit with the action they record, ids only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from storage import audit
from storage.db import Database
from tests.conftest import START


class Broken(Exception):
    """A failure after the action and its entry were written."""


async def test_an_entry_is_stored_with_who_what_when(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "agenda.sqlite3")
    try:
        await audit.record(db, "digest", actor=9001, subject="ws-handel", now=START)
        await audit.record(db, "purge", actor=None, via="job", detail="people=3", now=START)
        await audit.record(db, "command", actor=4242, subject="/export", refused=True, now=START)
        got = await audit.entries(db)
        assert [(e.actor, e.via, e.action, e.subject, e.refused, e.detail) for e in got] == [
            (9001, "chat", "digest", "ws-handel", False, None),
            (None, "job", "purge", None, False, "people=3"),
            (4242, "chat", "command", "/export", True, None),
        ]
        assert {e.at for e in got} == {"2026-12-01T09:00:00+00:00"}
    finally:
        await db.close()


async def test_an_entry_commits_with_its_action_or_not_at_all(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "agenda.sqlite3")
    try:
        with pytest.raises(Broken):
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO organisations (name, group_id, created_at) VALUES (?, ?, ?)",
                    ("Blumen Müller", "firm", "2026-12-01T09:00:00+00:00"),
                )
                await audit.record(db, "invite_revoke", actor=None, subject=1, now=START)
                raise Broken
        assert await audit.entries(db) == []
        assert await db.fetchall("SELECT * FROM organisations") == []
        async with db.transaction():
            await audit.record(db, "invite_revoke", actor=None, subject=1, now=START)
        assert [e.subject for e in await audit.entries(db)] == ["1"]
    finally:
        await db.close()


@pytest.mark.parametrize(
    ("action", "subject", "detail"),
    [
        ("delete_everything", None, None),  # not an action the trail knows
        ("export", "Blumen Müller", None),  # a name, not an id
        ("export", None, "Anna rief an, bitte löschen"),  # free text
        ("export", "x" * 65, None),
    ],
)
async def test_entries_that_could_carry_personal_data_are_refused(
    tmp_path: Path, action: str, subject: str | None, detail: str | None
) -> None:
    db = await Database.open(tmp_path / "agenda.sqlite3")
    try:
        with pytest.raises(audit.BadAuditEntry):
            await audit.record(db, action, actor=1, subject=subject, detail=detail, now=START)
        assert await audit.entries(db) == []
    finally:
        await db.close()


async def test_listing_since_a_moment_and_the_latest_few(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "agenda.sqlite3")
    try:
        for day in range(5):
            await audit.record(
                db, "export", actor=9001, subject=f"run:{day}", now=START + timedelta(days=day)
            )
        since = await audit.entries(db, since=START + timedelta(days=3))
        assert [e.subject for e in since] == ["run:3", "run:4"]
        latest = await audit.entries(db, limit=2)
        assert [e.subject for e in latest] == ["run:3", "run:4"]
        assert len(await audit.entries(db)) == 5
        assert await audit.delete_before(db, before=START + timedelta(days=2)) == 2
        assert [e.subject for e in await audit.entries(db)] == ["run:2", "run:3", "run:4"]
    finally:
        await db.close()
