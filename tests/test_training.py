"""Schule und Wirtschaft: demand and supply through the chat, matching, visibility, notices."""

from __future__ import annotations

import pytest

from bot import training
from bot.catalogue import CatalogueError, load_catalogue, parse_catalogue
from storage import outbox, people
from storage import training as store
from tests.conftest import STAFF_ID, Harness, onboard
from tests.fakes import FakeUser

SCHOOL = "Schule"
FIRM = "Unternehmen / Gewerbe"


async def school_reports(user: FakeUser, field: str, training_count: str, internships: str) -> None:
    await user.send("/ausbildung")
    await user.click("Bedarf melden")
    await user.click("2026")
    await user.click(field)
    await user.send(training_count)
    await user.send(internships)


def test_the_catalogue_matches_the_questionnaires() -> None:
    catalogue = load_catalogue()
    assert catalogue.field_ids == (
        "handel", "handwerk", "technik", "gastro", "buero", "pflege", "it", "logistik",
    )  # fmt: skip
    handel = catalogue.field("handel")
    assert handel is not None
    assert handel.occupation("kfm-einzelhandel") is not None
    assert all(5 <= len(f.occupations) <= 8 for f in catalogue.fields)


def test_a_bad_catalogue_names_the_place() -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue({"fields": [
            {"id": "x", "title": "X", "occupations": [{"id": "a", "title": "A"},
                                                       {"id": "a", "title": "B"}]},
            {"id": "Bad", "title": "Y", "occupations": []},
        ]})  # fmt: skip
    errors = caught.value.errors
    assert any(e.startswith("fields[1].id:") for e in errors)
    assert any(e.startswith("fields[1].occupations:") for e in errors)
    assert any(e.startswith("fields[0].occupations[1].id: duplicate") for e in errors)


def test_counts_are_checked() -> None:
    assert training.parse_count(" 12 ") == 12
    for typed, reason in (("-3", "negative"), ("1001", "too_many"), ("viele", "not_number")):
        with pytest.raises(training.BadCount) as caught:
            training.parse_count(typed)
        assert caught.value.reason == reason


async def test_school_and_firms_match_and_see_only_what_they_may(bot: Harness) -> None:
    school = bot.user(2001)
    await onboard(school, group=SCHOOL, organisation="Regionale Schule Hagenow")
    await school.send("/ausbildung")
    await school.click("Benachrichtigung")  # opt in to new offers
    await school_reports(school, "Handel / Verkauf", "-2", "x")
    # A negative count is refused; the question stays open and nothing is lost.
    assert "nicht negativ" in school.messages[-2].text
    assert "keine Zahl" in school.last.text
    await school.send("1500")
    assert "nicht plausibel" in school.last.text
    await school.send("7")
    await school.send("3")
    assert "Handel / Verkauf: 7 / 3" in school.buttons()
    person = await people.by_telegram_id(bot.db, 2001)
    assert person is not None and person.organisation_id is not None
    demand = await store.demand_of(bot.db, person.organisation_id)
    assert [(d.school_year, d.field_id, d.seeking_training, d.seeking_internship)
            for d in demand] == [(2026, "handel", 7, 3)]  # fmt: skip

    named = bot.user(3001)
    await onboard(named, group=FIRM, organisation="Blumen Müller", named=True)
    await named.send("/ausbildung")
    assert "Handel / Verkauf: 7 Ausbildung, 3 Praktikum" in named.last.text
    assert "Regionale Schule" not in named.last.text  # a firm never sees which school
    await named.click("Ausbildungsplatz melden")
    await named.click("Handel / Verkauf")
    await named.click("2027")
    await named.click("Kaufmann/Kauffrau im Einzelhandel")
    await named.send("2")
    await named.send("1")
    # The opted-in school hears of the new offer at once, through the outbox.
    assert "Neues Ausbildungsangebot: Handel / Verkauf" in school.last.text
    assert "Blumen Müller" in school.last.text
    await named.send("Frau Müller, 03883 12345")
    await named.click("Nein, nicht weitergeben")
    assert "wird nicht weitergegeben" in named.last.text

    hidden = bot.user(3002)
    await onboard(hidden, group=FIRM, organisation="Geheim GmbH", named=False)
    await hidden.send("/ausbildung")
    await hidden.click("Ausbildungsplatz melden")
    await hidden.click("Handel / Verkauf")
    await hidden.click("2027")
    await hidden.click("Anderer Beruf")
    await hidden.send("Florist/in")
    await hidden.send("4")
    await hidden.send("0")
    await hidden.send("geheim@example.org")
    await hidden.click("Ja, an Schulen weitergeben")
    assert "Ein Betrieb ohne Namensnennung" in school.last.text
    assert "Geheim" not in school.last.text and "geheim@" not in school.last.text

    await school.send("/ausbildung")
    view = school.last.text
    assert "Blumen Müller: Kaufmann/Kauffrau im Einzelhandel ab 2027, 2 Plätze" in view
    assert "03883" not in view  # no contact without consent
    assert "1 weiterer Betrieb ohne Namensnennung" in view
    assert "Geheim" not in view and "Florist" not in view

    lines = {x.field_id: x for x in await training.table(bot.db, bot.services.catalogue, "de")}
    assert (lines["handel"].places, lines["handel"].seeking, lines["handel"].gap) == (6, 7, -1)
    assert (lines["handel"].internships, lines["handel"].seeking_internship) == (1, 3)
    assert lines["it"].gap == 0

    # Notices: one per offer and school, enqueued and sent once, even when the offer changes.
    rows = await outbox.rows(bot.db, training.KIND_OFFER)
    assert [(r.recipient, r.status) for r in rows] == [(2001, "sent"), (2001, "sent")]
    before = len(school.messages)
    await named.send("/ausbildung")
    await named.click("Kaufmann/Kauffrau im Einzelhandel (2027)")
    await named.send("3")
    await named.send("1")
    assert len(school.messages) == before
    assert len(await outbox.rows(bot.db, training.KIND_OFFER)) == 2

    # Staff: table, chart and the free-text occupation to map.
    staff = bot.user(STAFF_ID, "Sabine")
    await staff.send("/training")
    sent = staff.messages
    assert any(m.kind == "photo" for m in sent)
    table = "\n".join(m.text or "" for m in sent)
    assert "Handel / Verkauf: 7 Plätze · 7 Suchende · Differenz +0" in table
    assert "„Florist/in“ – Handel / Verkauf, Geheim GmbH, ab 2027" in table
    assert not bot.errors


