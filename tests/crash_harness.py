"""The crash harness: `agenda-bot run` as a real process, killed with SIGKILL at random moments.

Scripted people tap through onboarding and status-quo questionnaires over the fake Bot API
(HTTP, Telegram's getUpdates semantics: an update comes again until an offset confirms it),
sometimes tapping two answers to one question in quick succession. The harness kills the bot's
whole process group (the bot and its render worker) at random moments and starts it again.

Checked at every kill, before the restart: `PRAGMA integrity_check` is ok, and everything a person
saw a reply to is stored (consent, group, organisation, each answer). At the end: every update a
person sent is handled exactly once (the inbox says handled; a trigger counts the answer writes:
one per answer tap, so a tap handled twice or never shows), and each stored answer is the last
the person tapped. A crash after a change but before its reply loses only the reply; the
scripted person then does what a person would: taps /weiter.

    python -m tests.crash_harness --kills 50      # `make crashtest`: prints one table
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.callbacks import split
from bot.consultation.model import Consultation, load_consultation
from bot.engine import button_value
from bot.fake_telegram import FakeBotApi, FakeBotApiServer, FakeUser
from bot.settings import DEFAULT_CONSULTATION, PROJECT_ROOT

TRIGGERS = """
CREATE TABLE IF NOT EXISTS harness_writes (person_id INTEGER, questionnaire_id TEXT,
                                           question_id TEXT, value TEXT);
CREATE TRIGGER IF NOT EXISTS harness_answer_insert AFTER INSERT ON answers BEGIN
  INSERT INTO harness_writes VALUES (NEW.person_id, NEW.questionnaire_id, NEW.question_id,
                                     NEW.value);
END;
CREATE TRIGGER IF NOT EXISTS harness_answer_update AFTER UPDATE ON answers BEGIN
  INSERT INTO harness_writes VALUES (NEW.person_id, NEW.questionnaire_id, NEW.question_id,
                                     NEW.value);
