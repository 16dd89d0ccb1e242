"""`agenda-bot demo`: simulated people talk to the real bot through a fake Telegram.

Hundreds of people of every stakeholder group sign up, answer questionnaires, report problems
and say "affects us too", all through the real handlers (`bot.app.build_application`) and a
strict fake Bot API that rejects anything Telegram would reject. Then the collected figures are
printed from the database. Seeded, so every run gives the same figures.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.app import build_application
from bot.consultation.model import Consultation, Question, Questionnaire, load_consultation
from bot.context import AgendaApp, AgendaContext, Services
from bot.demo import people as pool
from bot.demo.people import Persona
from bot.demo.phases import Phases
from bot.demo.report import report, write_documents
from bot.questions import Tap
from bot.settings import DEFAULT_CONSULTATION, Settings
from storage import integrity, organisations
from storage.answers import AnswerValue

if TYPE_CHECKING:
    from bot.fake_telegram import ChatMessage, FakeBotApi, FakeUser

SEED = 2027
STAFF_ID = 9001
STAFF_GROUP, STAFF_ORGANISATION = "admin", "Stadt Hagenow, Wirtschaftsförderung"
# A moment while every Hagenow questionnaire is open, whatever the real date is.
DEMO_START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SILENT_INVITED = 5  # invited organisations that never open their link
JOIN_CHANCE = 0.7  # offered an alike report before filing, how many say "betrifft uns auch"


class DemoProblem(Exception):
    """The bot showed something a person could not go on from."""


@dataclass
class DemoClock:
    """The bot's clock: fixed, moved on by hand between the demo's rounds."""

    now: datetime = DEMO_START

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Tally:
    """What the simulated people did (what the bot stored is read from the database)."""

    refused: list[int] = field(default_factory=list)
    opened: int = 0
    finished: int = 0
    left_unfinished: int = 0
    went_back: int = 0
    skipped: int = 0
    mistyped: int = 0
    edited: int = 0
    reports: int = 0
    joined: int = 0  # offered an existing alike report, said "betrifft uns auch" instead
    photos: int = 0
    votes: int = 0
    issues: list[str] = field(default_factory=list)


class Simulation:
    """Drives FakeUsers by what the bot shows them: buttons by label, typed answers."""

    def __init__(
        self, api: FakeBotApi, app: AgendaApp, user_class: type[FakeUser], rng: random.Random
    ) -> None:
        self.api, self.app, self.user_class, self.rng = api, app, user_class, rng
        services = app.bot_data.services
        assert services is not None
        self.services: Services = services
        self.consultation = services.consultation
        self.tally = Tally()
        self.reported: dict[str, set[str]] = {}

    def label(self, lang: str, name: str, **params: Any) -> str:
        """A button label exactly as the bot renders it."""
        return self.services.texts.render(lang, f"btn_{name}", **params)

    def user(self, persona: Persona) -> FakeUser:
        return self.user_class(
            self.api, self.app, persona.telegram_id, persona.first_name, persona.lang
        )

    # ------------------------------------------------------------------ buttons
    @staticmethod
    def fresh(user: FakeUser, msg: ChatMessage) -> ChatMessage:
        """The message as the user sees it now (its keyboard may have been edited)."""
        return next(m for m in user.messages if m.message_id == msg.message_id)

    async def press(
        self, user: FakeUser, msg: ChatMessage, wanted: Callable[[str], bool], what: str
    ) -> str | None:
        """Click the first button of msg whose label satisfies wanted."""
        labels = self.fresh(user, msg).button_labels
        found = next((label for label in labels if wanted(label)), None)
        if found is None:
            raise DemoProblem(f"no button {what!r} under {msg.text!r:.80}; buttons: {labels}")
        return await user.click(found, msg.message_id)

    async def press_label(self, user: FakeUser, msg: ChatMessage, label: str) -> str | None:
        return await self.press(user, msg, lambda shown: shown == label, label)

    # ------------------------------------------------------------------ onboarding
    async def onboard(self, persona: Persona) -> FakeUser | None:
        """/start (with the invitation token, if any) up to the finished profile."""
        user, lang = self.user(persona), persona.lang
        await user.send(f"/start {persona.invite_token}" if persona.invite_token else "/start")
        await self.press_label(user, user.last, "Deutsch" if lang == "de" else "English")
        if not persona.consents:
            await self.press_label(user, user.last, self.label(lang, "consent_no"))
            self.tally.refused.append(persona.telegram_id)
            return None
        await self.press_label(user, user.last, self.label(lang, "consent_yes"))
        assert persona.group_id is not None
        group = self.consultation.group(persona.group_id)
        assert group is not None
        for _ in range(8):
            msg = user.last
            labels = msg.button_labels
            if self.label(lang, "surveys") in labels:
                return user
            if group.title.get(lang) in labels:
                await self.press_label(user, msg, group.title.get(lang))
            elif self.label(lang, "done") in labels:
                for field_id in persona.fields:
                    action_field = self.consultation.action_field(field_id)
                    assert action_field is not None
                    title = action_field.title.get(lang)
                    await self.press_label(
                        user, msg, self.label(lang, "toggle", title=title, on=False)
                    )
                await self.press_label(user, msg, self.label(lang, "done"))
            elif self.label(lang, "naming_yes") in labels:
                await self.press_label(
                    user, msg, self.label(lang, "naming_yes" if persona.named else "naming_no")
                )
            elif not labels and persona.organisation is not None:
                await user.send(persona.organisation)
            else:
                raise DemoProblem(f"stuck in onboarding at {msg.text!r:.80}")
        raise DemoProblem("onboarding did not finish")

    # ------------------------------------------------------------------ questionnaires
    def on_screen(self, msg: ChatMessage, qn: Questionnaire, lang: str) -> Question | None:
        """The question this message asks, or None when it is not a question of qn."""
        lines = (msg.text or "").split("\n")
        # The question may be headed by the answer just given (same message): start at its title.
        heading = qn.title.get(lang) + " · "
        start = next((i for i, line in enumerate(lines) if line.startswith(heading)), None)
        if start is None:
            return None
        lines = lines[start:]
        for question in qn.questions:
            if question.text.get(lang) in lines:
                return question
        raise DemoProblem(f"a question of {qn.id} that is not in the file: {msg.text!r:.120}")

    def questionnaire_of(self, label: str, lang: str) -> Questionnaire | None:
        return next(
            (q for q in self.consultation.questionnaires if q.title.get(lang) in label), None
        )

    async def answer_surveys(self, persona: Persona, user: FakeUser) -> None:
        """Start some of the open questionnaires, one after the other."""
        lang, done = persona.lang, set()
        follow: Questionnaire | None = None
        for _ in range(persona.questionnaires):
            if follow is None:
                await user.send("/umfrage" if lang == "de" else "/survey")
                listing = user.last
                choices = [
                    label
                    for label in listing.button_labels
                    if not label.startswith("✓")
                    and self.questionnaire_of(label, lang)
                    and label not in done
                ]
                if not choices:
                    return
                chosen = self.rng.choice(choices)
                qn = self.questionnaire_of(chosen, lang)
                assert qn is not None
                done.add(chosen)
                await self.press_label(user, listing, chosen)
            else:
                qn = follow
            finished = await self.answer(persona, user, qn)
            follow = None
            if finished and self.rng.random() < 0.5:
                thanks = user.last
                nxt = self.label(lang, "next_questionnaire", title="")
                button = next((b for b in thanks.button_labels if b.startswith(nxt)), None)
                follow = self.questionnaire_of(button, lang) if button else None
                if button and follow:
                    await self.press_label(user, thanks, button)
            elif not finished:
                return

    async def answer(self, persona: Persona, user: FakeUser, qn: Questionnaire) -> bool:
        """Answer question by question until the summary; True when finished."""
        lang, rng = persona.lang, self.rng
        self.tally.opened += 1
        stop_after = rng.randint(1, 6) if rng.random() < 0.2 else None
        answered, went_back, edited = 0, False, False
        for _ in range(100):
            msg = user.last
            question = self.on_screen(msg, qn, lang)
            if question is None:
                if self.label(lang, "finish") not in msg.button_labels:
                    raise DemoProblem(f"unexpected in {qn.id}: {msg.text!r:.100}")
                if not edited and rng.random() < 0.08:
                    edited = True
                    self.tally.edited += 1
                    await self.press_label(user, msg, self.label(lang, "edit_number", number=1))
                    continue
                await self.press_label(user, msg, self.label(lang, "finish"))
                self.tally.finished += 1
                return True
            if stop_after is not None and answered >= stop_after:
                self.tally.left_unfinished += 1
                return False
            back = self.label(lang, "back")
            if (
                not went_back
                and answered >= 2
                and back in msg.button_labels
                and rng.random() < 0.07
            ):
                went_back = True
                self.tally.went_back += 1
                await self.press_label(user, msg, back)
                continue
            await self.answer_question(persona, user, msg, qn, question)
            answered += 1
        raise DemoProblem(f"{qn.id} never reached its summary")

    async def answer_question(
        self, persona: Persona, user: FakeUser, msg: ChatMessage, qn: Questionnaire, q: Question
    ) -> None:
        lang, rng = persona.lang, self.rng
        assert persona.group_id is not None
        if not q.required and rng.random() < 0.25:
            self.tally.skipped += 1
            await self.press_label(user, msg, self.label(lang, "skip"))
        else:
            value = pool.answer_for(rng, qn, q, persona.group_id, lang)
            await self.give(user, msg, q, value, lang)

    async def give(
        self, user: FakeUser, msg: ChatMessage, q: Question, value: AnswerValue, lang: str
    ) -> None:
        """Answer as a person would: the kind's buttons (bot.questions), else typing."""
        kind = q.kind
        taps = [tap for row in kind.taps(q, None, lang) for tap in row]

        def title(tap: Tap) -> str:
            return tap.title or self.services.texts.render(lang, tap.word)

        if not taps:
            if kind.numeric_input and self.rng.random() < 0.05:
                self.tally.mistyped += 1
                await user.send("ungefähr zwanzig" if lang == "de" else "about twenty")
            await user.send(kind.as_typed(value, lang))
        elif kind.collects:
            wanted = set(value) if isinstance(value, list) else set()
            for tap in taps:
                if tap.step != "toggle":
                    continue
                is_on = self.label(lang, "toggle", title=title(tap), on=True)
                if (is_on in self.fresh(user, msg).button_labels) != (tap.raw in wanted):
                    await self.press(user, msg, _ends_with(" " + title(tap)), title(tap))
            await self.press_label(user, msg, self.label(lang, "done"))
        else:
            tap = next(t for t in taps if kind.from_button(q, str(t.raw)) == value)
            shown = title(tap)
            await self.press(user, msg, lambda label: label.removeprefix("✓ ") == shown, shown)

    # ------------------------------------------------------------------ problem reports
    def field_title(self, field_id: str, lang: str) -> str:
        action_field = self.consultation.action_field(field_id)
        assert action_field is not None
        return action_field.title.get(lang)

    async def report_problem(self, persona: Persona, user: FakeUser) -> None:
        """/problem: field, title, description, then a photo or "without a photo"."""
        lang = persona.lang
        field_id = self.rng.choice(persona.fields)
        await user.send("/problem")
        await self.press_label(user, user.last, self.label(lang, "problem_new"))
        await self.press_label(user, user.last, self.field_title(field_id, lang))
        # Most people write about something new; some report what others already did.
        reported = self.reported.setdefault(field_id, set())
        fresh = [p for p in pool.PROBLEMS[field_id] if p[0] not in reported]
        title, description = self.rng.choice(
            fresh if fresh and self.rng.random() < 0.7 else pool.PROBLEMS[field_id]
        )
        reported.add(title)
        await user.send(title)
        join = self.label(lang, "problem_join")
        if join in user.last.button_labels:
            # "Gibt es schon: …": most say it affects them too; some report it anyway.
            if self.rng.random() < JOIN_CHANCE:
                await self.press_label(user, user.last, join)
                self.tally.joined += 1
                return
            await self.press_label(user, user.last, self.label(lang, "problem_other"))
        await user.send(description)
        if self.rng.random() < 0.3:
            self.tally.photos += 1
            await user.send_photo()
        else:
            await self.press_label(user, user.last, self.label(lang, "no_photo"))
        self.tally.reports += 1

    async def vote(self, persona: Persona, user: FakeUser) -> None:
        """Look at the reports of one's field and press "affects us too" on some."""
        lang = persona.lang
        await user.send("/problem")
        await self.press_label(user, user.last, self.label(lang, "problem_list"))
        seen = len(user.messages)
        await self.press_label(
            user, user.last, self.field_title(self.rng.choice(persona.fields), lang)
        )
        affects = self.label(lang, "affects_us", count=0).split("(")[0]
        for page in range(3):
            cards = [
                m
                for m in user.messages[seen:]
                if any(b.startswith(affects) for b in m.button_labels)
            ]
            for position, card in enumerate(cards):
                if self.rng.random() < 0.65 / (1 + position):
                    await self.press(user, card, lambda s: s.startswith(affects), affects)
                    self.tally.votes += 1
            more = self.label(lang, "more")
            if more not in user.last.button_labels or self.rng.random() < 0.5 or page == 2:
                return
            seen = len(user.messages)
            await self.press_label(user, user.last, more)


