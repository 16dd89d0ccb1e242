"""The later phases of `agenda-bot demo`, after the survey: what happens around the workshops.

Simulated people sign up for the kick-off and the workshop of their field (the workshops hold
15, so a waiting list forms; some cancel and the first waiting takes the freed seat); staff
publish the example draft (``consultations/entwurf-beispiel.yaml``) by sending it to the bot;
people rate and comment its measures; staff mark priorities and adopt measures in
``/prioritaeten``; the example plan (``consultations/plan-beispiel.yaml``) is published as with
``agenda-bot plan publish``; staff record progress in ``/fortschritt`` over the following months,
one milestone late and one overdue. Everything goes through the real bot as in ``bot.demo.run``:
buttons pressed by their label, replies typed.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING

from bot.demo.people import Persona
from bot.demo.simulation import DemoProblem, Simulation
from bot.resources import CONSULTATIONS_DIR

if TYPE_CHECKING:
    from bot.demo.run import DemoClock
    from bot.fake_telegram import ChatMessage, FakeUser

DRAFT_FILE = CONSULTATIONS_DIR / "entwurf-beispiel.yaml"
PLAN_FILE = CONSULTATIONS_DIR / "plan-beispiel.yaml"

# The demo's calendar (the consultation file's phases): sign-ups before the kick-off, the draft
# in its review weeks, priorities after them, progress in the plan's first months.
TIDY = datetime(2026, 12, 15, 9, 0, tzinfo=UTC)  # staff merge duplicate reports
SIGN_UPS = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
DRAFT = datetime(2027, 4, 12, 8, 0, tzinfo=UTC)
PRIORITIES = datetime(2027, 5, 18, 8, 0, tzinfo=UTC)
PLAN = datetime(2027, 6, 28, 8, 0, tzinfo=UTC)
REPORT = datetime(2027, 12, 15, 8, 0, tzinfo=UTC)  # "today" of the plan and progress report

WORKSHOP_CHANCE = 0.2  # of people with a field, how many want to come to its workshop
KICKOFF_CHANCE = 0.15
CANCELLING = 3  # registered people who cancel later: the first waiting takes the seat
RATING_CHANCE = 0.45  # of onboarded people, how many rate the draft
COMMENT_CHANCE = 0.2  # of the measures a rater sees, how many they comment on
MAX_MERGES, MAX_PAGES = 40, 20  # bounds on the staff's tidying, per field
PRIORITY = ("v-termine", "h-schaufenster")  # staff mark these for next year's budget
ADOPTED = ("v-termine", "t-wlan", "h-schaufenster")  # the example plan needs these three

COMMENTS: dict[str, list[str]] = {
    "verwaltung": [
        "Bitte auch Termine am Samstagvormittag anbieten.",
        "Wichtig: Die Terminbestätigung muss auch ohne Smartphone gehen.",
        "Endlich! Das spart uns jedes Mal einen halben Tag.",
    ],
    "tourismus": [
        "Das WLAN sollte auch am Radweg nach Schwerin ankommen.",
        "Bitte die Vereine früh einbinden, sonst pflegt niemand die Termine.",
        "Der Rufbus am Wochenende wäre für unsere Gäste das Wichtigste.",
    ],
    "handel": [
        "Wir machen beim Schaufenster gern mit, brauchen aber Hilfe bei den Fotos.",
        "Die Azubi-Börse bitte auch in den Schulen vorstellen.",
        "Die Kosten für kleine Läden müssen niedrig bleiben.",
    ],
}

# Progress as staff record it: (when, measure id, what, milestone title or indicator name, value).
PROGRESS: list[tuple[datetime, str, str, str, str]] = [
    (datetime(2027, 10, 14, 9, 0, tzinfo=UTC), "v-termine", "ms", "Software beauftragt", ""),
    (datetime(2027, 10, 20, 9, 0, tzinfo=UTC), "h-schaufenster", "ms", "Förderantrag gestellt", ""),
    (datetime(2027, 11, 2, 9, 0, tzinfo=UTC), "h-schaufenster", "in", "", "12"),
    (
        datetime(2027, 11, 2, 9, 5, tzinfo=UTC),
        "t-wlan",
        "no",
        "",
        "Zwei Standorte noch offen: Strom am Bahnhof fehlt.",
    ),
    (datetime(2027, 12, 1, 9, 0, tzinfo=UTC), "v-termine", "in", "", "8"),
    (datetime(2027, 12, 1, 9, 5, tzinfo=UTC), "t-wlan", "in", "", "1"),
]


@dataclass
class PhaseTally:
    """What the simulated people and staff did in the later phases."""

    signed_up: int = 0
    waiting: int = 0
    cancelled: int = 0
    moved_up: int = 0
    merged: int = 0
    raters: int = 0
    ratings: int = 0
    comments: int = 0
    marked: list[str] = field(default_factory=list)
    progress: int = 0


class Phases:
    """Drives the later phases through the simulation's users and its staff member."""

    def __init__(self, sim: Simulation, clock: DemoClock, staff: FakeUser) -> None:
        self.sim, self.clock, self.staff = sim, clock, staff
        self.rng: random.Random = sim.rng
        self.tally = PhaseTally()

    async def run(self, personas: list[Persona], users: dict[int, FakeUser]) -> None:
        """All later phases in their order; a person's trouble is noted, the rest goes on."""
        present = [(p, users[p.telegram_id]) for p in personas if p.telegram_id in users]
        self.clock.now = TIDY
        await self.tidy_duplicates()
        self.clock.now = SIGN_UPS
        await self._each(present, self.sign_up)
        await self.cancel_some(present)
        self.clock.now = DRAFT
        await self.publish_draft()
        await self._each(present, self.rate)
        self.clock.now = PRIORITIES
        await self.prioritise()
        self.clock.now = PLAN
        await self.publish_plan()
        await self.record_progress()
        self.clock.now = REPORT

    async def _each(
        self,
        present: list[tuple[Persona, FakeUser]],
        step: Callable[[Persona, FakeUser], Awaitable[None]],
    ) -> None:
        for persona, user in present:
            try:
                await step(persona, user)
            except (DemoProblem, AssertionError) as problem:
                self.sim.tally.issues.append(f"{persona.describe()}: {problem}")

    # ------------------------------------------------------------------ duplicates
    async def tidy_duplicates(self) -> None:
        """Staff go through each field's reports in /problem, most shared first, and merge each
        report whose title is alike to one above it into that one (🔗 button, pick, confirm)."""
        for action_field in self.sim.consultation.action_fields:
            for _ in range(MAX_MERGES):
                if not await self._merge_one(action_field.title.get("de")):
                    break

    async def _merge_one(self, field_title: str) -> bool:
        """Find the first duplicate in the field's list and merge it; False when none is left."""
        from bot import similar

        staff, label = self.staff, self.sim.label
        await staff.send("/problem")
        await self.sim.press_label(staff, staff.last, label("de", "problem_list"))
        seen: list[str] = []
        merge = label("de", "problem_merge")
        for page in range(MAX_PAGES):
            start = len(staff.messages)
            button = field_title if page == 0 else label("de", "more")
            await self.sim.press_label(staff, staff.last, button)
            for card in staff.messages[start:]:
                title = _first_line(card)
                if merge not in card.button_labels:
                    continue
                if any(similar.alike(earlier, title) for earlier in seen):
                    await self.sim.press_label(staff, card, merge)
                    # The pick list shows alike titles first: the more shared one seen above.
                    await self.sim.press(staff, staff.last, _starts("→"), "→")
                    await self.sim.press_label(staff, staff.last, label("de", "problem_merge_ok"))
                    self.tally.merged += 1
                    return True
                seen.append(title)
            if label("de", "more") not in staff.last.button_labels:
                return False
        return False

    # ------------------------------------------------------------------ workshops
    def _workshop_of(self, field_id: str) -> str | None:
        event = next(
            (e for e in self.sim.consultation.workshops if e.action_field == field_id), None
        )
        return event.title.get("de") if event else None

    async def sign_up(self, persona: Persona, user: FakeUser) -> None:
        """/workshops: sign up for the workshop of one's first field, some for the kick-off."""
        lang, rng = persona.lang, self.rng
        wanted = []
        if persona.fields and rng.random() < WORKSHOP_CHANCE:
            wanted.append(persona.fields[0])
        kickoff = rng.random() < KICKOFF_CHANCE
        if not wanted and not kickoff:
            return
        await user.send("/workshops")
        listing = user.last
        events = self.sim.consultation.events
        titles = [e.title.get(lang) for e in events if e.kind == "kickoff"] if kickoff else []
        titles += [
            e.title.get(lang) for e in events if e.action_field in wanted and e.kind == "workshop"
        ]
        for title in titles:
            sign_up = self.sim.label(lang, "workshop_sign_up", title=title)
            wait = self.sim.label(lang, "workshop_wait", title=title)
            shown = self.sim.fresh(user, listing).button_labels
            if sign_up in shown:
                await self.sim.press_label(user, listing, sign_up)
                self.tally.signed_up += 1
            elif wait in shown:
                await self.sim.press_label(user, listing, wait)
                self.tally.waiting += 1

    async def cancel_some(self, present: list[tuple[Persona, FakeUser]]) -> None:
        """A few registered people cancel; the first waiting of that workshop takes the seat."""
        from storage import workshops as registrations

        db = self.sim.services.db
        by_person = {p.telegram_id: (p, u) for p, u in present}
        for event in self.sim.consultation.workshops:
            rows = await registrations.of_event(db, event.id)
            if not any(r.status == "waiting" for r in rows):
                continue
            seated = [r for r in rows if r.status == "registered"]
            for registration in self.rng.sample(seated, k=min(CANCELLING, len(seated))):
                persona, user = by_person[registration.telegram_id]
                await self._cancel(persona, user, event.title.get(persona.lang))
        for event in self.sim.consultation.workshops:
            for registration in await registrations.of_event(db, event.id):
                if registration.status == "offered":
                    persona, user = by_person[registration.telegram_id]
                    await self._take_seat(persona, user, event.title.get(persona.lang))

    async def _cancel(self, persona: Persona, user: FakeUser, title: str) -> None:
        await user.send("/workshops")
        listing = user.last
        # The cancel button sits in the row of the event's calendar button.
        calendar = self.sim.label(persona.lang, "workshop_calendar", title=title)
        cancel = self.sim.label(persona.lang, "workshop_cancel")
        rows = listing.buttons
        row = next((r for r in rows if any(b.text == calendar for b in r)), None)
        if row is None:
            raise DemoProblem(f"no cancel button for {title!r}")
        button = next(b for b in row if b.text == cancel)
        assert button.callback_data is not None
        await user.click_data(button.callback_data, listing.message_id)
        self.tally.cancelled += 1

    async def _take_seat(self, persona: Persona, user: FakeUser, title: str) -> None:
        await user.send("/workshops")
        await self.sim.press_label(
            user, user.last, self.sim.label(persona.lang, "seat_confirm", title=title)
        )
        self.tally.moved_up += 1

    # ------------------------------------------------------------------ draft
    async def publish_draft(self) -> None:
        """Staff send the draft file to the bot and publish it with the preview's button."""
        staff = self.staff
        await staff.send_document(DRAFT_FILE.name, DRAFT_FILE.read_bytes())
        publish = self.sim.label("de", "draft_publish", count=0).split("(")[0]
        await self.sim.press(staff, staff.last, lambda s: s.startswith(publish), publish)

    async def rate(self, persona: Persona, user: FakeUser) -> None:
        """/entwurf: rate the measures of one's fields on all three scales; comment on some."""
        lang, rng = persona.lang, self.rng
        if rng.random() >= RATING_CHANCE:
            return
        await user.send("/entwurf" if lang == "de" else "/draft")
        seen = len(user.messages)
        await self.sim.press_label(user, user.last, self.sim.label(lang, "draft_show"))
        cards = [m for m in user.messages[seen:] if m.buttons]
        titles = self._measure_titles(persona)
        rated = False
        for card in cards:
            field_id = next((f for f, ts in titles.items() if _first_line(card) in ts), None)
            if field_id is None:
                continue
            for dimension in ("w", "n", "m"):
                score = rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 5, 3])[0]
                shown = self.sim.label(lang, "rate", dimension=dimension, score=score, chosen=False)
                await self.sim.press_label(user, card, shown)
                self.tally.ratings += 1
            rated = True
            if rng.random() < COMMENT_CHANCE:
                await user.reply_to(card.message_id, rng.choice(COMMENTS[field_id]))
                self.tally.comments += 1
        self.tally.raters += rated

    def _measure_titles(self, persona: Persona) -> dict[str, set[str]]:
        """Titles of the draft's measures in the person's fields, by field."""
        import yaml

        measures = yaml.safe_load(DRAFT_FILE.read_text(encoding="utf-8"))["measures"]
        found: dict[str, set[str]] = {}
        for m in measures:
            if m["action_field"] in persona.fields:
                found.setdefault(m["action_field"], set()).add(m["title"])
        return found

    # ------------------------------------------------------------------ priorities and plan
    async def prioritise(self) -> None:
        """/prioritaeten: mark the priorities and adopt the measures the plan needs."""
        staff = self.staff
        await staff.send("/prioritaeten")
        views = [m for m in staff.messages[-6:] if m.buttons]
        for measure_id in PRIORITY:
            await self._press_in(views, "priority", measure_id)
            self.tally.marked.append(measure_id)
        for measure_id in ADOPTED:
            await self._press_in(views, "adopt", measure_id)

    async def _press_in(self, views: list[ChatMessage], name: str, measure_id: str) -> None:
        """Press a measure's not-yet-marked priority or plan button, as the bot labels it."""
        unmarked = SimpleNamespace(measure_id=measure_id, priority=False, adopted=False)
        wanted = self.sim.label("de", name, measure=unmarked)
        for view in views:
            if wanted in self.sim.fresh(self.staff, view).button_labels:
                await self.sim.press_label(self.staff, view, wanted)
                return
        raise DemoProblem(f"no button {wanted!r} in /prioritaeten")

    async def publish_plan(self) -> None:
        """The plan file published as with `agenda-bot plan publish FILE` on the server."""
        from bot.plan import build_plan
        from storage import plan as plans

        services = self.sim.services
        source = PLAN_FILE.read_text(encoding="utf-8")
        ctx = await build_plan(
            services.db, self.sim.consultation, source, services.today(), PLAN_FILE.name
        )
        await plans.publish(services.db, source, PLAN_FILE.name, ctx.draft_version, self.clock())

    async def record_progress(self) -> None:
        """/fortschritt over the months: milestones reached, indicator values, a note."""
        staff, label = self.staff, self.sim.label
        for moment, measure_id, what, subject, typed in PROGRESS:
            self.clock.now = moment
            await staff.send("/fortschritt")
            title = self._plan_title(measure_id)
            await self.sim.press_label(
                staff, staff.last, label("de", "progress_measure", title=title)
            )
            if what == "ms":
                await self.sim.press_label(
                    staff, staff.last, label("de", "progress_milestone", title=subject)
                )
            elif what == "in":
                indicator = label("de", "progress_indicator", indicator="").strip()
                await self.sim.press(staff, staff.last, _starts(indicator), indicator)
                await staff.send(typed)
            else:
                await self.sim.press_label(staff, staff.last, label("de", "progress_note"))
                await staff.send(typed)
            self.tally.progress += 1

    def _plan_title(self, measure_id: str) -> str:
        import yaml

        measures = yaml.safe_load(DRAFT_FILE.read_text(encoding="utf-8"))["measures"]
        return next(str(m["title"]) for m in measures if m["id"] == measure_id)


def _starts(prefix: str) -> Callable[[str], bool]:
    return lambda shown: shown.startswith(prefix)


def _first_line(message: ChatMessage) -> str:
    return (message.text or "").split("\n")[0]
