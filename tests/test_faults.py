"""Telegram misbehaving: 429 with retry_after, timeouts, dropped connections, 5xx and 403, alone
and mixed (the fake's seeded fault mode). The bot recovers, loses no message it meant to send,
keeps answering other people, and /ausgang tells staff what failed."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from telegram.error import TelegramError

from bot import broadcasts
from bot.fake_telegram import FaultMode
from storage import outbox
from storage.outbox_sending import MAX_ATTEMPTS
from tests.conftest import STAFF_ID, Harness, VirtualTime
from tests.outbox_support import add_people, dispatcher

PASSING = ["429", "500", "502", "timeout", "reset"]


async def send_until_done(bot: Harness, vt: VirtualTime, rounds: int = 12) -> None:
    """Run the dispatcher, then again once each backoff is over, until nothing is pending."""
    for _ in range(rounds):
        await dispatcher(bot, vt).run()
        if not [row for row in await outbox.rows(bot.db, "broadcast") if row.status == "pending"]:
            return
        bot.clock.advance(hours=1)  # past the longest backoff
    raise AssertionError("the outbox did not settle")


def hallo_count(bot: Harness, chat: int) -> int:
    return sum("Hallo" in (m.text or "") for m in bot.api.sent_to(chat))


@pytest.mark.parametrize("fault", PASSING)
async def test_a_broadcast_through_passing_faults_reaches_everyone_once(
    bot: Harness, fault: str
) -> None:
    people = await add_people(bot, range(600_001, 600_041))
    bot.api.faults = FaultMode(0.25, (fault,), seed=7)
    await broadcasts.send_broadcast(bot.db, STAFF_ID, "Hallo", "all", bot.clock())
    await send_until_done(bot, VirtualTime())
    assert bot.api.faults.injected.get(fault, 0) >= 5  # the faults did happen
    assert {chat: hallo_count(bot, chat) for chat in people} == dict.fromkeys(people, 1)
    assert {row.status for row in await outbox.rows(bot.db, "broadcast")} == {"sent"}


async def test_a_403_marks_the_person_blocked_and_ausgang_says_so(bot: Harness) -> None:
    people = await add_people(bot, range(610_001, 610_031))
    bot.api.faults = FaultMode(0.2, ("403",), seed=3)
    await broadcasts.send_broadcast(bot.db, STAFF_ID, "Hallo", "all", bot.clock())
    await send_until_done(bot, VirtualTime())
    blocked = bot.api.faults.injected["403"]
    assert blocked >= 2
    reached = [chat for chat in people if hallo_count(bot, chat) == 1]
    assert len(reached) == len(people) - blocked
    bot.api.faults = None
    staff = bot.user(STAFF_ID, "Sabine")
    await staff.send("/ausgang")
    assert f"{len(reached)} zugestellt, 0 offen, {blocked} blockiert" in (staff.last.text or "")


async def test_a_failure_that_persists_is_given_up_and_shown_in_ausgang(bot: Harness) -> None:
    anna, ben = await add_people(bot, [620_001, 620_002])
    bot.api.fail_next("sendMessage", 502, chat_id=anna, times=100)
    await broadcasts.send_broadcast(bot.db, STAFF_ID, "Hallo", "all", bot.clock())
    vt = VirtualTime()
    for _ in range(8):
        await dispatcher(bot, vt).run()
        bot.clock.advance(hours=1)
    assert hallo_count(bot, ben) == 1 and hallo_count(bot, anna) == 0
    row = await outbox.by_key(bot.db, f"broadcast:1:{anna}")
    assert row is not None and row.status == "failed" and row.attempts == MAX_ATTEMPTS
    staff = bot.user(STAFF_ID, "Sabine")
    await staff.send("/ausgang")
    text = staff.last.text or ""
    assert "1 gesendet · 1 fehlgeschlagen" in text
    assert f"Rundschreiben an {anna}" in text and "Bad Gateway" in text


async def test_mixed_faults_during_a_broadcast_people_are_still_answered(bot: Harness) -> None:
    people = await add_people(bot, range(630_001, 630_081))
    vt = VirtualTime()
    run = dispatcher(bot, vt)
    mode = bot.api.faults = FaultMode(0.2, seed=11)  # every kind, 403 too
    await broadcasts.send_broadcast(bot.db, STAFF_ID, "Hallo", "all", bot.clock())
    sending = asyncio.create_task(run.run())
    askers = [bot.user(n, f"P{n}") for n in range(1, 7)]
    for _ in range(4):
        for person in askers:
            await person.send("/hilfe")
    await sending
    bot.api.faults = None
    await send_until_done(bot, vt)
    assert len(mode.injected) >= 5, mode.injected  # most kinds happened
    # A reply that met a 403, or a fault three times in a row, reached the error handler.
    assert all(isinstance(error, TelegramError) for error in bot.errors), bot.errors
    bot.errors.clear()
    forbidden = {c.chat_id for c in bot.api.calls if c.error_code == 403}
    for person in askers:  # every question answered, except where Telegram said "blocked"
        replies = [m for m in bot.api.sent_to(person.id) if "/umfrage" in (m.text or "")]
        assert len(replies) == 4 or person.id in forbidden, person.id
    assert sum(len(bot.api.sent_to(p.id)) == 4 for p in askers) >= 4
    for chat in people:  # the broadcast: once each, or the person counts as blocked
        assert hallo_count(bot, chat) == 1 or chat in forbidden, chat
    rows = await outbox.rows(bot.db, "broadcast")
    assert Counter(row.status for row in rows) == Counter(
        {
            "sent": sum(hallo_count(bot, c) for c in people),
            "failed": sum(c in forbidden for c in people),
        }
    )