async def _staff(sim: Simulation) -> FakeUser:
    """The town's staff member: a profile of their own (the progress flow asks them to type)."""
    fields = tuple(f.id for f in sim.consultation.action_fields)
    persona = Persona(
        STAFF_ID,
        "Sabine",
        "de",
        STAFF_GROUP,
        STAFF_ORGANISATION,
        None,
        None,
        fields,
        named=True,
        consents=True,
        questionnaires=0,
        reports_problem=False,
        votes=False,
    )
    user = await sim.onboard(persona)
    assert user is not None
    return user


def _ends_with(suffix: str) -> Callable[[str], bool]:
    return lambda label: label.endswith(suffix)


async def _invite(services: Services, rng: random.Random) -> list[tuple[str, str, str]]:
    """Register the invited organisations; return (name, group, token) of those who will join."""
    joining = []
    silent = set(rng.sample(range(len(pool.INVITED)), SILENT_INVITED))
    for index, (name, group_id, contact) in enumerate(pool.INVITED):
        org = await organisations.upsert_invited(
            services.db,
            name,
            group_id,
            contact,
            pool.invite_token(index, rng),
            now=services.clock(),
        )
        assert org.invite_token is not None
        if index not in silent:
            joining.append((org.name, org.group_id, org.invite_token))
    return joining


