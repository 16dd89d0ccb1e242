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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.app import build_application
from bot.cli.texts import text
from bot.consultation.model import Consultation, load_consultation
from bot.context import AgendaContext, Services
from bot.demo import people as pool
from bot.demo.people import Persona
from bot.demo.phases import Phases
from bot.demo.report import report, write_documents
from bot.demo.simulation import DemoProblem, Simulation
from bot.settings import DEFAULT_CONSULTATION, Settings
from storage import integrity, organisations

if TYPE_CHECKING:
    from bot.fake_telegram import FakeUser

SEED = 2027
STAFF_ID = 9001
STAFF_GROUP, STAFF_ORGANISATION = "admin", "Stadt Hagenow, Wirtschaftsförderung"
# A moment while every Hagenow questionnaire is open, whatever the real date is.
DEMO_START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SILENT_INVITED = 5  # invited organisations that never open their link


@dataclass
class DemoClock:
    """The bot's clock: fixed, moved on by hand between the demo's rounds."""

    now: datetime = DEMO_START

    def __call__(self) -> datetime:
        return self.now


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
        print(text("demo_not_a_demo_database", path=db_path), file=sys.stderr)
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
