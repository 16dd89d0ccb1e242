"""The outbox dispatcher: Telegram's limits, 429, 403, timeouts and restarts, in virtual time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram.error import TimedOut

from bot import broadcasts
from bot.consultation.model import Consultation
from bot.outbox.dispatch import NOTE_BLOCKED_PREFIX
from bot.outbox.limiter import RateLimiter
from bot.service.traffic import Limits
from storage import outbox, outbox_sending, recipients
from tests.conftest import STAFF_ID, Harness, VirtualTime, start_harness, stop_harness
from tests.outbox_support import (
    add_people,
    dispatcher,
    limits_kept,
    max_in_window,
    record_sends,
)


async def test_a_2000_recipient_broadcast_arrives_once_each_within_the_limits(
    bot: Harness,
) -> None:
    people = await add_people(bot, range(100_001, 102_001))
    vt = VirtualTime()
    sent = record_sends(bot, vt)
    _, count = await broadcasts.send_broadcast(bot.db, STAFF_ID, "Hallo", "all", bot.clock())
    # A second, small broadcast to the first 20: those chats get two messages, a second apart.
    await add_people(bot, range(102_001, 102_021), group="school")
    await broadcasts.send_broadcast(bot.db, STAFF_ID, "Nachtrag", "g:school", bot.clock())
    await outbox.enqueue_many(
        bot.db,
        [
            outbox.Planned(chat, "broadcast", {"broadcast": 2}, bot.clock(), f"extra:{chat}")
            for chat in people[:20]
        ],
        bot.clock(),
    )
    report = await dispatcher(bot, vt).run()
    assert count == 2000
    assert report.sent == 2040 and report.failed == report.blocked == 0
    chats = [chat for _, chat in sent]
    assert sorted(chats) == sorted([*people, *people[:20], *range(102_001, 102_021)])
    limits_kept(sent)
    # ... and close to the limit: 2,040 messages at 30 per 1.05 s take about 71 s.
    duration = max(t for t, _ in sent) - min(t for t, _ in sent)
    assert 2040 / duration >= 27
    assert {row.status for row in await outbox.rows(bot.db, "broadcast")} == {"sent"}


async def test_the_limiter_keeps_20_a_minute_per_group_and_1_a_second_per_chat() -> None:
    vt = VirtualTime()
    limiter = RateLimiter(Limits(), vt.monotonic, vt.sleep)
    sent: list[tuple[float, int]] = []
    for n in range(75):
        chat = -100 if n % 3 == 0 else 7
        await limiter.acquire(chat)
        sent.append((vt.now, chat))
    limits_kept(sent)
    group = [t for t, chat in sent if chat == -100]
    assert group[20] - group[0] >= 60.0
    assert max_in_window(group, 60.0) == 20


async def test_retry_after_pauses_every_send_for_the_named_time_then_retries(bot: Harness) -> None:
    people = await add_people(bot, range(200_001, 200_011))
    vt = VirtualTime()
    sent = record_sends(bot, vt)
    bot.api.fail_next("sendMessage", 429, parameters={"retry_after": 7})
    await broadcasts.send_broadcast(bot.db, STAFF_ID, "Hallo", "all", bot.clock())
    report = await dispatcher(bot, vt).run()
    assert report.sent == 10 and report.retried == 1 and report.paused == 7
    assert sorted(chat for _, chat in sent) == people
    times = sorted(t for t, _ in sent)
    assert times[0] - 1000.0 >= 7.0  # the first send was refused; nothing went out for 7 s
    rows = await outbox.rows(bot.db, "broadcast")
    assert all(row.attempts == 0 and row.status == "sent" for row in rows)  # a 429 is no failure


async def test_a_blocked_person_is_marked_inactive_and_skipped_until_they_write(
    bot: Harness,
) -> None:
    anna, ben = await add_people(bot, [300_001, 300_002])
    vt = VirtualTime()
    sent = record_sends(bot, vt)
    bot.api.block(anna)
    first, _ = await broadcasts.send_broadcast(bot.db, STAFF_ID, "Eins", "all", bot.clock())
    report = await dispatcher(bot, vt).run()
    assert (report.sent, report.blocked) == (1, 1)
    person = await recipients.by_telegram_id(bot.db, anna)
    assert person is not None and person.inactive
    # The next broadcast does not even try Anna (she is not among the recipients).
    _, count = await broadcasts.send_broadcast(bot.db, STAFF_ID, "Zwei", "all", bot.clock())
    assert count == 1
    # A row planned for her before she blocked the bot is dropped without a call.
    await outbox.enqueue(
        bot.db,
        recipient=anna,
        kind="broadcast",
        payload={"broadcast": first},
        due_at=bot.clock(),
        dedupe_key="broadcast:manual:anna",
        now=bot.clock(),
    )
    calls_before = len(bot.api.calls_of("sendMessage"))
    await dispatcher(bot, vt).run()
    assert len(bot.api.calls_of("sendMessage")) == calls_before + 1  # only Ben's
    row = await outbox.by_key(bot.db, "broadcast:manual:anna")
    assert row is not None and row.status == "dropped"
    assert (row.last_error or "").startswith(NOTE_BLOCKED_PREFIX)
    report_one = await broadcasts.delivery(bot.db, first, NOTE_BLOCKED_PREFIX)
    assert report_one is not None
    assert (report_one.sent, report_one.blocked, report_one.failed) == (1, 1, 0)
    assert [chat for _, chat in sent] == [ben, ben]  # nothing reached Anna
    # Anna unblocks the bot and writes: reachable again.
    bot.api.unblock(anna)
    await bot.user(anna).send("Hallo")
    person = await recipients.by_telegram_id(bot.db, anna)
    assert person is not None and not person.inactive
    mark = len(sent)
    _, count = await broadcasts.send_broadcast(bot.db, STAFF_ID, "Drei", "all", bot.clock())
    await dispatcher(bot, vt).run()
    assert count == 2
    assert sorted(chat for _, chat in sent[mark:]) == [anna, ben]
    assert "Drei" in (bot.api.sent_to(anna)[-1].text or "")


async def test_a_timeout_retries_later_with_backoff_and_sends_once(bot: Harness) -> None:
    (anna,) = await add_people(bot, [400_001])
    vt = VirtualTime()
    original = bot.api.handle_async
    timeouts = [1]

    async def flaky(method: str, params: dict[str, object], files: Any = None) -> Any:
        if method.lower() == "sendmessage" and timeouts:
            timeouts.pop()
            raise TimedOut("fake timeout")
        return await original(method, params, files)

    bot.api.handle_async = flaky  # type: ignore[method-assign]
    await broadcasts.send_broadcast(bot.db, STAFF_ID, "Hallo", "all", bot.clock())
    report = await dispatcher(bot, vt).run()
    assert (report.sent, report.retried) == (0, 1)
    (row,) = await outbox.rows(bot.db, "broadcast")
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.due_at == bot.clock() + timedelta(seconds=30)
    assert "TimedOut" in (row.last_error or "")
    assert (await dispatcher(bot, vt).run()).sent == 0  # not yet
    bot.clock.advance(seconds=31)
    assert (await dispatcher(bot, vt).run()).sent == 1
    assert len(bot.api.sent_to(anna)) == 1


async def test_a_crash_while_sending_resends_a_broadcast_but_never_a_reminder(
    tmp_path: Path, consultation: Consultation
) -> None:
    bot = await start_harness(tmp_path, consultation)
    anna, ben = await add_people(bot, [500_001, 500_002])
    broadcast_id, _ = await broadcasts.send_broadcast(bot.db, STAFF_ID, "Hi", "all", bot.clock())
    rows = {row.recipient: row for row in await outbox.rows(bot.db, "broadcast")}
    await outbox.enqueue(
        bot.db,
        recipient=ben,
        kind="reminder",
        payload={"questionnaire": "sq-handel"},
        due_at=bot.clock(),
        dedupe_key="reminder:test",
        now=bot.clock(),
    )
    reminder = await outbox.by_key(bot.db, "reminder:test")
    assert reminder is not None
    # The process dies after claiming both rows, before recording the outcome.
    assert await outbox_sending.mark_sending(bot.db, rows[anna].id)
    assert await outbox_sending.mark_sending(bot.db, reminder.id)
    api = bot.api
    await stop_harness(bot)
    bot = await start_harness(tmp_path, consultation)
    bot.api = api  # the same Telegram (the harness made a new fake; rows name old chats)
    after = {row.dedupe_key: row for row in await outbox.rows(bot.db)}
    assert after[f"broadcast:{broadcast_id}:{anna}"].status == "pending"  # sent again
    assert after["reminder:test"].status == "sent"  # delivery unknown: never twice
    assert after["reminder:test"].sent_at is None
    assert "not sent again" in (after["reminder:test"].last_error or "")
    await stop_harness(bot)
