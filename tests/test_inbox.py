"""The durable inbox: stored before confirmed, handled once, per chat in order, chats at once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import TypeHandler

from bot.app import build_application
from bot.consultation.model import Consultation
from bot.context import AgendaApp, AgendaContext
from bot.fake_telegram import FakeBotApi, FakeRequest, FakeUser
from bot.service.inbox import FloodGate, Inbox, NotAnUpdate, accept, inbox_of
from bot.service.polling import fetch_updates
from bot.settings import Settings, SettingsError
from storage import inbox as store
from storage.db import Database
from tests.conftest import FakeClock, make_settings, paced

LANGUAGE_QUESTION = "Bitte wählen Sie Ihre Sprache"


class Bot:
    """One run of the bot in this process: the real Application, its inbox and fetch loop."""

    def __init__(self, app: AgendaApp, errors: list[BaseException]) -> None:
        self.app, self.errors = app, errors
        self.fetching: asyncio.Task[None] | None = None

    @property
    def inbox(self) -> Inbox:
        return inbox_of(self.app)

    @property
    def db(self) -> Database:
        services = self.app.bot_data.services
        assert services is not None
        return services.db

    def poll(self) -> None:
        stop = asyncio.Event()
        self.fetching = asyncio.create_task(fetch_updates(self.app, self.inbox, None, stop))

    async def crash(self) -> None:
        """Die as SIGKILL would leave the database: handlers in progress never finish."""
        if self.fetching is not None:
            self.fetching.cancel()
        await self.inbox.stop(grace=0)
        await self.close()

    async def close(self) -> None:
        if self.fetching is not None:
            self.fetching.cancel()
        assert self.app.post_shutdown is not None
        await self.app.post_shutdown(self.app)
        await self.app.shutdown()


async def start_bot(
    settings: Settings, consultation: Consultation, api: FakeBotApi, clock: FakeClock
) -> Bot:
    app = build_application(
        settings,
        consultation,
        request=FakeRequest(api),
        get_updates_request=FakeRequest(api),
        clock=clock,
        traffic=paced(api),
    )
    errors: list[BaseException] = []

    async def record(update: object, context: AgendaContext) -> None:
        assert context.error is not None
        errors.append(context.error)

    app.add_error_handler(record)
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    return Bot(app, errors)


@pytest.fixture
def api() -> FakeBotApi:
    return FakeBotApi()


@pytest.fixture
def settings(tmp_path: Path, api: FakeBotApi) -> Settings:
    return make_settings(tmp_path, api)


@pytest.fixture
async def running(
    settings: Settings, consultation: Consultation, api: FakeBotApi
) -> AsyncIterator[Bot]:
    bot = await start_bot(settings, consultation, api, FakeClock())
    yield bot
    await bot.close()
    assert not bot.errors, f"handlers raised: {bot.errors!r}"


async def until(check: Callable[[], bool], what: str, timeout: float = 10) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited in vain for: {what}")
        await asyncio.sleep(0.01)


def texts_to(api: FakeBotApi, chat_id: int, needle: str) -> int:
    return sum(needle in (m.text or "") for m in api.sent_to(chat_id))


def hold(app: AgendaApp, user_id: int) -> tuple[asyncio.Event, asyncio.Event]:
    """Make every update of `user_id` wait before the bot's handlers see it."""
    entered, release = asyncio.Event(), asyncio.Event()

    async def gate(update: Update, context: AgendaContext) -> None:
        if update.effective_user is not None and update.effective_user.id == user_id:
            entered.set()
            await release.wait()

    app.add_handler(TypeHandler(Update, gate), group=-10)
    return entered, release


