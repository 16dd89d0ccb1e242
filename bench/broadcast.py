"""Benchmark of a staff broadcast: `make bench` prints the figures; exit 1 below the target.

5,000 recipients through the real application and the outbox dispatcher, against the fake Bot
API in real time (about three minutes): the rate must reach 90 % of Telegram's 30 messages a
second, with no 429 answered and no second of the fake's own timestamps over 30 messages.
`python -m bench.broadcast 1000` measures fewer recipients.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "true")

from bot import broadcasts
from bot.app import build_application
from bot.consultation.model import load_consultation
from bot.fake_telegram import FakeBotApi, FakeRequest
from bot.settings import DEFAULT_CONSULTATION, Settings
from storage.db import Database

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
STAFF = 9001
TARGET = 0.9 * 30  # messages per second
FIRST_ID = 1_000_001


async def _people(db: Database, count: int) -> list[int]:
    stamp = NOW.isoformat(timespec="seconds")
    ids = list(range(FIRST_ID, FIRST_ID + count))
    async with db.write() as conn:
        await conn.executemany(
            "INSERT INTO people (telegram_id, language, consent_version, consented_at, group_id,"
            " onboarded_at, created_at, updated_at) VALUES (?, 'de', 'v1', ?, 'retail', ?, ?, ?)",
            [(i, stamp, stamp, stamp, stamp) for i in ids],
        )
    return ids


def _max_per_second(times: list[float]) -> int:
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def run(count: int) -> bool:
    """Broadcast to `count` people and print the figures; True if the target is met."""
    api = FakeBotApi()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "TELEGRAM_BOT_TOKEN": api.token,
            "AGENDA_DB": str(Path(tmp) / "bench.sqlite3"),
            "AGENDA_STAFF_IDS": str(STAFF),
        }
        app = build_application(
            Settings.from_env(env),
            load_consultation(DEFAULT_CONSULTATION),
            request=FakeRequest(api),
            get_updates_request=FakeRequest(api),
            clock=lambda: NOW,
            rate_limit=True,  # as in production: PTB's limiter too
        )
        await app.initialize()
        assert app.post_init is not None and app.post_shutdown is not None
        await app.post_init(app)
        services, dispatcher = app.bot_data.services, app.bot_data.dispatcher
        assert services is not None and dispatcher is not None
        for chat in await _people(services.db, count):
            api.add_chat(chat, "P")
        _, planned = await broadcasts.send_broadcast(services.db, STAFF, "Hallo", "all", NOW)
        started = time.monotonic()
        report = await dispatcher.run()
        wall = time.monotonic() - started
        await app.post_shutdown(app)
        await app.shutdown()
    sends = [c for c in api.calls if c.method == "sendMessage"]
    ok = sorted(c.at for c in sends if c.ok)
    refused = sum(1 for c in sends if c.error_code == 429)
    chats = [c.chat_id for c in sends if c.ok]
    rate = (len(ok) - 1) / (ok[-1] - ok[0]) if len(ok) > 1 else 0.0
    peak = _max_per_second(ok)
    met = rate >= TARGET and refused == 0 and peak <= 30 and len(set(chats)) == len(chats) == count
    print(f"broadcast to {planned:,} recipients")
    print(
        f"  delivered       {len(ok):,} ({len(set(chats)):,} chats, each once: "
        f"{len(set(chats)) == len(chats)}); dispatcher: {report}"
    )
    print(f"  wall time       {wall:.1f} s")
    print(f"  rate            {rate:.2f} msg/s = {rate / 30:.0%} of 30 msg/s (target 90 %)")
    print(f"  busiest second  {peak} messages (limit 30), 429 answered: {refused}")
    print(f"  result          {'OK' if met else 'BELOW TARGET'}")
    return met


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    return 0 if asyncio.run(run(count)) else 1


if __name__ == "__main__":
    sys.exit(main())
