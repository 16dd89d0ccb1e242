"""`agenda-bot demo`: a small run through the real bot, its report checked against the database."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from bot.consultation.model import Consultation
from bot.demo import phases as demo_phases
from bot.demo.people import FIRST_TELEGRAM_ID, Persona
from bot.demo.run import STAFF_GROUP, run_demo
from bot.demo.simulation import Simulation
from bot.exports import build_export
from bot.fake_telegram import FakeUser
from bot.progress import build_progress, published_plan
from storage import draft as drafts
from storage import people, stats
from storage import problems as problem_store
from storage import workshops as registrations
from storage.db import Database
from storage.integrity import is_demo_database
from tests.conftest import STAFF_ID, START, Harness, onboard
from tests.test_exports import BERLIN

PER_GROUP = 3


def figures(report: str, section: str, label: str) -> list[int]:
    """The numbers on the row that starts with label, in the table under the heading section."""
    table = report[report.index(section) :].split("\n\n")[0]
    line = next(line for line in table.splitlines() if line.startswith(label + "  "))
    return [int(n) for n in re.findall(r"(?<![\w.])\d+(?![\w.])", line[len(label) :])]


async def test_the_demo_fills_the_database_and_reports_what_is_in_it(
    tmp_path: Path, consultation: Consultation, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "demo.sqlite3"
    exit_code = await run_demo(db_path, per_group=PER_GROUP, documents=False)
    report = capsys.readouterr().out

    for heading in (
        "Teilnahme nach Gruppe",
        "Antworten je Umfrage",
        "Problemmeldungen je Handlungsfeld",
        "Eingeladen, aber keine Umfrage abgeschlossen",
        "Prüfung",
    ):
        assert heading in report

    db = await Database.open(db_path)
    try:
        # People of every group, as many as asked for.
        # (The town's staff member has a profile too, in the administration's group.)
        by_group = {row.group_id: row.count for row in await stats.people_by_group(db)}
        expected = {g.id: PER_GROUP + (g.id == STAFF_GROUP) for g in consultation.groups}
        assert by_group == expected
        for group in consultation.groups:
            members = figures(report, "Teilnahme nach Gruppe", group.title.get("de"))[0]
            assert members == expected[group.id]

        # Those who refused consent left no row at all.
        simulated = int(re.search(r"Personen simuliert: (\d+)", report)[1])  # type: ignore[index]
        refused = int(re.search(r"abgelehnt: (\d+)", report)[1])  # type: ignore[index]
        assert refused >= 1
        assert simulated == len(consultation.groups) * PER_GROUP + refused
        missing = [
            tid
            for tid in range(FIRST_TELEGRAM_ID, FIRST_TELEGRAM_ID + simulated)
            if await people.by_telegram_id(db, tid) is None
        ]
        assert len(missing) == refused

        # Completed questionnaires, and each report line matches the database.
        progress = await stats.progress(db)
        assert sum(row.completed for row in progress) > 0
        for qn in consultation.questionnaires:
            mine = [r for r in progress if r.questionnaire_id == qn.id]
            counted = [sum(r.started for r in mine), sum(r.completed for r in mine)]
            counted.append(sum(r.answers for r in mine))
            assert figures(report, "Antworten je Umfrage", qn.title.get("de")) == counted, qn.id

        # Problems with "affects us too" votes, per field as printed.
        by_field = await stats.problems_by_field(db)
        assert sum(f.votes for f in by_field) > 0
        for count in by_field:
            field = consultation.action_field(count.action_field)
            assert field is not None
            printed = figures(report, "Problemmeldungen", field.title.get("de"))
            assert printed == [count.problems, count.votes]
            top = await problem_store.open_in_field(db, count.action_field, limit=3)
            assert all(f"  {p.title}" in report for p in top)

        # Invited organisations that stayed silent are listed by name.
        silent = await stats.silent_organisations(db)
        assert any(not org.joined for org in silent)
        assert all(org.name in report for org in silent)

        # The later phases: sign-ups, the draft rated and commented, the plan and its progress.
        for event in consultation.events:
            found = await registrations.of_event(db, event.id)
            printed = figures(report, "Anmeldungen zu Auftakt", event.title.get("de"))
            assert printed == [
                event.capacity,
                sum(r.status == "registered" for r in found),
                sum(r.status == "waiting" for r in found),
            ], event.id
        assert sum(figures(report, "Anmeldungen zu Auftakt", "Workshop Verwaltung")[1:]) > 0
        version = await drafts.current(db)
        assert version is not None
        ratings = await drafts.stats(db, version.id)
        assert (
            ratings
            and (await build_export(db, consultation, START, BERLIN)).table("Kommentare").rows
        )
        measures = {m.measure_id: m for m in await drafts.measures(db, version.id)}
        assert {k for k, m in measures.items() if m.adopted} == set(demo_phases.ADOPTED)
        assert {k for k, m in measures.items() if m.priority} == set(demo_phases.PRIORITY)
        plan = await published_plan(db, consultation, demo_phases.REPORT.date())
        plan_progress = await build_progress(db, plan, BERLIN)
        assert {m.measure_id: m.status for m in plan_progress.measures} == {
            "v-termine": "on_time",
            "h-schaufenster": "on_time",
            "t-wlan": "late",
        }
        assert "Freies WLAN in der Altstadt und am Bahnhof      0 von 2" in report
    finally:
        await db.close()

    assert is_demo_database(db_path), "the demo marks its database, so a rerun may replace it"
    for developer_word in ("Zufallszahl", "Handlern", "INFO", "Traceback"):
        assert developer_word not in report
    check = report[report.index("Prüfung") :]
    assert "Unerwartete Fehler im Bot: 0" in check
    # The summary speaks to the town, not to developers.
    for word in ("Handler", "API", "Simulation:", "callback", "None"):
        assert word not in report[report.index("Teilnahme") :], word
    # Last, as it fails for every rejected Bot API call: the report above says which.
    assert exit_code == 0, check


@pytest.mark.parametrize("kind", ["real database", "other file"])
async def test_the_demo_never_deletes_a_file_it_did_not_create(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "agenda.sqlite3"
    if kind == "real database":
        db = await Database.open(target)
        await db.close()
    else:
        target.write_text("Adressen der Vereine\n", encoding="utf-8")
    before = target.read_bytes()

    assert await run_demo(target, per_group=1, documents=False) == 2

    assert target.read_bytes() == before
    err = capsys.readouterr().err
    assert str(target) in err and "keine Demo-Datenbank" in err and "--force" in err


async def test_a_full_workshop_gets_a_waiting_list_and_freed_seats_go_to_it(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At the demo's scale the workshops fill; here 20 people all want the same one.
    monkeypatch.setattr(demo_phases, "WORKSHOP_CHANCE", 1.0)
    monkeypatch.setattr(demo_phases, "KICKOFF_CHANCE", 0.0)
    sim = Simulation(bot.api, bot.app, FakeUser, random.Random(1))
    present = []
    for n in range(20):
        persona = Persona(
            FIRST_TELEGRAM_ID + n,
            "Anke",
            "de",
            "retail",
            f"Laden {n}",
            None,
            None,
            ("handel",),
            named=True,
            consents=True,
            questionnaires=0,
            reports_problem=False,
            votes=False,
        )
        user = await sim.onboard(persona)
        assert user is not None
        present.append((persona, user))
    phases = demo_phases.Phases(sim, bot.clock, bot.user(STAFF_ID))  # type: ignore[arg-type]
    bot.clock.now = demo_phases.SIGN_UPS
    for persona, user in present:
        await phases.sign_up(persona, user)
    assert (phases.tally.signed_up, phases.tally.waiting) == (15, 5)
    await phases.cancel_some(present)
    found = await registrations.of_event(bot.db, "ws-handel")
    statuses = [r.status for r in found]
    assert (statuses.count("registered"), statuses.count("waiting")) == (15, 2)
    assert (phases.tally.cancelled, phases.tally.moved_up) == (3, 3)
    assert not sim.tally.issues


async def test_staff_in_the_demo_merge_the_duplicates_with_the_buttons(bot: Harness) -> None:
    sim = Simulation(bot.api, bot.app, FakeUser, random.Random(1))
    titles = [
        "Langsames Internet im Gewerbegebiet",
        "Azubis finden uns nicht",
        "langsames Internet im Gewerbegebiet",
        "Internet im Gewerbegebiet zu langsam",
        "Azubis finden uns nicht!",
        "E-Rechnung: keiner weiß Bescheid",
        "Langsames Internet im Gewerbegebiet",
        "Azubis finden uns nicht",
    ]
    for n, title in enumerate(titles):
        person = await people.record_consent(bot.db, 7000 + n, "de", "v1", now=bot.clock())
        draft = await problem_store.start_draft(bot.db, person.id, "handel", now=bot.clock())
        await problem_store.update_draft(bot.db, draft.id, title=title, description="…")
        await problem_store.submit(bot.db, draft.id, now=bot.clock())
    staff = bot.user(STAFF_ID, "Sabine")
    await onboard(staff, group="Verwaltung", organisation="Stadt Hagenow")
    phases = demo_phases.Phases(sim, bot.clock, staff)  # type: ignore[arg-type]
    await phases.tidy_duplicates()
    visible = await problem_store.visible_in_field(bot.db, "handel")
    assert sorted(p.title or "" for p in visible) == [
        "Azubis finden uns nicht",
        "E-Rechnung: keiner weiß Bescheid",
        "Langsames Internet im Gewerbegebiet",
    ]
    assert phases.tally.merged == 5
    # Each merged report's reporter now counts on the kept one.
    assert sorted(p.votes for p in visible) == [0, 2, 3]
    assert not sim.tally.issues