async def test_an_update_fetched_before_a_crash_is_answered_once_after_the_restart(
    settings: Settings, consultation: Consultation, api: FakeBotApi
) -> None:
    first = await start_bot(settings, consultation, api, FakeClock())
    entered, _ = hold(first.app, 1001)
    anna = FakeUser(api, None, 1001, via_polling=True)
    await anna.send("/start")
    update_id = api.pending_updates()[0]["update_id"]
    first.poll()
    await entered.wait()  # fetched, stored, its handler running ...
    await until(lambda: not api.pending_updates(), "Telegram told the update arrived")
    services = first.app.bot_data.services
    assert services is not None
    assert await store.state_of(services.db, update_id) == "new"
    await first.crash()  # ... and the process dies before it answered
    assert texts_to(api, 1001, LANGUAGE_QUESTION) == 0

    second = await start_bot(settings, consultation, api, FakeClock())
    await second.inbox.start()
    await second.inbox.join()
    second.poll()
    await anna.send("/hilfe")  # a later update is fetched and handled after it
    await until(lambda: len(api.sent_to(1001)) >= 2, "both answered")
    await second.inbox.join()
    await second.close()
    assert texts_to(api, 1001, LANGUAGE_QUESTION) == 1
    assert not second.errors


async def test_an_update_delivered_twice_is_handled_once(running: Bot, api: FakeBotApi) -> None:
    anna = FakeUser(api, None, 1001, via_polling=True)
    await anna.send("/start")
    update = api.pending_updates()[0]
    assert await accept(running.app, update) is True
    assert await accept(running.app, update) is False  # Telegram sent it again
    running.poll()  # and once more through getUpdates, unconfirmed as it still is
    await until(lambda: not api.pending_updates(), "the update confirmed")
    await running.inbox.join()
    assert texts_to(api, 1001, LANGUAGE_QUESTION) == 1
    counts = await store.counts(running.db)
    assert counts == {"done": 1}


async def test_a_slow_chat_holds_up_only_itself_and_each_chat_keeps_its_order(
    running: Bot, api: FakeBotApi
) -> None:
    entered, release = hold(running.app, 1001)
    anna = FakeUser(api, None, 1001, via_polling=True)
    bob = FakeUser(api, None, 1002, via_polling=True, first_name="Bob")
    running.poll()
    await anna.send("/start")
    await entered.wait()
    await anna.send("/hilfe")
    await bob.send("/start")
    await until(lambda: texts_to(api, 1002, LANGUAGE_QUESTION) == 1, "Bob answered")
    assert api.sent_to(1001) == []  # Anna's second message waits for her first

    release.set()
    await until(lambda: len(api.sent_to(1001)) == 2, "Anna answered twice")
    first, second = api.sent_to(1001)
    assert LANGUAGE_QUESTION in (first.text or "")
    assert LANGUAGE_QUESTION not in (second.text or "")


async def test_the_change_and_the_handled_mark_commit_together(
    running: Bot, api: FakeBotApi
) -> None:
    db = running.db
    seen: list[tuple[str, str | None]] = []

    def peek(when: str) -> TypeHandler[Update, AgendaContext, None]:
        async def look(update: Update, context: AgendaContext) -> None:
            seen.append((when, await store.state_of(db, update.update_id)))

        return TypeHandler(Update, look)

    running.app.add_handler(peek("before"), group=-10)
    running.app.add_handler(peek("after"), group=100)
    anna = FakeUser(api, None, 1001, via_polling=True)
    running.poll()
    await anna.send("/start")
    await until(lambda: len(seen) == 2, "the /start handled")
    await until(lambda: bool(anna.buttons()), "the language question")
    await anna.click("Deutsch")
    await until(lambda: len(seen) == 4, "the language tap handled")
    await until(lambda: any("Einverstanden" in b for b in anna.buttons()), "the notice")
    await anna.click("Einverstanden")  # the first write: consent and a person
    await until(lambda: len(seen) == 6, "the consent handled")
    # Nothing is stored before consent, so those taps are marked after their handlers; the
    # consent is marked in the transaction that stored it, before its handler returned.
    unwritten, written = (
        [("before", "new"), ("after", "new")],
        [("before", "new"), ("after", "done")],
    )
    assert seen == unwritten * 2 + written
    await running.inbox.join()
    assert await store.counts(db) == {"done": 3}


async def test_a_message_older_than_a_day_gets_an_apology_and_changes_nothing(
    running: Bot, api: FakeBotApi
) -> None:
    anna = FakeUser(api, None, 1001, via_polling=True)
    await anna.send("/start")
    update = api.pending_updates()[0]
    services = running.app.bot_data.services
    assert services is not None
    update["message"]["date"] = int(services.clock().timestamp()) - 25 * 3600
    update["message"]["from"]["language_code"] = "en"
    await accept(running.app, update)
    await running.inbox.join()
    assert texts_to(api, 1001, "your message reached me very late") == 1
    assert texts_to(api, 1001, "choose your language") == 0
    assert await store.state_of(services.db, update["update_id"]) == "stale"


