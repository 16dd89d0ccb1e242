"""Helpers for the outbox tests: many people at once, virtual time, what went out when."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from bot import broadcasts, training_notices
from bot.app import build_application
from bot.consultation.model import Consultation
from bot.fake_telegram import FakeBotApi, FakeRequest
from bot.outbox.dispatch import Dispatcher
from bot.service.traffic import Limits
from handlers import broadcast, reminders
from storage.db import Database, iso
from tests.conftest import FakeClock, Harness, VirtualTime, make_settings, paced


def dispatcher(bot: Harness, vt: VirtualTime, **options: Any) -> Dispatcher:
    """A dispatcher for the harness's bot on virtual time (the bot's own one is not run); the
    bot's replies and the fake's limits move to the same clock."""
    kinds = {"reminder": reminders.policy(), broadcasts.KIND: broadcast.policy()}
    kinds |= training_notices.policies()
    return on_time(bot, vt, kinds, **options)


def on_time(bot: Harness, vt: VirtualTime, kinds: Any, **options: Any) -> Dispatcher:
    """A dispatcher of these kinds on `vt`, sharing the bot's account of Telegram's limits."""
    traffic = bot.app.bot_data.traffic
    assert traffic is not None
    traffic.rebase(vt.monotonic, vt.sleep)
    bot.api.limits.rebase(vt.monotonic)
    return Dispatcher(
        bot.app, kinds, monotonic=vt.monotonic, sleep=vt.sleep, traffic=traffic, **options
    )


def record_sends(bot: Harness, vt: VirtualTime) -> list[tuple[float, int]]:
    """(virtual time, chat id) of every sendMessage that reached the fake Telegram."""
    sent: list[tuple[float, int]] = []
    original = bot.api.handle_async

    async def handle(method: str, params: dict[str, object], files: Any = None) -> Any:
        result = await original(method, params, files)
        if method.lower() == "sendmessage" and result[0] == 200:
            sent.append((vt.now, int(str(params["chat_id"]))))
        return result

    bot.api.handle_async = handle  # type: ignore[method-assign]
    return sent


async def add_people(
    bot: Harness,
    ids: Iterable[int],
    group: str = "retail",
    fields: tuple[str, ...] = ("handel",),
    language: str = "de",
) -> list[int]:
    """Onboarded people straight into the database (and their chats into the fake)."""
    db: Database = bot.db
    stamp = iso(bot.clock())
    ids = list(ids)
    async with db.write() as conn:
        for telegram_id in ids:
            cursor = await conn.execute(
                "INSERT INTO people (telegram_id, language, consent_version, consented_at,"
                " group_id, onboarded_at, created_at, updated_at)"
                " VALUES (?, ?, 'v1', ?, ?, ?, ?, ?)",
                (telegram_id, language, stamp, group, stamp, stamp, stamp),
            )
            await conn.executemany(
                "INSERT INTO person_fields (person_id, action_field) VALUES (?, ?)",
                [(cursor.lastrowid, f) for f in fields],
            )
    for telegram_id in ids:
        bot.api.add_chat(telegram_id, f"P{telegram_id}")
    return ids


def max_in_window(times: list[float], window: float) -> int:
    """The most sends within any span shorter than `window` seconds."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def limits_kept(sent: list[tuple[float, int]], limits: Limits | None = None) -> None:
    """Assert Telegram's limits on a record of sends: 30/s overall, 1/s per chat."""
    limits = limits or Limits()
    assert max_in_window([t for t, _ in sent], 1.0) <= 30
    by_chat: dict[int, list[float]] = {}
    for t, chat in sent:
        by_chat.setdefault(chat, []).append(t)
    for chat, times in by_chat.items():
        if chat > 0:
            gaps = [b - a for a, b in itertools.pairwise(times)]
            assert all(gap >= limits.private_gap - 1e-9 for gap in gaps), chat
        else:
            assert max_in_window(times, 60.0) <= 20, chat


async def start_on(
    tmp_path: Path, consultation: Consultation, api: FakeBotApi, now: datetime
) -> Harness:
    """Start the bot on the database in tmp_path with this fake Telegram (a restart)."""
    settings = make_settings(tmp_path, api)
    clock = FakeClock(now)
    app = build_application(
        settings,
        consultation,
        request=FakeRequest(api),
        get_updates_request=FakeRequest(api),
        clock=clock,
        traffic=paced(api),
    )
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    return Harness(api, app, clock, settings, consultation)
