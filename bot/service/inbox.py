"""The durable inbox and the update processor: store every update first, then handle it once.

Why not python-telegram-bot's own ``Updater``: PTB confirms an update to Telegram (with the next
getUpdates offset) as soon as it has fetched it, and keeps its update queue in memory, so every
update fetched but not yet handled is gone when the process dies. Here updates are stored in the
``inbox`` table before they are confirmed (bot/service/polling.py fetches; ``Inbox.accept``
stores), then handled by the same ``Application.process_update`` and handlers, and marked done
in the same transaction as the first change they cause (``storage.db.commit_hook``). A start
handles every stored but unhandled update before new ones.

Order and concurrency: updates of one chat are handled one after another, in the order they
arrived; different chats are handled concurrently, so a slow handler holds up only its own chat.
Someone who sends more than ``burst`` updates at once is slowed to ``rate`` a second, alone, and
told so once a minute. An update older than ``AGENDA_UPDATE_MAX_AGE`` gets an apology instead.

The webhook path uses the same inbox: ``await accept(app, update_json)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.context import AgendaApp, Services
from bot.languages import from_client
from storage import inbox as store
from storage import people
from storage.db import commit_hook

log = logging.getLogger(__name__)

KEEP_HANDLED = timedelta(days=7)  # dedupe window; Telegram redelivers for 24 h at most
MAX_ATTEMPTS = 5  # starts that found an update unhandled before it counts as failed


class NotAnUpdate(ValueError):
    """The JSON has no usable update_id; nothing was stored."""


class FloodGate:
    """A token bucket per person: ``burst`` updates at once, then ``rate`` a second."""

    def __init__(
        self,
        rate: float = 3.0,
        burst: int = 20,
        note_every: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate, self.burst, self.note_every, self._clock = rate, burst, note_every, clock
        self._buckets: dict[int, tuple[float, float]] = {}
        self._noted: dict[int, float] = {}

    def reserve(self, key: int) -> float:
        """Take one token; return the seconds to wait before acting on the update (0: none)."""
        now = self._clock()
        tokens, stamp = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - stamp) * self.rate) - 1
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > 10_000:  # forget people whose bucket is full again
            horizon = self.burst / self.rate
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < horizon}
        return max(0.0, -tokens / self.rate)

    def should_note(self, key: int) -> bool:
        """Whether to tell this person they are slowed down (once per ``note_every``)."""
        now = self._clock()
        last = self._noted.get(key)
        if last is not None and now - last < self.note_every:
            return False
        self._noted[key] = now
        if len(self._noted) > 10_000:
            self._noted = {k: v for k, v in self._noted.items() if now - v < self.note_every}
        return True


_Item = tuple[store.InboxRow, Update | None]


class Inbox:
    """Stores updates, then hands them to ``app.process_update``: per chat in order, chats
    concurrently (at most ``max_in_flight`` handlers at once)."""

    def __init__(
        self, app: AgendaApp, *, flood: FloodGate | None = None, max_in_flight: int = 100
    ) -> None:
        self._app = app
        self.flood = flood or FloodGate()
        self._queues: dict[str, deque[_Item]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._queued: set[int] = set()
        self._slots = asyncio.Semaphore(max_in_flight)
        self._start_lock = asyncio.Lock()
        self._started = False
        self._closed = False
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def services(self) -> Services:
        services = self._app.bot_data.services
        if services is None:
            raise RuntimeError("the inbox needs the open services (post_init has not run)")
        return services

    async def start(self) -> None:
        """Once: forget long-handled updates, then queue every stored unhandled one."""
        async with self._start_lock:
            if self._started:
                return
            db, now = self.services.db, self.services.clock()
            await store.purge(db, now - KEEP_HANDLED)
            pending = await store.reopen(db, MAX_ATTEMPTS, now)
            if pending:
                log.info("handling %d stored updates from before the start", len(pending))
            for row in pending:
                self._enqueue(row, None)
            self._started = True

    async def accept(self, updates: Sequence[Mapping[str, object]]) -> int:
        """Store updates durably (one transaction), then queue the new ones; return how many
        were new. Raises NotAnUpdate (nothing stored) if one has no usable update_id."""
        if self._closed:
            raise RuntimeError("the inbox is stopped")
        await self.start()
        parsed = [self._incoming(update) for update in updates]
        services = self.services
        fresh = await store.store(services.db, [item for item, _ in parsed], services.clock())
        by_id = {item.update_id: update for item, update in parsed}
        for row in fresh:
            self._enqueue(row, by_id.get(row.update_id))
        return len(fresh)

    def _incoming(self, payload: Mapping[str, object]) -> tuple[store.Incoming, Update | None]:
        update_id = payload.get("update_id") if isinstance(payload, Mapping) else None
        if type(update_id) is not int or not 0 <= update_id <= store.MAX_UPDATE_ID:
            raise NotAnUpdate("an update needs an integer update_id")
        update = self._parse(dict(payload))
        key = f"update:{update_id}"
        if update is not None and update.effective_chat is not None:
            key = f"chat:{update.effective_chat.id}"
        elif update is not None and update.effective_user is not None:
            key = f"user:{update.effective_user.id}"
        return store.Incoming(update_id, key, store.dumps(payload)), update

    def _parse(self, payload: dict[str, object]) -> Update | None:
        try:
            update = Update.de_json(payload, self._app.bot)
        except Exception:  # any malformed field: the update cannot be acted on
            return None
        return update if _sound(update) else None

    def _enqueue(self, row: store.InboxRow, update: Update | None) -> None:
        if row.update_id in self._queued or self._closed:
            return
        self._queued.add(row.update_id)
        self._queues.setdefault(row.chat_key, deque()).append((row, update))
        if row.chat_key not in self._workers:
            self._idle.clear()
            self._workers[row.chat_key] = asyncio.create_task(
                self._run_chat(row.chat_key), name=f"inbox:{row.chat_key}"
            )

    async def _run_chat(self, key: str) -> None:
        queue = self._queues[key]
        try:
            while queue and not self._closed:
                row, update = queue[0]
                for attempt in range(3):
                    try:
                        await self._handle(row, update)
                        break
                    except Exception:  # e.g. the database stayed locked; it stays stored
                        log.exception(
                            "update %d: handling failed (try %d)", row.update_id, attempt + 1
                        )
                        await asyncio.sleep(1 + attempt)
                queue.popleft()
                self._queued.discard(row.update_id)
        finally:
            self._workers.pop(key, None)
            if not queue:
                self._queues.pop(key, None)
            if not self._workers:
                self._idle.set()

    async def _handle(self, row: store.InboxRow, update: Update | None) -> None:
        services = self.services
        now = services.clock()
        if update is None:
            update = self._parse(json.loads(row.payload))
        if update is None:
            log.warning("update %d is not readable: skipped", row.update_id)
            await store.finish(services.db, row.update_id, store.FAILED, now)
            return
        if self._too_old(update, row, now):
            log.info("update %d is too old: apologised instead of acting", row.update_id)
            await self._tell(update, "stale_update")
            await store.finish(services.db, row.update_id, store.STALE, now)
            return
        user = update.effective_user
        wait = self.flood.reserve(user.id) if user is not None else 0.0
        if wait > 0:
            assert user is not None
            if self.flood.should_note(user.id):
                await self._tell(update, "flood_note")
            await asyncio.sleep(wait)
        # Staff never wait for a slot behind people's taps (their chats are their own anyway).
        staff = user is not None and user.id in services.settings.staff_ids
        async with contextlib.nullcontext() if staff else self._slots:
            hook = store.MarkHandled(row.update_id, now)
            token = commit_hook.set(hook)
            state = store.DONE
            try:
                await self._app.process_update(update)
            except Exception:  # process_update reports handler errors itself; this is a bug
                log.exception("update %d broke the processor", row.update_id)
                state = store.FAILED
            finally:
                commit_hook.reset(token)
            if not hook.done:
                await store.finish(services.db, row.update_id, state, now)

    def _too_old(self, update: Update, row: store.InboxRow, now: datetime) -> bool:
        moment = row.received_at
        message = update.message or update.edited_message
        if message is not None:
            sent = message.edit_date or message.date
            moment = min(moment, sent)
        return now - moment > self.services.settings.update_max_age

    async def _tell(self, update: Update, name: str) -> None:
        """A short note to a person in a private chat (a stale tap or a flood)."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None or chat.type != ChatType.PRIVATE:
            return
        if update.message is None and update.callback_query is None:
            return
        services = self.services
        person = await people.by_telegram_id(services.db, user.id)
        code = user.language_code or ""
        lang = person.language if person else from_client(code)
        with contextlib.suppress(TelegramError):
            if update.callback_query is not None:
                await update.callback_query.answer()
        try:
            await self._app.bot.send_message(chat.id, services.texts.render(lang, name))
        except TelegramError:
            log.info("could not send the %s note", name)

    async def join(self) -> None:
        """Wait until every queued update is handled (tests, shutdown)."""
        await self._idle.wait()

    async def stop(self, grace: float = 10.0) -> None:
        """Take nothing new; let handlers in progress finish (up to `grace` seconds). What is
        left stays stored and is handled at the next start."""
        self._closed = True
        workers = list(self._workers.values())
        if not workers:
            return
        _, late = await asyncio.wait(workers, timeout=grace)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)


def _sound(update: Update) -> bool:
    """Whether fields Telegram always sends are there (PTB leaves a missing one None, and
    handlers and filters rely on them): a message's chat and date, a button tap's sender."""
    message = update.effective_message
    if message is not None and (message.chat is None or message.date is None):
        return False
    query = update.callback_query
    return query is None or query.from_user is not None


def inbox_of(app: AgendaApp) -> Inbox:
    """The application's inbox, made on first use."""
    if app.bot_data.inbox is None:
        app.bot_data.inbox = Inbox(app)
    return app.bot_data.inbox


async def accept(app: AgendaApp, update_json: Mapping[str, object]) -> bool:
    """Store one update durably and hand it to the processor; False if it was stored before.

    The entry point for every transport (the polling loop in bot/service/polling.py, a webhook):
    return to Telegram only after this returned. Raises NotAnUpdate for JSON without an
    integer update_id (nothing stored).
    """
    return await inbox_of(app).accept([update_json]) == 1
