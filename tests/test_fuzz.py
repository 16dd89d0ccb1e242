"""Fuzzing: generated updates through the inbox and the real Application break nothing.

Hypothesis builds updates a client or Telegram could send, and some it never would: missing and
unknown fields, edited messages, channel posts, group messages, giant and odd Unicode, forged
and oversized button data with huge numbers, commands with junk arguments, documents that are
not YAML. Each goes through ``accept`` (stored, then handled by the real handlers). No handler
may raise (the error handler counts), the bot's memory stays flat (tracemalloc), and a person
can sign up and answer right after.

`make test` runs a few hundred examples (derandomised, so the run is the same each time);
`make fuzz` runs 10,000 with fresh randomness (AGENDA_FUZZ_EXAMPLES). Staff commands that render
packs or workbooks (/digest, /export, /plan) are left out: each would take seconds of WeasyPrint.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import PUBLIC_COMMANDS, STAFF_COMMANDS
from bot.consultation.model import Consultation
from bot.service.inbox import NotAnUpdate, accept, inbox_of
from storage import inbox as store
from tests.conftest import STAFF_ID, Harness, onboard, start_harness, stop_harness

EXAMPLES = int(os.environ.get("AGENDA_FUZZ_EXAMPLES", "200"))
RANDOM = "AGENDA_FUZZ_EXAMPLES" in os.environ
PEOPLE = [1001, 1002, 1003, STAFF_ID]
GROUP, CHANNEL = -1001234567890, -1009876543210
HEAVY = {"digest", "export", "plan"}
COMMANDS = sorted(
    {
        *PUBLIC_COMMANDS["de"],
        *PUBLIC_COMMANDS["en"],
        *STAFF_COMMANDS,
        "teilnehmer",
        "weiter",
        "xyz",
        "start@hagenow_agenda_bot",
        "umfrage@other_bot",
    }
    - HEAVY
)
PREFIXES = [
    "A",
    "B",
    "BC",
    "C",
    "D",
    "DP",
    "DR",
    "E",
    "F",
    "FD",
    "FO",
    "G",
    "L",
    "LANG",
    "M",
    "N",
    "PB",
    "PG",
    "PR",
    "PV",
    "Q",
    "RL",
    "RM",
    "S",
    "T",
    "TR",
    "TS",
    "WS",
    "WT",
    "X",
    "ZZ",
]
HUGE = [0, 1, -1, 2**31, 2**63 - 1, 2**63, 2**64, 10**40, -(2**63) - 1]

odd_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]), min_size=0, max_size=60
) | st.sampled_from(
    [
        "",
        " ",
        "\u200b",
        "\u202e‮abc",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🇩🇪👩‍👩‍👧‍👦",
        "<b>&amp;</b>",
        "a" * 5000,
        "ß" * 4097,
        "\x00\x01\x7f",
        "-1",
        "9" * 40,
        "1e9999",
        "NaN",
    ]
)
argument = st.one_of(st.sampled_from(HUGE).map(str), odd_text, st.integers().map(str))


@st.composite
def callback_data(draw: st.DrawFn) -> str:
    """Button data as a forging client would send it: our prefixes, any arguments."""
    parts = [draw(st.sampled_from(PREFIXES))]
    parts += draw(st.lists(argument, max_size=4))
    data = ":".join(parts)
    return draw(st.sampled_from([data, data[:64], data * 3]))


@st.composite
def command(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(COMMANDS))
    args = draw(st.lists(argument, max_size=3))
    return " ".join([f"/{name}", *args])


def _user(uid: int, lang: str) -> dict[str, Any]:
    return {"id": uid, "is_bot": False, "first_name": "Fuzz", "language_code": lang}


@st.composite
def update(draw: st.DrawFn) -> dict[str, Any]:  # noqa: C901 (to split)
    """One update; `__click__` asks the test to point a button tap at a real bot message."""
    uid = draw(st.sampled_from(PEOPLE))
    lang = draw(st.sampled_from(["de", "en", "fr", ""]))
    private = {"id": uid, "type": "private", "first_name": "Fuzz"}
    chat = draw(
        st.sampled_from(
            [
                private,
                private,
                private,
                {"id": GROUP, "type": "supergroup", "title": draw(odd_text)},
                {"id": GROUP + 1, "type": "group", "title": "G"},
            ]
        )
    )
    kind = draw(
        st.sampled_from(
            [
                "text",
                "command",
                "command",
                "document",
                "photo",
                "sticker",
                "location",
                "contact",
                "empty",
                "reply",
            ]
        )
    )
    message: dict[str, Any] = {
        "message_id": draw(st.integers(1, 10**6)),
        "chat": chat,
        "from": _user(uid, lang),
        "date": 1796112000,
    }
    if kind == "text":
        message["text"] = draw(odd_text) or "x"
    elif kind == "command":
        text = draw(command())
        message["text"] = text
        length = len(text.split(" ", 1)[0].encode("utf-16-le")) // 2
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    elif kind == "document":
        message["document"] = {
            "file_id": "__doc__",
            "file_unique_id": "u",
            "file_name": draw(st.sampled_from(["entwurf.yaml", "x.yml", "a.pdf", "ü.yaml"])),
            "file_size": draw(st.integers(0, 10**9)),
        }
        message["__bytes__"] = draw(st.binary(max_size=300) | odd_text.map(str.encode))
    elif kind == "photo":
        message["photo"] = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
        message["caption"] = draw(odd_text)
    elif kind == "sticker":
        message["sticker"] = {
            "file_id": "s",
            "file_unique_id": "s",
            "type": "regular",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
        }
    elif kind == "location":
        message["location"] = {
            "latitude": draw(st.floats(-90, 90)),
            "longitude": draw(st.floats(-180, 180)),
        }
    elif kind == "contact":
        message["contact"] = {"phone_number": draw(odd_text), "first_name": "X"}
    elif kind == "reply":
        message["text"] = draw(odd_text) or "x"
        message["reply_to_message"] = {
            "message_id": draw(st.integers(1, 10**6)),
            "chat": chat,
            "date": 1796112000,
            "text": "?",
        }
    wrapper = draw(
        st.sampled_from(
            ["message"] * 6 + ["edited_message", "channel_post", "edited_channel_post", "callback"]
        )
    )
    if wrapper == "callback":
        return {"__click__": uid, "data": draw(callback_data()), "lang": lang}
    if wrapper.endswith("channel_post"):
        message["chat"] = {"id": CHANNEL, "type": "channel", "title": "Kanal"}
        message.pop("from")
    if wrapper.startswith("edited"):
        message["edit_date"] = 1796112100
    result: dict[str, Any] = {wrapper: message}
    for field in draw(st.lists(st.sampled_from(["from", "chat", "date", "text"]), max_size=2)):
        message.pop(field, None)  # missing fields
    if draw(st.booleans()):
        result["brand_new_field"] = {"x": draw(odd_text)}  # unknown fields
    return result


class Counting(logging.Handler):
    """Counts ERROR records: PTB logs some failures (a context it cannot build) only there."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def _ours(snapshot: tracemalloc.Snapshot) -> int:
    """Bytes held by the bot's code and the libraries it runs on (not the fake, not Hypothesis)."""
    keep = ("/bot/", "/handlers/", "/storage/", "/telegram/", "/aiosqlite/", "/jinja2/")
    return sum(
        stat.size
        for stat in snapshot.statistics("filename")
        if any(part in stat.traceback[0].filename for part in keep)
        and "/tests/" not in stat.traceback[0].filename
    )