async def test_an_update_stored_before_a_long_outage_gets_an_apology(
    settings: Settings, consultation: Consultation, api: FakeBotApi
) -> None:
    clock = FakeClock()
    first = await start_bot(settings, consultation, api, clock)
    entered, _ = hold(first.app, 1001)
    anna = FakeUser(api, None, 1001, via_polling=True)
    await anna.send("/start")
    first.poll()
    await entered.wait()
    await first.crash()
    clock.advance(hours=30)  # the server was down all night and the next day
    second = await start_bot(settings, consultation, api, clock)
    await second.inbox.start()
    await second.inbox.join()
    await second.close()
    assert texts_to(api, 1001, "Nachricht hat mich erst sehr spät erreicht") == 1
    assert texts_to(api, 1001, LANGUAGE_QUESTION) == 0


async def test_an_update_that_broke_every_start_is_given_up(running: Bot, api: FakeBotApi) -> None:
    services = running.app.bot_data.services
    assert services is not None
    item = store.Incoming(77, "chat:1", '{"update_id": 77}')
    await store.store(services.db, [item], services.clock())
    for _ in range(6):  # six starts, each killed while handling it
        reopened = await store.reopen(services.db, 5, services.clock())
    assert reopened == []
    assert await store.state_of(services.db, 77) == "failed"


async def test_json_without_an_update_id_is_refused_and_nothing_stored(running: Bot) -> None:
    for junk in ({}, {"update_id": "7"}, {"update_id": 2**64}, {"update_id": True}):
        with pytest.raises(NotAnUpdate):
            await accept(running.app, junk)
    services = running.app.bot_data.services
    assert services is not None
    assert await store.counts(services.db) == {}


async def test_a_flood_slows_down_only_the_person_who_floods(running: Bot, api: FakeBotApi) -> None:
    running.app.bot_data.inbox = Inbox(running.app, flood=FloodGate(rate=20, burst=5))
    anna = FakeUser(api, None, 1001, via_polling=True)
    bob = FakeUser(api, None, 1002, via_polling=True, first_name="Bob")
    for _ in range(40):
        await anna.send("/hilfe")
    await bob.send("/start")
    running.poll()
    await until(lambda: texts_to(api, 1002, LANGUAGE_QUESTION) == 1, "Bob answered")
    answered_anna = [m for m in api.sent_to(1001) if "schreiben sehr schnell" not in (m.text or "")]
    assert len(answered_anna) < 40  # Bob did not wait behind all of Anna's messages
    await running.inbox.join()
    assert texts_to(api, 1001, "Sie schreiben sehr schnell") == 1  # one short note
    assert texts_to(api, 1002, "schreiben sehr schnell") == 0
    services = running.app.bot_data.services
    assert services is not None
    assert await store.counts(services.db) == {"done": 41}  # nothing of Anna's is lost


def test_flood_gate_allows_a_burst_then_the_rate() -> None:
    now = [0.0]
    gate = FloodGate(rate=2, burst=3, clock=lambda: now[0])
    assert [gate.reserve(1) for _ in range(3)] == [0, 0, 0]
    assert gate.reserve(1) == pytest.approx(0.5)
    assert gate.reserve(2) == 0  # another person is not affected
    now[0] = 10.0
    assert gate.reserve(1) == 0
    assert gate.should_note(1) and not gate.should_note(1)


@pytest.mark.parametrize("raw", ["0m", "soon", "-5h"])
def test_a_bad_update_max_age_names_the_variable(tmp_path: Path, api: FakeBotApi, raw: str) -> None:
    with pytest.raises(SettingsError, match="AGENDA_UPDATE_MAX_AGE"):
        make_settings(tmp_path, api, AGENDA_UPDATE_MAX_AGE=raw)
    assert make_settings(tmp_path, api).update_max_age == timedelta(hours=24)
