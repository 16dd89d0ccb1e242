"""The unit of work: a change and the messages it implies commit together or not at all, and
nobody reads another task's uncommitted rows."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import broadcasts, workshops
from bot import draft as draft_domain
from storage import broadcasts as broadcast_store
from storage import draft as draft_store
from storage import outbox, people
from storage import workshops as workshop_store
from storage.db import Database
from tests.conftest import STAFF_ID, Harness
from tests.outbox_support import add_people

INSERT_ORG = (
    "INSERT INTO organisations (name, group_id, invite_token, created_at)"
    " VALUES (?, 'firm', ?, '2026-12-01T09:00:00+00:00')"
)


class Injected(Exception):
    """The failure a test injects between a change and its outbox rows."""


def fail_planning(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the next outbox planning fail, as a full disk or a bug would."""

    async def broken(*args: Any, **kwargs: Any) -> int:
        raise Injected("outbox write failed")

    monkeypatch.setattr(outbox, "enqueue_many", broken)


async def names(db: Database) -> list[str]:
    return [r["name"] for r in await db.fetchall("SELECT name FROM organisations ORDER BY id")]


async def test_a_confirmed_broadcast_is_kept_with_its_messages_or_not_at_all(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_people(bot, range(100, 105))
    now = bot.clock()
    await broadcast_store.start_draft(bot.db, STAFF_ID, now)
    await broadcast_store.set_text(bot.db, STAFF_ID, "Workshop verschoben", now)
    with monkeypatch.context() as patch:
        fail_planning(patch)
        with pytest.raises(Injected):
            await broadcasts.send_broadcast(bot.db, STAFF_ID, "Workshop verschoben", "all", now)
    # Nothing recorded, the draft still there to confirm again, no half planned messages.
    assert await broadcast_store.latest(bot.db) == []
    kept = await broadcast_store.draft(bot.db, STAFF_ID)
    assert kept is not None and kept.text == "Workshop verschoben"
    assert await outbox.rows(bot.db, broadcasts.KIND) == []
    # Confirmed again without the fault: the broadcast and all five messages at once.
    broadcast_id, count = await broadcasts.send_broadcast(
        bot.db, STAFF_ID, "Workshop verschoben", "all", now
    )
    assert count == 5
    assert [b.id for b in await broadcast_store.latest(bot.db)] == [broadcast_id]
    assert len(await outbox.rows(bot.db, broadcasts.KIND)) == 5
    assert await broadcast_store.draft(bot.db, STAFF_ID) is None


async def test_a_draft_is_published_with_its_notices_or_stays_unpublished(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_people(bot, range(200, 203))
    now = bot.clock()
    for telegram_id in range(200, 203):
        found = await people.by_telegram_id(bot.db, telegram_id)
        assert found is not None
        await draft_store.opt_in(bot.db, found.id, now)
    measure = draft_store.NewMeasure(
        "m1", "handel", "WLAN am Markt", "Freies WLAN", "Besucher", "2027", "Stadt"
    )
    version_id = await draft_store.create_version(
        bot.db, "Entwurf 1", now + timedelta(days=14), "upload", STAFF_ID, [measure], now
    )
    with monkeypatch.context() as patch:
        fail_planning(patch)
        with pytest.raises(Injected):
            await draft_domain.publish(bot.db, version_id, now)
    unpublished = await draft_store.version(bot.db, version_id)
    assert unpublished is not None and unpublished.published_at is None
    assert await outbox.rows(bot.db, draft_domain.KIND) == []
    # Publishing again now plans every notice (before, it planned nothing: already published).
    assert await draft_domain.publish(bot.db, version_id, now) == 3
    assert len(await outbox.rows(bot.db, draft_domain.KIND)) == 3


async def test_a_freed_seat_is_offered_or_not_freed(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = bot.services
    event = s.consultation.event("ws-handel")
    assert event is not None and event.capacity == 15
    tg = await add_people(bot, range(300, 316))  # 16 people: one waits
    ids = []
    for telegram_id in tg:
        found = await people.by_telegram_id(bot.db, telegram_id)
        assert found is not None
        ids.append(found.id)
        await workshops.sign_up(s.db, s.consultation, s.settings, event, found.id, bot.clock())
    before = await outbox.rows(bot.db)
    with monkeypatch.context() as patch:
        fail_planning(patch)
        with pytest.raises(Injected):
            await workshops.sign_off(bot.db, s.settings, event, ids[0], bot.clock())
    seat = await workshop_store.get(bot.db, event.id, ids[0])
    waiting = await workshop_store.get(bot.db, event.id, ids[15])
    assert seat is not None and seat.status == "registered"  # still hers
    assert waiting is not None and waiting.status == "waiting"  # nothing offered
    assert await outbox.rows(bot.db) == before  # her reminder still planned
    await workshops.sign_off(bot.db, s.settings, event, ids[0], bot.clock())
    offered = await workshop_store.get(bot.db, event.id, ids[15])
    assert offered is not None and offered.status == "offered"
    offers = await outbox.rows(bot.db, workshops.OFFER_KIND)
    assert [(r.recipient, r.status) for r in offers] == [(tg[15], "pending")]


async def test_a_reader_never_sees_another_tasks_uncommitted_rows(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "agenda.sqlite3")
    try:
        written, release = asyncio.Event(), asyncio.Event()

        async def writer() -> None:
            async with db.transaction():
                async with db.write() as conn:  # a storage function's write joins
                    await conn.execute(INSERT_ORG, ("Autohaus Schulz", "tok_1"))
                # The writing task sees its own row ...
                assert await names(db) == ["Autohaus Schulz"]
                written.set()
                await release.wait()
                raise Injected("rolled back after all")

        task = asyncio.create_task(writer())
        await written.wait()
        # ... another task does not, while it is open ...
        assert await names(db) == []
        release.set()
        with pytest.raises(Injected):
            await task
        # ... nor after it was rolled back.
        assert await names(db) == []
    finally:
        await db.close()


async def test_joining_is_not_a_second_lock_and_an_inner_failure_undoes_only_itself(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "agenda.sqlite3")
    try:
        async with db.transaction():
            async with db.transaction() as conn:  # re-entered: a join, no deadlock
                await conn.execute(INSERT_ORG, ("Blumen Müller", "tok_1"))
            with pytest.raises(Injected):
                async with db.write() as conn:
                    await conn.execute(INSERT_ORG, ("Bäckerei Größe", "tok_2"))
                    raise Injected("inner")
            assert db.in_transaction()
        assert not db.in_transaction()
        assert await names(db) == ["Blumen Müller"]
    finally:
        await db.close()


async def test_a_task_started_inside_a_transaction_waits_for_it_instead_of_joining(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "agenda.sqlite3")
    try:
        order: list[str] = []

        async def other() -> None:
            assert not db.in_transaction()  # it inherited the context, not the transaction
            async with db.write() as conn:
                await conn.execute(INSERT_ORG, ("Europaschule", "tok_2"))
            order.append("other committed")

        with pytest.raises(Injected):
            async with db.transaction() as conn:
                await conn.execute(INSERT_ORG, ("Autohaus Schulz", "tok_1"))
                task = asyncio.create_task(other())
                await asyncio.sleep(0.05)
                order.append("outer rolled back")
                raise Injected("outer")
        await task
        assert order == ["outer rolled back", "other committed"]
        assert await names(db) == ["Europaschule"]
    finally:
        await db.close()
