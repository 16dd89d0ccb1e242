"""``agenda-bot run``: fetch updates, store them, and only then confirm them to Telegram.

This replaces ``Application.run_polling`` (whose ``Updater`` confirms an update with the next
getUpdates offset as soon as it is fetched and queues it in memory; see bot/service/inbox.py).
Telegram delivers an update again until an offset confirms it, so the order here is:
getUpdates, store the batch in the inbox (one transaction), then ask for the next batch with
``offset = last + 1``.
A crash before the store means Telegram sends the batch again; after it, the inbox has it.
The application's life is PTB's: initialize, post_init, start, ... stop, shutdown, post_shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence

from telegram.error import Conflict, InvalidToken, NetworkError, TimedOut

from bot.context import AgendaApp
from bot.service.inbox import Inbox, inbox_of

log = logging.getLogger(__name__)

POLL_TIMEOUT = 10  # seconds a getUpdates call waits for news (long polling)
MAX_BACKOFF = 30.0


async def fetch_updates(
    app: AgendaApp, inbox: Inbox, allowed_updates: Sequence[str] | None, stop: asyncio.Event
) -> None:
    """Long-poll until `stop` is set: each batch is stored before the next call confirms it."""
    offset = 0  # 0: Telegram sends every unconfirmed update again
    backoff = 0.0
    while not stop.is_set():
        try:
            updates = await app.bot.get_updates(
                offset=offset, timeout=POLL_TIMEOUT, allowed_updates=allowed_updates
            )
            if updates:
                await inbox.accept([update.to_dict() for update in updates])
                offset = updates[-1].update_id + 1  # confirmed with the next call, not before
            backoff = 0.0
        except InvalidToken:
            raise
        except TimedOut:
            continue  # a long poll that outlived its read timeout: ask again at once
        except (Conflict, NetworkError) as error:
            backoff = min(MAX_BACKOFF, max(1.0, backoff * 2))
            log.warning("getUpdates failed (%s); again in %.0f s", error, backoff)
            await _sleep_unless(stop, backoff)
        except Exception:  # e.g. the database is locked: nothing confirmed, Telegram keeps it
            backoff = min(MAX_BACKOFF, max(1.0, backoff * 2))
            log.exception("could not store updates; again in %.0f s", backoff)
            await _sleep_unless(stop, backoff)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def serve(app: AgendaApp, allowed_updates: Sequence[str] | None) -> None:
    """Run the bot until SIGINT or SIGTERM: stored updates first, then new ones."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await app.initialize()
        if app.post_init:
            await app.post_init(app)
        await app.bot.delete_webhook(drop_pending_updates=False)  # polling and webhook exclude
        await app.start()
        inbox = inbox_of(app)
        await inbox.start()
        fetching = asyncio.create_task(fetch_updates(app, inbox, allowed_updates, stop))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({fetching, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not fetching.done():
            fetching.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await fetching  # re-raises what stopped the loop (e.g. InvalidToken)
    finally:
        if app.bot_data.inbox is not None:
            await app.bot_data.inbox.stop()
        if app.running:
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


def run_polling(app: AgendaApp, allowed_updates: Sequence[str] | None) -> None:
    """Block in ``serve`` (what ``agenda-bot run`` does)."""
    asyncio.run(serve(app, allowed_updates))
