"""`make bench`: the bot's speed in one table, each figure beside its reference and target.

Measured in one run (these machines are shared and noisy, so mostly ratios):

(a) taps/s through the full answer path (update, database write, rendered reply) against a
    bare python-telegram-bot app doing one reply per update, both in-process on the same fake;
(b) reply latency p50/p99 for 100 people tapping over real HTTP against `agenda-bot run` and a
    local fake Bot API that enforces Telegram's limits, against 5 people; then 100 people while
    a broadcast to 1,000 and a pack render run;
(c) a broadcast to 1,000 alone against 30 messages/s (no 429), and the rates during (b);
(d) pack time (SQL and render) at 1x, 10x and 100x Hagenow's scale;
(e) resident memory of the bot process (10,000 people registered, 1,200 with answers, the
    crowds of (b) answering live); render workers apart.

People in (b) tap like people: tap, wait for the next question, pause 0.2-0.8 s.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("PTB_TIMEDELTA", "true")

from bench.packs import TODAY, WORKSHOP, seed_data
from bot.consultation.model import Consultation, load_consultation
from bot.settings import DEFAULT_CONSULTATION, PROJECT_ROOT
from storage.db import Database
from storage.seed import SeedPerson, insert_answers, insert_people, insert_problems

STAFF = 9001
ARRIVALS = 10  # people who join a crowd per second (100 people: over 10 s)
BULK_IDS = 2_000_000  # the seeded people (broadcast recipients) from here ...
CROWD_IDS = 3_000_000  # ... the people who tap from here: replies to them are not bulk
TYPING = (2.0, 6.0)  # seconds a person takes to type a short answer (taps: 0.2-0.8 s pause)
NOW = TODAY  # in-process runs: a moment the Hagenow questionnaires are open


@dataclass
class Row:
    """One line of the table."""

    what: str
    value: str
    reference: str
    target: str
    met: bool | None = None


# ---------------------------------------------------------------------------- (a) in-process
def _kinds(data: list[str]) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {}
    for item in data:
        kinds.setdefault(item.split(":", 1)[0], []).append(item)
    return kinds


async def _tap_through(user: Any, limit: int) -> int:
    """Answer the open questionnaire by buttons until a typed question; the taps made."""
    taps, ticked = 0, False
    while taps < limit:
        message = next((m for m in reversed(user.messages) if m.buttons), None)
        if message is None:
            break
        data = [b.callback_data for row in message.buttons for b in row if b.callback_data]
        kinds = _kinds(data)
        if "A" in kinds:
            choice = kinds["A"][0]
        elif "T" in kinds and not ticked:
            choice, ticked = kinds["T"][0], True
        elif "D" in kinds:
            choice, ticked = kinds["D"][0], False
        else:
            break
        await user.click_data(choice, message.message_id)
        taps += 1
    return taps


async def taps_full(consultation: Consultation, folder: Path, people: int) -> tuple[float, int]:
    """Taps/s of the bot's answer path, `people` tapping at once; (rate, taps)."""
    from bot.app import build_application
    from bot.fake_telegram import FakeBotApi, FakeRequest, FakeUser
    from bot.settings import Settings

    api = FakeBotApi()
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": api.token,
            "AGENDA_DB": str(folder / "taps.sqlite3"),
            "AGENDA_STAFF_IDS": str(STAFF),
        }
    )
    app = build_application(
        settings,
        consultation,
        request=FakeRequest(api),
        get_updates_request=FakeRequest(api),
        clock=lambda: NOW,
    )
    await app.initialize()
    assert app.post_init is not None and app.post_shutdown is not None
    await app.post_init(app)
    services = app.bot_data.services
    assert services is not None
    fields = tuple(f.id for f in consultation.action_fields)
    ids = [500_000 + n for n in range(people)]
    seeds = [SeedPerson(i, "retail", f"Laden {i}", True, fields) for i in ids]
    await insert_people(services.db, seeds, consultation.consent_version, now=NOW)
    users = [FakeUser(api, app, i, f"P{i}") for i in ids]
    for user in users:  # not measured: open the retail questionnaire
        await user.send("/umfrage")
        start = next(
            b.callback_data
            for row in user.last.buttons
            for b in row
            if (b.callback_data or "").startswith("Q:sq-handel")
        )
        assert start is not None
        await user.click_data(start, user.last.message_id)
    began = time.perf_counter()
    counts = await asyncio.gather(*(_tap_through(user, 40) for user in users))
    wall = time.perf_counter() - began
    await app.post_shutdown(app)
    await app.shutdown()
    return sum(counts) / wall, sum(counts)


