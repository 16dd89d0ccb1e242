"""Fixtures: a fresh database per test and the real Application talking to a strict fake."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

os.environ.setdefault("PTB_TIMEDELTA", "true")

from bot.app import build_application
from bot.consultation.model import Consultation, load_consultation
from bot.context import AgendaApp, AgendaContext, Services
from bot.fake_telegram import ChatMessage, FakeBotApi, FakeRequest, FakeUser
from bot.service.traffic import Traffic
from bot.settings import DEFAULT_CONSULTATION, Settings
from bot.texts import Texts
from storage.db import Database

STAFF_ID = 9001

# Compiling every message template takes about half a second; the compiled macros hold no
# state, so one instance serves every application the harness builds (build_application(texts=)).
TEXTS = Texts()
# A fixed moment while the Hagenow questionnaires are open.
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def text_of(message: ChatMessage) -> str:
    """The plain text of a bot message; fails (instead of a TypeError) on a photo or document."""
    assert message.text is not None, f"message {message.message_id} is a {message.kind}, no text"
    return message.text


@dataclass
class FakeClock:
    """A clock the test moves by hand."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class VirtualTime:
    """A monotonic clock that only moves when something sleeps on it: seconds cost nothing."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def paced(api: FakeBotApi, vt: VirtualTime | None = None) -> Traffic:
    """Telegram's limits on virtual time: the bot keeps them and the fake checks them on the
    same clock, so a test notices a 429 without waiting real seconds."""
    vt = vt or VirtualTime()
    api.limits.rebase(vt.monotonic)
    return Traffic(monotonic=vt.monotonic, sleep=vt.sleep)


@dataclass
class Harness:
    """The running bot, its fake Telegram and everything a scenario needs."""

    api: FakeBotApi
    app: AgendaApp
    clock: FakeClock
    settings: Settings
    consultation: Consultation
    errors: list[BaseException] = field(default_factory=list)

    @property
    def services(self) -> Services:
        services = self.app.bot_data.services
        assert services is not None
        return services

    @property
    def db(self) -> Database:
        return self.services.db

    def user(self, user_id: int, first_name: str = "Anna", language_code: str = "de") -> FakeUser:
        return FakeUser(self.api, self.app, user_id, first_name, language_code)


@pytest.fixture(scope="session")
def consultation() -> Consultation:
    return load_consultation(DEFAULT_CONSULTATION)


def make_settings(tmp_path: Path, api: FakeBotApi, **extra: str) -> Settings:
    env = {
        "TELEGRAM_BOT_TOKEN": api.token,
        "AGENDA_DB": str(tmp_path / "agenda.sqlite3"),
        "AGENDA_STAFF_IDS": str(STAFF_ID),
        **extra,
    }
    return Settings.from_env(env)


async def start_harness(tmp_path: Path, consultation: Consultation) -> Harness:
    api = FakeBotApi()
    settings = make_settings(tmp_path, api)
    clock = FakeClock()
    app = build_application(
        settings,
        consultation,
        request=FakeRequest(api),
        get_updates_request=FakeRequest(api),
        clock=clock,
        traffic=paced(api),
        texts=TEXTS,
    )
    harness = Harness(api, app, clock, settings, consultation)

    async def record(update: object, context: AgendaContext) -> None:
        assert context.error is not None
        harness.errors.append(context.error)

    app.add_error_handler(record)
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    return harness


async def stop_harness(harness: Harness) -> None:
    app = harness.app
    assert app.post_shutdown is not None
    await app.post_shutdown(app)
    await app.shutdown()


@pytest.fixture
async def bot(tmp_path: Path, consultation: Consultation) -> AsyncIterator[Harness]:
    harness = await start_harness(tmp_path, consultation)
    yield harness
    await stop_harness(harness)
    assert not harness.errors, f"handlers raised: {harness.errors!r}"
    # The bot keeps Telegram's limits: not even a retried 429 (the limiter would hide it).
    assert harness.api.limits.refused == 0, "the fake Bot API answered 429 (flood limits)"


async def onboard(
    user: FakeUser,
    group: str = "Einzelhandel",
    organisation: str | None = "Blumen Müller",
    fields: tuple[str, ...] = ("Einzelhandel / Gewerbe",),
    named: bool = True,
    language: str = "Deutsch",
) -> None:
    """Go through /start as a person would: language, consent, group, name, fields, naming."""
    await user.send("/start")
    await user.click(language)
    await user.click("Einverstanden" if language == "Deutsch" else "I agree")
    await user.click(group)
    if organisation is not None:
        await user.send(organisation)
    for field_title in fields:
        await user.click(field_title)
    await user.click("Fertig" if language == "Deutsch" else "Done")
    if organisation is not None:
        if language == "Deutsch":
            await user.click("Ja, namentlich nennen" if named else "Nein, nur als Gruppe")
        else:
            await user.click("Yes, name us" if named else "No, only the group")