async def test_others_are_not_offered_the_flow(bot: Harness) -> None:
    anna = bot.user(1001)
    await onboard(anna, group="Verein, Verband, Kammer", organisation="Heimatverein")
    await anna.send("/ausbildung")
    assert "für Schulen und Betriebe" in anna.last.text


async def test_forged_buttons_are_refused(bot: Harness) -> None:
    firm = bot.user(3001)
    await onboard(firm, group=FIRM)
    rival = bot.user(3002)
    await onboard(rival, group=FIRM, organisation="Autohaus Schulz")
    person = await people.by_telegram_id(bot.db, 3002)
    assert person is not None and person.organisation_id is not None
    theirs = await store.save_offer(bot.db, person.organisation_id, "handel", 2027,
                                    occupation_id="verkaeufer")  # fmt: skip
    await firm.send("/ausbildung")
    assert await firm.click_data("TR:fy:handel:1999") == "Dieser Knopf ist nicht mehr gültig."
    await firm.click_data(f"TR:fe:{theirs}")  # another firm's offer
    assert "nicht mehr gültig" in firm.last.text
    await firm.click_data("TR:sd")  # a school's button pressed by a firm
    assert "nicht mehr gültig" in firm.last.text


async def test_monthly_summary_is_planned_and_sent_once(bot: Harness) -> None:
    staff = bot.user(STAFF_ID)
    await staff.send("/hilfe")  # Telegram lets the bot write only after the person did
    keys = await training.plan_summaries(bot.services)
    assert keys == [f"training_summary:2027-01:{STAFF_ID}"]
    assert await training.send_due_summaries(bot.app.bot, bot.services) == 0
    bot.clock.advance(days=31)
    assert await training.send_due_summaries(bot.app.bot, bot.services) == 1
    assert await training.send_due_summaries(bot.app.bot, bot.services) == 0
    assert "Monatsübersicht Ausbildung" in staff.last.text
    statuses = [(r.dedupe_key, r.status) for r in await outbox.rows(bot.db, training.KIND_SUMMARY)]
    assert statuses == [(f"training_summary:2027-01:{STAFF_ID}", "sent"),
                        (f"training_summary:2027-02:{STAFF_ID}", "pending")]  # fmt: skip