async def taps_bare(people: int, taps_each: int) -> float:
    """Taps/s of a bare PTB app: answer the tap, edit the message into the next question."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.ext import Application, CallbackQueryHandler, ContextTypes

    from bot.fake_telegram import FakeBotApi, FakeRequest, FakeUser

    api = FakeBotApi()
    app = (
        Application.builder()
        .token(api.token)
        .request(FakeRequest(api))
        .get_updates_request(FakeRequest(api))
        .build()
    )

    def keyboard(n: int) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(str(v), callback_data=f"{n}:{v}") for v in range(1, 6)]]
        )

    async def on_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        n = int(query.data.split(":")[0]) + 1
        await query.answer()
        await query.edit_message_text(f"Frage {n}", reply_markup=keyboard(n))

    app.add_handler(CallbackQueryHandler(on_tap))
    await app.initialize()
    ids = [600_000 + n for n in range(people)]
    users = [FakeUser(api, app, i, f"P{i}") for i in ids]
    api.limits.enabled = False  # setup only: the first question to everyone at once
    for user in users:
        await user.send("/start")
        await app.bot.send_message(user.id, "Frage 0", reply_markup=keyboard(0))
    api.limits.enabled = True

    async def tap(user: Any) -> None:
        for _ in range(taps_each):
            message = user.last
            await user.click_data(message.buttons[0][0].callback_data, message.message_id)

    began = time.perf_counter()
    await asyncio.gather(*(tap(user) for user in users))
    wall = time.perf_counter() - began
    await app.shutdown()
    return people * taps_each / wall


# ---------------------------------------------------------------------------- (b, c, e) HTTP
def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def _rss_mb(pid: int) -> float:
    """Resident memory of one process, from /proc (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    """The child processes of `pid` (its render workers), from /proc/PID/task/*/children: a
    few small reads (a scan of all of /proc would hold the bench's GIL long enough to bunch
    the fake Bot API's requests, which then sees bursts the bot never sent)."""
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in children.read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def _harness() -> Any:
    """The crash harness's scripted people (tests/crash_harness.py): they read the screen and
    tap like people. Imported by name: the tests are not type-checked with the bot."""
    return importlib.import_module("tests.crash_harness")


@dataclass
class Crowd:
    """Scripted people over HTTP; each tap's latency, until `stop` is set."""

    latencies: list[float] = field(default_factory=list)
    replies: list[float] = field(default_factory=list)  # monotonic time of each reply seen


class Live:
    """`agenda-bot run` against the fake Bot API over HTTP, and the people who tap."""

    def __init__(self, folder: Path, consultation: Consultation) -> None:
        from bot.fake_telegram import FakeBotApi

        self.folder, self.consultation = folder, consultation
        self.api = FakeBotApi()
        self.db_path = folder / "live.sqlite3"
        self.consultation_path = _harness().open_consultation(folder)
        self.events: dict[int, asyncio.Event] = {}
        self.loop = asyncio.get_running_loop()
        self.api.on_activity = self._activity
        self.process: subprocess.Popen[bytes] | None = None
        self.rss: list[float] = []
        self.worker_rss: list[float] = []

    def _activity(self, chat_id: int) -> None:
        event = self.events.get(chat_id)
        if event is not None:
            self.loop.call_soon_threadsafe(event.set)

    async def seed(self, registered: int, recipients: int) -> None:
        """10,000 people: 1,200 with answers (seed_data x4), the rest only registered, of
        whom `recipients` form the broadcast's group ("association")."""
        db = await Database.open(self.db_path)
        people, answers, problems = seed_data(self.consultation, 4, random.Random(11))
        fields = tuple(f.id for f in self.consultation.action_fields)
        rest = registered - len(people)
        people += [
            SeedPerson(
                BULK_IDS + n,
                "association" if n < recipients else "firm",
                f"Verein {n}",
                False,
                fields,
            )
            for n in range(rest)
        ]
        people = [
            p
            if p.group_id != "association" or p.telegram_id >= BULK_IDS
            else SeedPerson(p.telegram_id, "firm", p.organisation, p.may_be_named, p.fields)
            for p in people
        ]
        await insert_people(db, people, self.consultation.consent_version, now=TODAY)
        await insert_answers(db, answers, now=TODAY)
        await insert_problems(db, problems, now=TODAY)
        await db.close()
        for person in people:
            if person.group_id == "association":
                self.api.add_chat(person.telegram_id, f"V{person.telegram_id}")
        self.api.add_chat(STAFF, "Sabine")

    async def start(self, server: Any) -> None:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(self.folder),
            "LANG": "C.UTF-8",
            "PTB_TIMEDELTA": "true",
            "TELEGRAM_BOT_TOKEN": self.api.token,
            "TELEGRAM_BASE_URL": server.base_url,
            "TELEGRAM_BASE_FILE_URL": server.base_file_url,
            "AGENDA_DB": str(self.db_path),
            "AGENDA_CONSULTATION": str(self.consultation_path),
            "AGENDA_STAFF_IDS": str(STAFF),
            "AGENDA_LOG_LEVEL": "WARNING",
        }
        process = self._spawn(env)
        deadline = time.monotonic() + 120
        while not self.api.calls_of("deleteWebhook"):
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the bot did not start; see bot.log")
            await asyncio.sleep(0.1)

    def _spawn(self, env: dict[str, str]) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "bot.cli", "run"]
        profile = os.environ.get("BENCH_PROFILE")  # a file: the bot runs under cProfile
        if profile:
            command[1:1] = ["-m", "cProfile", "-o", profile]
        with (self.folder / "bot.log").open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own entry point
                command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log
            )
        return self.process

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(2)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def sample_memory(self) -> None:
        if self.process is None:
            return
        self.rss.append(_rss_mb(self.process.pid))
        workers = [_rss_mb(child) for child in _children(self.process.pid)]
        self.worker_rss.append(sum(workers))

    async def person(
        self, uid: int, stop: asyncio.Event, crowd: Crowd, seed: int, arrives: float
    ) -> None:
        """Arrive (scan the QR code) after `arrives` seconds, onboard, then answer
        questionnaires: tap, wait for the reply, pause 0.2-0.8 s; typing an answer (an
        organisation's name, a number, a sentence) takes TYPING seconds before it is sent, and
        its latency counts from the send."""
        harness = _harness()
        rng = random.Random(seed)
        await asyncio.sleep(arrives)
        person = harness.Person(self.api, uid, rng, self.consultation, questionnaires=3)
        event = self.events[uid] = asyncio.Event()
        tap = person.send
        sent_at = [0.0]

        async def typed(text: str) -> None:
            if not text.startswith("/"):  # words take a moment to type on a phone
                await asyncio.sleep(rng.uniform(*TYPING))
            sent_at[0] = time.monotonic()
            await tap(text)

        person.send = typed
        while not stop.is_set():
            mark = person.activity
            event.clear()
            began = time.monotonic()
            try:
                await person.step()
            except harness.Finished:
                return
            began = max(began, sent_at[0])  # a typed answer: from the moment it was sent
            while person.activity <= mark:
                try:
                    await asyncio.wait_for(event.wait(), 30)
                except TimeoutError:
                    break
                event.clear()
            else:
                now = time.monotonic()
                crowd.latencies.append(now - began)
                crowd.replies.append(now)
            await asyncio.sleep(rng.uniform(0.2, 0.8))

    async def crowd(
        self, first: int, count: int, seconds: float | None, until: Callable[[], bool] | None = None
    ) -> Crowd:
        """`count` new people tap for `seconds` (or until `until()`); their latencies. They
        arrive as a room scanning a QR code does, ARRIVALS a second: each newcomer needs two
        new messages (the reply to /start and to the typed organisation name), and Telegram
        allows 30 new messages a second, so no bot could onboard people much faster than
        about 13 a second without making them wait."""
        crowd, stop = Crowd(), asyncio.Event()
        people = [
            asyncio.create_task(self.person(first + n, stop, crowd, first + n, n / ARRIVALS))
            for n in range(count)
        ]
        began = time.monotonic()
        while True:
            await asyncio.sleep(1.0)
            self.sample_memory()
            if seconds is not None and time.monotonic() - began >= seconds:
                break
            if until is not None and until():
                break
        stop.set()
        await asyncio.gather(*people)
        # The first taps of a crowd start the bot's caches; measured after a warm-up second.
        return crowd

    async def staff_says(self, text: str | None = None, click: str | None = None) -> str:
        from bot.fake_telegram import FakeUser

        staff = FakeUser(self.api, None, STAFF, "Sabine", via_polling=True)
        mark = staff.activity
        if text is not None:
            await staff.send(text)
        if click is not None:
            await staff.click(click)
        reply = await staff.wait_for_reply(timeout=30, after=mark)
        return reply.text or reply.caption or ""

    async def broadcast(self, recipients: int) -> None:
        """Staff write a broadcast to the association group and confirm it."""
        await self.staff_says("/rundschreiben")
        await self.staff_says(f"Bench {time.monotonic():.0f}: Hallo Vereine!")
        group = await self._button("Gruppe: Verein")
        await self.staff_says(click=group)
        confirm = await self._button("✅")
        await self.staff_says(click=confirm)
        assert str(recipients) in confirm.replace(".", ""), confirm

    async def _button(self, start: str) -> str:
        """The label of the staff's latest button that starts so (waits for it up to 60 s)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for message in reversed(self.api.sent_to(STAFF)):
                found = [label for label in message.button_labels if label.startswith(start)]
                if found:
                    return found[0]
                if message.buttons:
                    break
            await asyncio.sleep(0.1)
        raise RuntimeError(f"no button {start!r} for staff")

    def bulk_sends(self, since: float) -> list[float]:
        return sorted(
            c.at
            for c in self.api.calls
            if c.method == "sendMessage"
            and c.ok
            and c.at >= since
            and BULK_IDS <= int(str(c.chat_id)) < CROWD_IDS
        )

    def documents(self) -> int:
        return sum(1 for c in self.api.calls if c.method == "sendDocument" and c.ok)

    def refused(self) -> int:
        return sum(1 for c in self.api.calls if c.error_code == 429)


def _max_per_second(times: list[float]) -> int:
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def live_figures(consultation: Consultation, folder: Path) -> dict[str, Any]:
    from bot.fake_telegram import FakeBotApiServer

    folder.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before anything runs
    live = Live(folder, consultation)
    await live.seed(10_000, 1_000)
    figures: dict[str, Any] = {}
    with FakeBotApiServer(live.api, keep_alive=True) as server:
        await live.start(server)
        try:
            await live.crowd(CROWD_IDS, 5, 4)  # warm-up: caches, the first connections
            five = await live.crowd(3_100_000, 5, 20)
            hundred = await live.crowd(3_200_000, 100, 25)
            figures["five"], figures["hundred"] = five.latencies, hundred.latencies
            # (c) a broadcast to 1,000 alone
            began = time.monotonic()
            refused_before = live.refused()
            await live.broadcast(1_000)
            while len(live.bulk_sends(began)) < 1_000 and time.monotonic() - began < 120:
                await asyncio.sleep(1.0)
                live.sample_memory()
            alone = live.bulk_sends(began)
            figures["alone"] = alone
            figures["alone_refused"] = live.refused() - refused_before
            # (b) 100 people while a broadcast to 1,000 and a pack render run
            began = time.monotonic()
            await live.broadcast(1_000)
            await live.staff_says(f"/digest {WORKSHOP}")
            busy = await live.crowd(
                3_300_000,
                100,
                None,
                until=lambda: (
                    len(live.bulk_sends(began)) >= 1_000 or time.monotonic() - began > 150
                ),
            )
            figures["busy"] = busy.latencies
            figures["busy_bulk"] = live.bulk_sends(began)
            figures["busy_replies"] = busy.replies
            figures["busy_refused"] = live.refused() - refused_before - figures["alone_refused"]
            figures["refused_overall"] = live.api.limits.refused_overall
            figures["refused_limits"] = live.api.limits.refused
            deadline = time.monotonic() + 120
            while not live.documents() and time.monotonic() < deadline:  # noqa: ASYNC110 - the fake runs in threads
                await asyncio.sleep(0.5)
            figures["pack_sent"] = live.documents()
        finally:
            live.stop()
    figures["rss"] = max(live.rss or [0.0])
    figures["worker_rss"] = max(live.worker_rss or [0.0])
    with sqlite3.connect(live.db_path) as conn:
        (figures["registered"],) = conn.execute("SELECT count(*) FROM people").fetchone()
        (figures["answering"],) = conn.execute(
            "SELECT count(DISTINCT person_id) FROM answers"
        ).fetchone()
    return figures


# ---------------------------------------------------------------------------- (d) packs
async def pack_time(consultation: Consultation, scale: int, folder: Path) -> tuple[int, float]:
    """(people, seconds for the pack's SQL and one render) at this scale."""
    from bot.documents.kinds import PACK
    from bot.documents.pipeline import render_document
    from bot.packs import build_pack

    people, answers, problems = seed_data(consultation, scale, random.Random(2027 + scale))
    db = await Database.open(folder / f"pack{scale}.sqlite3")
    try:
        await insert_people(db, people, consultation.consent_version, now=TODAY)
        await insert_answers(db, answers, now=TODAY)
        await insert_problems(db, problems, now=TODAY)
        began = time.perf_counter()
        pack = await build_pack(db, consultation, WORKSHOP, TODAY.date())
        sql = time.perf_counter() - began
    finally:
        await db.close()
    began = time.perf_counter()
    await asyncio.to_thread(render_document, PACK, pack)
    return len(people), sql + time.perf_counter() - began


# ---------------------------------------------------------------------------- the table
def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _rate(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0


async def main() -> int:
    consultation = load_consultation(DEFAULT_CONSULTATION)
    started = time.monotonic()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("bench: (a) taps in-process ...", file=sys.stderr, flush=True)
        full, taps = await taps_full(consultation, folder, 100)
        bare = await taps_bare(100, max(1, round(taps / 100)))
        rows.append(
            Row(
                "(a) taps/s, full answer path (100 people at once)",
                f"{full:.0f}/s",
                f"bare PTB app {bare:.0f}/s",
                "ratio >= 0.5",
                full / bare >= 0.5,
            )
        )
        rows.append(
            Row("    ratio full / bare", f"{full / bare:.2f}", "", ">= 0.5", full / bare >= 0.5)
        )
        print("bench: (b, c, e) agenda-bot run over HTTP ...", file=sys.stderr, flush=True)
        live = await live_figures(consultation, folder / "live")
        five, hundred, busy = live["five"], live["hundred"], live["busy"]
        p99_5 = _percentile(five, 0.99)
        for label, values in (("100 people", hundred), ("100 people + broadcast + pack", busy)):
            p99 = _percentile(values, 0.99)
            rows.append(
                Row(
                    f"(b) reply p50 / p99, {label}",
                    f"{_ms(_percentile(values, 0.5))} / {_ms(p99)}",
                    f"5 people {_ms(_percentile(five, 0.5))} / {_ms(p99_5)}",
                    "p99 within 2x",
                    p99 <= 2 * p99_5,
                )
            )
        alone = live["alone"]
        rate = _rate(alone)
        rows.append(
            Row(
                "(c) broadcast to 1,000 alone",
                f"{rate:.1f} msg/s ({rate / 30:.2f})",
                "Telegram 30 msg/s",
                ">= 0.9, no 429",
                rate / 30 >= 0.9 and live["alone_refused"] == 0,
            )
        )
        rows.append(
            Row(
                "    429 answered / busiest second",
                f"{live['alone_refused']} / {_max_per_second(alone)}",
                "limit 30",
                "0",
                live["alone_refused"] == 0,
            )
        )
        bulk, replies = live["busy_bulk"], live["busy_replies"]
        rows.append(
            Row(
                "    broadcast while 100 people tap",
                f"{_rate(bulk):.1f} msg/s",
                "its share while replies wait: 25",
                "no 429",
                live["busy_refused"] == 0,
            )
        )
        span = (bulk[-1] - bulk[0]) if len(bulk) > 1 else 1.0
        rows.append(
            Row(
                "    interactive replies meanwhile",
                f"{len(replies) / span:.1f} /s",
                f"{len(busy)} taps answered",
                "",
                None,
            )
        )
        print("bench: (d) packs ...", file=sys.stderr, flush=True)
        timings = [await pack_time(consultation, scale, folder) for scale in (1, 10, 100)]
        base = timings[0][1]
        for scale, (people, seconds) in zip((1, 10, 100), timings, strict=True):
            rows.append(
                Row(
                    f"(d) pack {WORKSHOP} at {scale}x ({people:,} people)",
                    f"{seconds:.1f} s",
                    "1x" if scale == 1 else f"{seconds / base:.1f}x 1x",
                    "",
                    None,
                )
            )
        print("bench: erasure and purge ...", file=sys.stderr, flush=True)
        from bench import privacy

        erased = await privacy.measure(2000)
        rows.append(
            Row(
                "erasure of one person (2,000 in the database)",
                f"{erased.median * 1000:.0f} ms (slowest {erased.slowest * 1000:.0f} ms)",
                "",
                f"<= {privacy.ERASE_TARGET * 1000:.0f} ms",
                erased.slowest <= privacy.ERASE_TARGET,
            )
        )
        rows.append(
            Row(
                f"purge of {erased.purged:,} people",
                f"{erased.purge:.1f} s",
                "",
                f"<= {privacy.PURGE_TARGET:.0f} s",
                erased.met(2000),
            )
        )
        rows.append(
            Row(
                f"(e) bot process RSS ({live['registered']:,} registered, "
                f"{live['answering']:,} answering)",
                f"{live['rss']:.0f} MB",
                f"render workers {live['worker_rss']:.0f} MB",
                "< 150 MB",
                live["rss"] < 150,
            )
        )
    print(f"\nagenda-bot bench ({time.monotonic() - started:.0f} s)\n")
    head = ("figure", "measured", "reference", "target", "")
    table = [
        (
            r.what,
            r.value,
            r.reference,
            r.target,
            "" if r.met is None else ("ok" if r.met else "MISSED"),
        )
        for r in rows
    ]
    widths = [max(len(str(line[i])) for line in (head, *table)) for i in range(5)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for line in table:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