def test_generated_updates_break_nothing_and_a_conversation_works_after(
    tmp_path: Path, consultation: Consultation, loop: asyncio.AbstractEventLoop
) -> None:
    harness: Harness = loop.run_until_complete(start_harness(tmp_path, consultation))
    api, app = harness.api, harness.app
    errors = Counting()
    logging.getLogger().addHandler(errors)
    seq = iter(range(10**9))
    anchors: dict[int, int] = {}  # a bot message per person, for button taps
    for uid in PEOPLE:
        api.add_chat(uid, "Fuzz")
        sent = loop.run_until_complete(app.bot.send_message(uid, "Anker"))
        anchors[uid] = sent.message_id
    for chat_id in (GROUP, GROUP + 1):
        api.add_chat(chat_id, "Gruppe")

    async def feed(raw: dict[str, Any]) -> None:
        raw = dict(raw)
        if "__click__" in raw:
            uid = raw["__click__"]
            user = {"id": uid, "is_bot": False, "first_name": "Fuzz", "language_code": raw["lang"]}
            query = api.issue_callback_query(user, anchors[uid], raw["data"])
            raw = {"callback_query": query}
        for value in raw.values():
            if isinstance(value, dict) and "__bytes__" in value:
                data = value.pop("__bytes__")
                sent = api.register_file(data or b"x", value["document"]["file_name"], None)
                value["document"]["file_id"] = sent.file_id
        raw["update_id"] = 10_000_000 + next(seq)
        await accept(app, raw)
        await inbox_of(app).join()

    memory: list[int] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        suppress_health_check=list(HealthCheck),
    )
    @given(update())
    def one(raw: dict[str, Any]) -> None:
        loop.run_until_complete(feed(raw))
        count = next(seq)
        if count % 50 == 0:
            api.calls.clear()  # the fake's own log of calls; not the bot's memory
            for chat in api._chats.values():
                del chat.messages[:-20]
        if count == 400 or (count and count % 2000 == 0):
            memory.append(_ours(tracemalloc.take_snapshot()))

    tracemalloc.start()
    try:
        one()
        memory.append(_ours(tracemalloc.take_snapshot()))
    finally:
        tracemalloc.stop()
        logging.getLogger().removeHandler(errors)

    try:
        assert harness.errors == [], f"{len(harness.errors)} handler errors: {harness.errors[:5]!r}"
        assert [r.getMessage() for r in errors.records] == []
        with pytest.raises(NotAnUpdate):
            loop.run_until_complete(accept(app, {"message": {}}))
        counts = loop.run_until_complete(store.counts(harness.db))
        assert counts.get("new", 0) == 0  # every stored update was handled
        if len(memory) > 1:  # from the first measurement on, growth stays small
            assert memory[-1] - memory[0] < 4_000_000, memory

        anna = harness.user(2001)  # a normal conversation right after
        loop.run_until_complete(onboard(anna))
        assert "Profil ist fertig" in (anna.last.text or "")
        loop.run_until_complete(anna.send("/umfrage"))
        loop.run_until_complete(anna.click("Handel und Gewerbe: Wie digital ist es heute?"))
        loop.run_until_complete(anna.click("Einzelhandel"))
        assert "Wie digital ist Ihr Betrieb heute?" in (anna.last.text or "")
        assert harness.errors == []
    finally:
        loop.run_until_complete(stop_harness(harness))
