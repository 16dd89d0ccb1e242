"""Telegram's flood limits: the fake Bot API enforces them, the bot keeps them, and a broadcast
never makes a person's reply wait behind it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from bot import broadcasts
from bot.fake_telegram import FakeBotApi
from bot.service.traffic import Traffic
from tests.conftest import STAFF_ID, Harness, VirtualTime
from tests.outbox_support import add_people, dispatcher, max_in_window


def _send(api: FakeBotApi, chat: int, method: str = "sendMessage", **extra: Any) -> int:
    status, _ = api.handle(method, {"chat_id": chat, "text": "Hallo", **extra})
    return status


def test_the_fake_refuses_the_31st_message_in_a_second_and_the_4th_quick_one_to_a_chat() -> None:
    api, vt = FakeBotApi(), VirtualTime()
    api.limits.rebase(vt.monotonic)
    for chat in range(1, 40):
        api.add_chat(chat, f"P{chat}")
    assert [_send(api, chat) for chat in range(1, 31)] == [200] * 30
    status, body = api.handle("sendMessage", {"chat_id": 31, "text": "Hallo"})
    answer = json.loads(body)
    assert status == 429 and answer["parameters"]["retry_after"] >= 1
    assert answer["description"].startswith("Too Many Requests: retry after")
    # Editing and answering a tap are not messages.
    assert _send(api, 1, "editMessageText", message_id=1, text="Neu") == 200
    vt.now += 1.0
    assert _send(api, 31) == 200
    # One chat: a short burst of three, then one a second.
    vt.now += 1.0
    assert [_send(api, 32) for _ in range(3)] == [200, 200, 200]
    assert _send(api, 32) == 429
    vt.now += 1.0
    assert _send(api, 32) == 200
    assert api.limits.refused == 2


async def test_a_person_who_types_fast_gets_every_reply_paced_not_refused(bot: Harness) -> None:
    anna = bot.user(1001)
    traffic = bot.app.bot_data.traffic
    assert traffic is not None
    started = traffic.monotonic()
    for _ in range(8):
        await anna.send("/hilfe")
    replies = [m for m in bot.api.sent_to(1001) if "/umfrage" in (m.text or "")]
    assert len(replies) == 8
    # Three at once, then one a second (virtual time; the fixture asserts no 429 at all).
    assert traffic.monotonic() - started >= 4.9


async def test_replies_during_a_big_broadcast_go_out_before_the_rest_of_it(bot: Harness) -> None:
    people = await add_people(bot, range(300_001, 300_401))
    vt = VirtualTime()
    run = dispatcher(bot, vt)  # the bot's replies and the fake's limits share its clock
    askers = [bot.user(n, f"P{n}") for n in range(1, 6)]
    log: list[tuple[float, str]] = []
    original = bot.api.handle_async

    async def handle(method: str, params: dict[str, object], files: Any = None) -> Any:
        result = await original(method, params, files)
        if method.lower() == "sendmessage" and result[0] == 200:
            log.append((vt.now, "reply" if int(str(params["chat_id"])) < 10 else "bulk"))
        return result

    bot.api.handle_async = handle  # type: ignore[method-assign]
    await broadcasts.send_broadcast(bot.db, STAFF_ID, "Hallo", "all", bot.clock())
    sending = asyncio.create_task(run.run())
    while sum(kind == "bulk" for _, kind in log) < 30:  # noqa: ASYNC110 - counted, not timed
        await asyncio.sleep(0)
    waited: list[int] = []  # broadcast messages sent between a person's tap and the reply
    for _ in range(3):
        for person in askers:
            before = len(log)
            await person.send("/hilfe")
            waited.append(sum(kind == "bulk" for _, kind in log[before:]))
    remaining_at_last_reply = 400 - sum(kind == "bulk" for _, kind in log)
    report = await sending
    assert report.sent == 400
    # Each reply went out within a few broadcast messages, long before the broadcast ended.
    assert max(waited) <= 10, waited
    assert remaining_at_last_reply >= 250
    # While replies were under way the broadcast kept to its share: 25 in any second after one.
    replies = [t for t, kind in log if kind == "reply"]
    bulk = [t for t, kind in log if kind == "bulk"]
    assert len(replies) == 15
    for t in replies:
        assert sum(t <= b < t + 1.0 for b in bulk) <= 25
    assert max_in_window([t for t, _ in log], 1.0) <= 30
    assert {chat for chat in people} <= {m.chat_id for m in bot.api.calls_of("sendMessage")}


def test_the_more_replies_wait_the_less_a_broadcast_takes() -> None:
    now = [100.0]
    traffic = Traffic(monotonic=lambda: now[0])
    assert traffic.bulk_cap() == 28  # nobody is being answered: all of the limit
    traffic.record(1, reply=True)
    assert traffic.bulk_cap() == 25  # its share while replies are under way
    for chat in range(2, 22):  # a room typing at once: 21 replies within the second
        traffic.record(chat, reply=True)
    assert traffic.bulk_cap() == 5  # never less: the broadcast still moves
    now[0] += 1.0  # answered; people answering now will write again soon: its share
    assert traffic.bulk_cap() == 25
    now[0] += 10.0  # nobody has been answered for a while: the whole limit again
    assert traffic.bulk_cap() == 28