END;
"""
DEBUG = bool(os.environ.get("CRASH_DEBUG"))
PATIENCE = 25.0  # seconds a person waits for a reply before tapping /weiter
Key = tuple[str, str]  # (questionnaire, question)


def open_consultation(folder: Path) -> Path:
    """The Hagenow file with every questionnaire open, so the harness does not expire."""
    text = DEFAULT_CONSULTATION.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(\s+)opens: \d{4}-\d\d-\d\d", r"\1opens: 2000-01-01", text)
    text = re.sub(r"(?m)^(\s+)closes: \d{4}-\d\d-\d\d", r"\1closes: 2099-12-30", text)
    text = re.sub(r"(?m)^purge_after: \d{4}-\d\d-\d\d", "purge_after: 2099-12-31", text)
    path = folder / "consultation.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Tap:
    """One update a person sent; answer taps name their question and the value they stand for."""

    update_id: int
    query: str | None = None  # a button tap's callback query id
    key: Key | None = None
    value: Any = None


@dataclass
class Fact:
    """Something a person saw a reply to, which must therefore be stored."""

    what: str
    sql: str
    params: tuple[object, ...]
    allowed: tuple[object, ...]


_NUMBER_HINT = re.compile(r"Bitte tippen Sie eine Zahl \(([\d.]+) bis")


class Person(FakeUser):
    """A scripted participant: reads the screen, taps like a person, waits for the answer."""

    def __init__(
        self,
        api: FakeBotApi,
        uid: int,
        rng: random.Random,
        consultation: Consultation,
        questionnaires: int,
    ) -> None:
        super().__init__(api, None, uid, first_name=f"P{uid}", via_polling=True)
        self.rng, self.consultation, self.wanted = rng, consultation, questionnaires
        self.taps: list[Tap] = []
        self.facts: list[Fact] = []
        self.finished: set[str] = set()
        self.toggled: set[Key] = set()
        self.tapped: dict[Key, list[Any]] = {}
        self.onboarded = False
        self.retries = 0  # replies that never came (a crash after the change, before the reply)
        self.seen: list[Fact] = []  # facts whose reply the person saw
        self.tick: str | None = None  # the option ticked in the current multiple choice

    async def _deliver(self, update: dict[str, Any]) -> None:
        update = {"update_id": self.api.next_update_id(), **update}
        query = update.get("callback_query")
        self.taps.append(Tap(update["update_id"], query["id"] if query else None))
        self.api.push_update(update)

    # ------------------------------------------------------------------ acting
    def _screen(self) -> tuple[str, list[tuple[int, str, str]]]:
        """The latest text, and the buttons (message id, label, data) of the latest keyboard."""
        messages = self.messages
        latest = (messages[-1].text or "") if messages else ""
        for msg in reversed(messages):
            if msg.buttons:
                buttons = [
                    (msg.message_id, b.text, b.callback_data or "")
                    for row in msg.buttons
                    for b in row
                ]
                return latest, buttons
        return latest, []

    async def _tap(self, message_id: int, data: str, key: Key | None, value: Any) -> None:
        await self.click_data(data, message_id)
        if key is not None:
            self.taps[-1].key, self.taps[-1].value = key, value
            self.tapped.setdefault(key, []).append(value)

    def _fact(self, what: str, sql: str, *params: object, allowed: tuple[object, ...]) -> Fact:
        return Fact(what, sql, (self.id, *params), allowed)

    async def step(self) -> list[Fact]:  # noqa: C901 (to split)
        """One action; returns the facts that become true once its reply is seen."""
        latest, buttons = self._screen()
        if DEBUG:
            print(f"P{self.id} sees {latest[:50]!r} {[d for _, _, d in buttons][:6]}", flush=True)
        by_label = {label: (mid, data) for mid, label, data in buttons}
        kinds: dict[str, list[tuple[int, str]]] = {}
        for mid, _, data in buttons:
            kinds.setdefault(data.split(":", 1)[0], []).append((mid, data))
        person_sql = "SELECT {} FROM people WHERE telegram_id = ?"
        if "Organisation?" in latest and "Wie heißt" in latest:
            await self.send(f"Firma {self.id}")
            sql = (
                "SELECT o.name FROM people p JOIN organisations o ON o.id = p.organisation_id"
                " WHERE p.telegram_id = ?"
            )
            return [self._fact("organisation", sql, allowed=(f"Firma {self.id}",))]
        if "Deutsch" in by_label and "Sprache" in latest:
            await self.click_data(by_label["Deutsch"][1], by_label["Deutsch"][0])
            return []
        consent = [(mid, data) for mid, data in kinds.get("C", []) if data.startswith("C:y")]
        if consent:
            await self.click_data(consent[0][1], consent[0][0])
            return [self._fact("consent", person_sql.format("count(*)"), allowed=(1,))]
        if "Einzelhandel" in by_label:
            await self.click_data(by_label["Einzelhandel"][1], by_label["Einzelhandel"][0])
            return [self._fact("group", person_sql.format("group_id"), allowed=("retail",))]
        field = [label for label in by_label if label.endswith("Einzelhandel / Gewerbe")]
        if field and field[0].startswith("✅") and "FD" in kinds:
            await self.click_data(kinds["FD"][0][1], kinds["FD"][0][0])
            return []
        if field:
            mid, data = by_label[field[0]]
            await self.click_data(data, mid)
            sql = (
                "SELECT count(*) FROM person_fields f JOIN people p ON p.id = f.person_id"
                " WHERE p.telegram_id = ? AND f.action_field = 'handel'"
            )
            return [self._fact("field", sql, allowed=(1,))]
        if "Ja, namentlich nennen" in by_label:
            mid, data = by_label["Ja, namentlich nennen"]
            await self.click_data(data, mid)
            self.onboarded = True
            return []
        for mid, data in kinds.get("Q", []):
            qn = _arg(data, 0) or ""
            if qn.startswith("sq-") and qn not in self.finished:
                await self.click_data(data, mid)
                return []
        if "A" in kinds:
            return await self._answer(kinds["A"])
        if "T" in kinds or "D" in kinds:
            return await self._multi(kinds)
        if "S" in kinds:
            mid, data = kinds["S"][0]
            return await self._answered(mid, data, None)
        if "X" in kinds:
            mid, data = kinds["X"][0]
            self.finished.add(_arg(data, 0) or "")
            await self.click_data(data, mid)
            return []
        number = _NUMBER_HINT.search(latest)
        if number:  # a required number question: the least it takes
            await self.send(number.group(1).replace(".", ""))
            return []
        if "✍️ Bitte schreiben Sie" in latest:  # a required text question
            await self.send(f"Beispiel von P{self.id}")
            return []
        if self.onboarded and ("Profil ist fertig" in latest or "Vielen Dank" in latest):
            if len(self.finished) >= self.wanted:
                raise Finished
            survey = [(mid, data) for mid, data in kinds.get("M", []) if data == "M:survey"]
            if survey:  # the menu's button, as a person on a phone would
                await self.click_data(survey[0][1], survey[0][0])
            else:
                await self.send("/umfrage")
            return []
        await self.send("/weiter" if self.onboarded else "/start")
        return []

    def _key_value(self, data: str) -> tuple[Key, Any]:
        qn = self.consultation.questionnaire(_arg(data, 0) or "")
        question = qn.question(_arg(data, 1) or "") if qn else None
        assert qn is not None and question is not None, data
        raw = _arg(data, 2)
        value = button_value(question, raw) if raw else None
        return (qn.id, question.id), value

    async def _answered(self, mid: int, data: str, value: Any) -> list[Fact]:
        key, _ = self._key_value(data) if value is None else (self._key_value(data)[0], value)
        await self._tap(mid, data, key, value)
        return [self._answer_fact(key)]

    def _answer_fact(self, key: Key) -> Fact:
        sql = (
            "SELECT a.value FROM answers a JOIN people p ON p.id = a.person_id"
            " WHERE p.telegram_id = ? AND a.questionnaire_id = ? AND a.question_id = ?"
        )
        # What was tapped for this question so far; a later tap may already have replaced it.
        allowed = tuple(
            json.dumps(v, ensure_ascii=False) if v is not None else None for v in self.tapped[key]
        )
        return self._fact(f"answer {key}", sql, *key, allowed=allowed)

    async def _answer(self, options: list[tuple[int, str]]) -> list[Fact]:
        """Tap an answer; now and then two in quick succession (the second must win)."""
        picks = self.rng.sample(options, k=2 if len(options) > 1 and self.rng.random() < 0.3 else 1)
        for mid, data in picks:
            key, value = self._key_value(data)
            await self._tap(mid, data, key, value)
        return [self._answer_fact(key)]

    async def _multi(self, kinds: dict[str, list[tuple[int, str]]]) -> list[Fact]:
        """Tick one option, then "done": a tick handled twice would untick it."""
        some = (kinds.get("T") or kinds["D"])[0][1]
        key, _ = self._key_value(some.replace("D:", "T:", 1) + ":x" if some[0] == "D" else some)
        if key not in self.toggled and "T" in kinds:
            mid, data = self.rng.choice(kinds["T"])
            self.toggled.add(key)
            self.tick = _arg(data, 2)
            await self.click_data(data, mid)
            return []
        mid, data = kinds["D"][0]
        await self._tap(mid, data, key, [self.tick])
        return [self._answer_fact(key)]

    async def run(self, stop_at: float) -> None:
        """Act, wait for the reply, repeat; facts become due once their reply is seen."""
        await self.send("/start")
        await self._settle(self.activity - 1)
        while time.monotonic() < stop_at:
            mark = self.activity
            try:
                facts = await self.step()
            except Finished:
                return
            if await self._settle(mark):
                # A tap's reply: the spinner stopped (answerCallbackQuery) and the chat changed.
                query = self.taps[-1].query if self.taps else None
                if query is None or self.api.callback_answer(query) is not None:
                    self.seen.extend(facts)
            else:
                self.retries += 1
            await asyncio.sleep(self.rng.uniform(0.05, 0.3))

    async def _settle(self, mark: int) -> bool:
        """Wait for a reply after `mark`, then until the chat is quiet for a moment."""
        deadline = time.monotonic() + PATIENCE
        while self.activity <= mark:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.03)
        quiet, last = time.monotonic(), self.activity
        while time.monotonic() - quiet < 0.25:
            await asyncio.sleep(0.03)
            if self.activity != last:
                quiet, last = time.monotonic(), self.activity
        return True


class Finished(Exception):
    """The person has done what they came for."""


def _arg(data: str, index: int) -> str | None:
    """The argument at index of a button payload (after its kind), or None."""
    parts = split(data) or []
    return parts[index + 1] if index + 1 < len(parts) else None


class BotProcess:
    """`agenda-bot run` in a process group of its own (with its render worker)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        script = Path(sys.executable).with_name("agenda-bot")
        command = (
            [str(script), "run"] if script.exists() else [sys.executable, "-m", "bot.cli", "run"]
        )
        with self.log.open("ab") as log:
            log.write(f"--- start {self.starts}\n".encode())
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
        self.starts += 1

    def kill(self) -> None:
        """SIGKILL to the whole group: no handler, no atexit, no cleanup runs."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=60)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # a render worker left behind
        return code


@dataclass
class Figures:
    """What one run found."""

    kills: int = 0
    people: int = 0
    taps: int = 0
    lost: int = 0
    duplicated: int = 0
    wrong_answers: int = 0
    reply_without_state: int = 0
    integrity_errors: int = 0
    retries: int = 0
    restart_seconds: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def table(self) -> str:
        head = (
            "kills",
            "people",
            "taps",
            "lost",
            "duplicated",
            "wrong last answer",
            "reply without stored state",
            "integrity errors",
            "no reply in 25 s (sent /weiter)",
        )
        row = (
            self.kills,
            self.people,
            self.taps,
            self.lost,
            self.duplicated,
            self.wrong_answers,
            self.reply_without_state,
            self.integrity_errors,
            self.retries,
        )
        widths = [max(len(h), len(str(v))) for h, v in zip(head, row, strict=True)]
        lines = [
            " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)),
            "-|-".join("-" * w for w in widths),
            " | ".join(str(v).rjust(w) for v, w in zip(row, widths, strict=True)),
        ]
        return "\n".join(lines)

    @property
    def clean(self) -> bool:
        return not (
            self.lost
            or self.duplicated
            or self.wrong_answers
            or self.reply_without_state
            or self.integrity_errors
        )


def check_at_kill(db_path: Path, people: list[Person], figures: Figures) -> None:
    """With the bot dead: the file is sound, and every reply a person saw is backed by a row."""
    with sqlite3.connect(db_path) as conn:
        (integrity,) = conn.execute("PRAGMA integrity_check").fetchone()
        if integrity != "ok":
            figures.integrity_errors += 1
            figures.problems.append(f"integrity_check after kill {figures.kills}: {integrity}")
        for person in people:
            for fact in person.seen:
                row = conn.execute(fact.sql, fact.params).fetchone()
                if row is None or row[0] not in fact.allowed:
                    figures.reply_without_state += 1
                    figures.problems.append(
                        f"kill {figures.kills}: P{person.id} saw the reply to {fact.what} but "
                        f"the database has {row and row[0]!r}, not one of {fact.allowed}"
                    )


def check_at_end(db_path: Path, people: list[Person], figures: Figures) -> None:
    """Every update handled exactly once; each stored answer is the last one tapped."""
    with sqlite3.connect(db_path) as conn:
        states = dict(conn.execute("SELECT update_id, state FROM inbox").fetchall())
        writes: dict[tuple[int, str, str], int] = {}
        for telegram_id, qn, q in conn.execute(
            "SELECT p.telegram_id, w.questionnaire_id, w.question_id FROM harness_writes w "
            "JOIN people p ON p.id = w.person_id"
        ):
            writes[(telegram_id, qn, q)] = writes.get((telegram_id, qn, q), 0) + 1
        for person in people:
            figures.taps += len(person.taps)
            figures.retries += person.retries
            for tap in person.taps:
                if states.get(tap.update_id) != "done":
                    figures.lost += 1
                    figures.problems.append(
                        f"P{person.id}: update {tap.update_id} is "
                        f"{states.get(tap.update_id) or 'not stored'}"
                    )
            for key, values in person.tapped.items():
                count = writes.get((person.id, *key), 0)
                if count < len(values):
                    figures.lost += len(values) - count
                    figures.problems.append(
                        f"P{person.id} {key}: {len(values)} taps, {count} writes"
                    )
                elif count > len(values):
                    figures.duplicated += count - len(values)
                    figures.problems.append(
                        f"P{person.id} {key}: {len(values)} taps, {count} writes"
                    )
                row = conn.execute(
                    "SELECT a.value FROM answers a JOIN people p ON p.id = a.person_id "
                    "WHERE p.telegram_id = ? AND a.questionnaire_id = ? AND a.question_id = ?",
                    (person.id, *key),
                ).fetchone()
                stored = json.loads(row[0]) if row and row[0] is not None else None
                if row is None or stored != values[-1]:
                    figures.wrong_answers += 1
                    figures.problems.append(
                        f"P{person.id} {key}: stored {stored!r}, last tapped "
                        f"{values[-1]!r} (all: {values})"
                    )
        (integrity,) = conn.execute("PRAGMA integrity_check").fetchone()
        if integrity != "ok":
            figures.integrity_errors += 1
            figures.problems.append(f"integrity_check at the end: {integrity}")


async def _until(check: Any, what: str, timeout: float) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"harness: waited in vain for {what}")
        await asyncio.sleep(0.05)


async def crash_run(  # noqa: C901 (to split)
    folder: Path,
    *,
    kills: int,
    people: int,
    seed: int = 1,
    questionnaires: int = 1,
    gap: tuple[float, float] = (0.3, 2.5),
) -> Figures:
    """Run the bot, `people` scripted people, and `kills` SIGKILLs at random moments."""
    rng = random.Random(seed)
    consultation = load_consultation(DEFAULT_CONSULTATION)
    api = FakeBotApi()
    figures = Figures(people=people)
    db_path = folder / "agenda.sqlite3"
    with FakeBotApiServer(api) as server:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(folder),
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "PTB_TIMEDELTA": "true",
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_BASE_URL": server.base_url,
            "TELEGRAM_BASE_FILE_URL": server.base_file_url,
            "AGENDA_DB": str(db_path),
            "AGENDA_CONSULTATION": str(open_consultation(folder)),
        }
        bot = BotProcess(env, folder / "bot.log")

        def starts() -> int:
            return len(api.calls_of("deleteWebhook"))  # once per start, before polling

        async def start() -> None:
            before, began = starts(), time.monotonic()
            bot.start()
            await _until(lambda: starts() > before, "the bot starting", 90)
            figures.restart_seconds.append(time.monotonic() - began)

        def all_handled() -> bool:
            ids = [tap.update_id for person in crowd for tap in person.taps]
            with sqlite3.connect(db_path) as conn:
                conn.execute("CREATE TEMP TABLE sent (id INTEGER PRIMARY KEY)")
                conn.executemany("INSERT INTO sent VALUES (?)", [(i,) for i in ids])
                (open_,) = conn.execute(
                    "SELECT count(*) FROM sent LEFT JOIN inbox ON inbox.update_id = sent.id "
                    "WHERE inbox.state IS NULL OR inbox.state = 'new'"
                ).fetchone()
            return open_ == 0 and not api.pending_updates()

        await start()
        with sqlite3.connect(db_path) as conn:
            conn.executescript(TRIGGERS)
        crowd: list[Person] = []
        tasks: set[asyncio.Task[None]] = set()
        killing = True

        async def arrive() -> None:
            """Keep `people` people tapping while the kills go on (new ones replace those done)."""
            while killing or tasks:
                while killing and len(tasks) < people:
                    person = Person(
                        api,
                        5000 + len(crowd),
                        random.Random(rng.random()),
                        consultation,
                        questionnaires,
                    )
                    crowd.append(person)
                    tasks.add(asyncio.create_task(person.run(time.monotonic() + 900)))
                done, _ = await asyncio.wait(tasks, timeout=0.5)
                for task in done:
                    tasks.discard(task)
                    task.result()

        arrivals = asyncio.create_task(arrive())
        try:
            for _ in range(kills):
                await asyncio.sleep(rng.uniform(*gap))
                bot.kill()
                figures.kills += 1
                check_at_kill(db_path, crowd, figures)
                await start()
            killing = False
            await asyncio.wait_for(arrivals, timeout=900)
            with contextlib.suppress(AssertionError):  # what is left unhandled counts as lost
                await _until(all_handled, "every update handled", 120)
            code = bot.stop()
            if code != 0:
                figures.problems.append(f"the bot exited with {code} on SIGINT")
        except BaseException:
            for task in (*tasks, arrivals):
                task.cancel()
            if bot.process is not None and bot.process.poll() is None:
                bot.kill()
            raise
    figures.people = len(crowd)
    check_at_end(db_path, crowd, figures)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description="SIGKILL the bot while people tap; one table.")
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--questionnaires", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = asyncio.run(
            crash_run(
                Path(tmp),
                kills=args.kills,
                people=args.people,
                seed=args.seed,
                questionnaires=args.questionnaires,
            )
        )
        print(figures.table())
        for problem in figures.problems[:30]:
            print(" -", problem)
        if not figures.clean:
            print((Path(tmp) / "bot.log").read_text(errors="replace")[-3000:])
    return 0 if figures.clean else 1


if __name__ == "__main__":
    sys.exit(main())
