"""How a simulated person of `agenda-bot demo` uses the bot: by what the bot shows them.

Buttons are pressed by their label (rendered exactly as the bot renders it), answers typed as a
person would; a message the person could not go on from is a ``DemoProblem``. The run itself
(who joins, in which order, the rounds): ``bot.demo.run``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.consultation.questionnaire import Question, Questionnaire
from bot.context import AgendaApp, Services
from bot.demo import answers
from bot.demo.people import Persona
from bot.questions import Tap
from storage.answers import AnswerValue

if TYPE_CHECKING:
    from bot.fake_telegram import ChatMessage, FakeBotApi, FakeUser

JOIN_CHANCE = 0.7  # offered an alike report before filing, how many say "betrifft uns auch"


class DemoProblem(Exception):
    """The bot showed something a person could not go on from."""


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
            value = answers.answer_for(rng, qn, q, persona.group_id, lang)
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
        fresh = [p for p in answers.PROBLEMS[field_id] if p[0] not in reported]
        title, description = self.rng.choice(
            fresh if fresh and self.rng.random() < 0.7 else answers.PROBLEMS[field_id]
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


def _ends_with(suffix: str) -> Callable[[str], bool]:
    return lambda label: label.endswith(suffix)