async def _live(sim: Simulation, personas: list[Persona], clock: DemoClock) -> dict[int, FakeUser]:
    """Round one: everyone signs up and answers; round two, a week later: votes."""
    users: dict[int, FakeUser] = {}
    for persona in personas:
        try:
            user = await sim.onboard(persona)
            if user is None:
                continue
            users[persona.telegram_id] = user
            await sim.answer_surveys(persona, user)
            if persona.reports_problem:
                await sim.report_problem(persona, user)
        except (DemoProblem, AssertionError) as problem:
            sim.tally.issues.append(f"{persona.describe()}: {problem}")
    clock.now += timedelta(days=7)
    for persona in personas:
        user = users.get(persona.telegram_id)
        if user is None or not persona.votes:
            continue
        try:
            await sim.vote(persona, user)
        except (DemoProblem, AssertionError) as problem:
            sim.tally.issues.append(f"{persona.describe()}: {problem}")
    return users


def _may_replace(db_path: Path) -> bool:
    """Whether the demo may start afresh at db_path: no file there, or one the demo made."""
    return not db_path.exists() or integrity.is_demo_database(db_path)


def _absolute(path: Path) -> Path:
    return path.absolute()


async def run_demo(
    db_path: Path, per_group: int = 40, *, documents: bool = True, force: bool = False
) -> int:
    """Simulate per_group people of every group against the real bot; print what was collected.

    Starts from a fresh database at db_path; an existing file there is replaced only if the demo
    made it (or with force), so a real database given by mistake is never deleted."""
    started = time.perf_counter()
    if not force and not _may_replace(db_path):
        print(
            f"agenda-bot demo: {db_path} ist keine Demo-Datenbank und bleibt unberührt"
            " (is not a demo database; another --db FILE, or --force to replace it)",
            file=sys.stderr,
        )
        return 2
    print(f"Datenbank (database): {db_path}")
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    from bot.fake_telegram import FakeBotApi, FakeRequest, FakeUser

    for stale in (db_path, *(db_path.with_name(db_path.name + s) for s in ("-wal", "-shm"))):
        stale.unlink(missing_ok=True)
    integrity.create_demo_database(db_path)
    consultation: Consultation = load_consultation(DEFAULT_CONSULTATION)
    api = FakeBotApi()
    # The demo runs weeks of a consultation in a minute: Telegram's per-second limits would
    # only slow it; the tests and `make bench` run with them.
    api.limits.enabled = False
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": api.token,
            "AGENDA_DB": str(_absolute(db_path)),
            "AGENDA_STAFF_IDS": str(STAFF_ID),
            "AGENDA_CONSULTATION": str(DEFAULT_CONSULTATION),
        }
    )
    clock = DemoClock()
    app = build_application(
        settings,
        consultation,
        request=FakeRequest(api),
        get_updates_request=FakeRequest(api),
        clock=clock,
        rate_limit=False,
    )
    errors: list[BaseException] = []

    async def record(update: object, context: AgendaContext) -> None:
        if context.error is not None:
            errors.append(context.error)

    app.add_error_handler(record)
    api.add_chat(STAFF_ID, "Wirtschaftsförderung")  # staff opened the bot: gets /status
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    try:
        rng = random.Random(SEED)  # noqa: S311 - a reproducible simulation, not a secret
        sim = Simulation(api, app, FakeUser, rng)
        joining = await _invite(sim.services, rng)
        personas = pool.make_personas(rng, consultation, per_group, joining)
        users = await _live(sim, personas, clock)
        staff = await _staff(sim)
        await staff.send("/status")
        if not any("Stand der Befragung" in (m.text or "") for m in staff.messages):
            sim.tally.issues.append("Die Stadtverwaltung bekam mit /status keinen Stand.")
        phases = Phases(sim, clock, staff)
        await phases.run(personas, users)
        code = await report(sim, personas, api, errors, started, phases)
        if documents:
            await write_documents(sim.services, consultation, clock, db_path.parent)
        return code
    finally:
        assert app.post_shutdown is not None
        await app.post_shutdown(app)
        await app.shutdown()
