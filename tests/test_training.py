"""Schule und Wirtschaft: demand and supply through the chat, matching, visibility, notices."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot import training
from bot import training_notices as notices
from bot.consultation.catalogue import CatalogueError, load_catalogue, parse_catalogue
from bot.documents.kinds import PACK
from bot.documents.pipeline import render_html
from bot.export_cells import pseudonym
from bot.exports import build_export
from bot.fake_telegram import FakeUser
from bot.outbox.dispatch import Dispatcher
from bot.packs import build_pack
from storage import outbox, people
from storage import training as store
from storage.training_totals import Sources
from tests.conftest import STAFF_ID, Harness, VirtualTime, onboard, text_of
from tests.outbox_support import dispatcher
from tests.test_packs import BLUMEN, GEHEIM, SCHULE, seed

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
        "handel",
        "handwerk",
        "technik",
        "gastro",
        "buero",
        "pflege",
        "it",
        "logistik",
    )
    handel = catalogue.field("handel")
    assert handel is not None
    assert handel.occupation("kfm-einzelhandel") is not None
    assert all(5 <= len(f.occupations) <= 8 for f in catalogue.fields)


def test_a_bad_catalogue_names_the_place() -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(
            {
                "fields": [
                    {
                        "id": "x",
                        "title": "X",
                        "occupations": [{"id": "a", "title": "A"}, {"id": "a", "title": "B"}],
                    },
                    {"id": "Bad", "title": "Y", "occupations": []},
                ]
            }
        )
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


def virtual_dispatcher(bot: Harness) -> Dispatcher:
    """The bot's dispatcher on virtual time: a wake-up sends at once, without real waits."""
    found = dispatcher(bot, VirtualTime())
    bot.app.bot_data.dispatcher = found
    return found


async def test_school_and_firms_match_and_see_only_what_they_may(bot: Harness) -> None:
    sender = virtual_dispatcher(bot)
    school = bot.user(2001)
    await onboard(school, group=SCHOOL, organisation="Regionale Schule Hagenow")
    await school.send("/ausbildung")
    await school.click("Benachrichtigung")  # opt in to new offers
    await school_reports(school, "Handel / Verkauf", "-2", "x")
    # A negative count is refused; the question stays open and nothing is lost.
    assert "nicht negativ" in text_of(school.messages[-2])
    assert "keine Zahl" in text_of(school.last)
    await school.send("1500")
    assert "nicht plausibel" in text_of(school.last)
    await school.send("7")
    await school.send("3")
    assert "Handel / Verkauf: 7 / 3" in school.buttons()
    person = await people.by_telegram_id(bot.db, 2001)
    assert person is not None and person.organisation_id is not None
    demand = await store.demand_of(bot.db, person.organisation_id)
    assert [
        (d.school_year, d.field_id, d.seeking_training, d.seeking_internship) for d in demand
    ] == [(2026, "handel", 7, 3)]

    named = bot.user(3001)
    await onboard(named, group=FIRM, organisation="Blumen Müller", named=True)
    await named.send("/ausbildung")
    assert "Handel / Verkauf: 7 Ausbildung, 3 Praktikum" in text_of(named.last)
    assert "Regionale Schule" not in text_of(named.last)  # a firm never sees which school
    await named.click("Ausbildungsplatz melden")
    await named.click("Handel / Verkauf")
    await named.click("2027")
    await named.click("Kaufmann/Kauffrau im Einzelhandel")
    await named.send("2")
    await named.send("1")
    await sender.wait_idle()
    # The opted-in school hears of the new offer at once, through the outbox and dispatcher.
    assert "Neues Ausbildungsangebot: Handel / Verkauf" in text_of(school.last)
    assert "Blumen Müller" in text_of(school.last)
    await named.send("Frau Müller, 03883 12345")
    await named.click("Nein, nicht weitergeben")
    assert "wird nicht weitergegeben" in text_of(named.last)

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
    await sender.wait_idle()
    assert "Ein Betrieb ohne Namensnennung" in text_of(school.last)
    assert "Geheim" not in text_of(school.last) and "geheim@" not in text_of(school.last)

    await school.send("/ausbildung")
    view = text_of(school.last)
    assert "Blumen Müller: Kaufmann/Kauffrau im Einzelhandel ab 2027, 2 Plätze" in view
    assert "03883" not in view  # no contact without consent
    assert "1 weiterer Betrieb ohne Namensnennung" in view
    assert "Geheim" not in view and "Florist" not in view

    lines = {x.field_id: x for x in await training.table(bot.db, bot.services.catalogue, "de")}
    assert (lines["handel"].places, lines["handel"].seeking, lines["handel"].gap) == (6, 7, -1)
    assert (lines["handel"].internships, lines["handel"].seeking_internship) == (1, 3)
    assert lines["it"].gap == 0

    # Notices: one per offer and school, enqueued and sent once, even when the offer changes.
    rows = await outbox.rows(bot.db, notices.KIND_OFFER)
    assert [(r.recipient, r.status) for r in rows] == [(2001, "sent"), (2001, "sent")]
    before = len(school.messages)
    await named.send("/ausbildung")
    await named.click("Kaufmann/Kauffrau im Einzelhandel (2027)")
    await named.send("3")
    await named.send("1")
    await sender.wait_idle()
    assert len(school.messages) == before
    assert len(await outbox.rows(bot.db, notices.KIND_OFFER)) == 2

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
    assert "für Schulen und Betriebe" in text_of(anna.last)


async def test_forged_buttons_are_refused(bot: Harness) -> None:
    firm = bot.user(3001)
    await onboard(firm, group=FIRM)
    rival = bot.user(3002)
    await onboard(rival, group=FIRM, organisation="Autohaus Schulz")
    person = await people.by_telegram_id(bot.db, 3002)
    assert person is not None and person.organisation_id is not None
    theirs = await store.save_offer(
        bot.db, person.organisation_id, "handel", 2027, occupation_id="verkaeufer", now=bot.clock()
    )
    await firm.send("/ausbildung")
    assert await firm.click_data("TR:fy:handel:1999") == "Dieser Knopf ist nicht mehr gültig."
    await firm.click_data(f"TR:fe:{theirs}")  # another firm's offer
    assert "nicht mehr gültig" in text_of(firm.last)
    await firm.click_data("TR:sd")  # a school's button pressed by a firm
    assert "nicht mehr gültig" in text_of(firm.last)


async def test_monthly_summary_goes_out_once_through_the_dispatcher(bot: Harness) -> None:
    staff = bot.user(STAFF_ID)
    await staff.send("/hilfe")  # Telegram lets the bot write only after the person did
    # Planned at start: the bot started on 1 Dec 10:00, after that month's 09:00.
    first = [(r.dedupe_key, r.due_at) for r in await outbox.rows(bot.db, notices.KIND_SUMMARY)]
    assert first == [(f"training_summary:2027-01:{STAFF_ID}", datetime(2027, 1, 1, 8, tzinfo=UTC))]
    assert await notices.plan_summaries(bot.services) == [f"training_summary:2027-01:{STAFF_ID}"]
    vt = VirtualTime()
    assert (await dispatcher(bot, vt).run()).sent == 0
    bot.clock.now = datetime(2027, 1, 1, 8, 0, tzinfo=UTC)  # Friday 09:00 local
    assert (await dispatcher(bot, vt).run()).sent == 1
    assert "Monatsübersicht Ausbildung" in text_of(staff.last)
    assert (await dispatcher(bot, vt).run()).sent == 0
    await notices.plan_summaries(bot.services)  # the hourly planning job
    statuses = [(r.dedupe_key, r.status) for r in await outbox.rows(bot.db, notices.KIND_SUMMARY)]
    assert statuses == [
        (f"training_summary:2027-01:{STAFF_ID}", "sent"),
        (f"training_summary:2027-02:{STAFF_ID}", "pending"),
    ]
    assert [m.text for m in staff.messages].count(staff.last.text) == 1


async def test_summary_and_notices_keep_the_quiet_hours(bot: Harness) -> None:
    # 1 August 2027 is a Sunday: the summary waits for Monday 08:00 (end of the quiet hours).
    due = notices.summary_due(date(2027, 8, 1), bot.services)
    assert due == datetime(2027, 8, 2, 6, 0, tzinfo=UTC)  # 08:00 CEST
    assert notices.summary_due(date(2027, 9, 1), bot.services) == datetime(
        2027, 9, 1, 7, 0, tzinfo=UTC
    )  # a Wednesday: 09:00 CEST
    sender = virtual_dispatcher(bot)
    school = bot.user(2001)
    await onboard(school, group=SCHOOL, organisation="Regionale Schule Hagenow")
    await school.send("/ausbildung")
    await school.click("Benachrichtigung")
    await school_reports(school, "Handel / Verkauf", "5", "0")
    firm = bot.user(3001)
    await onboard(firm, group=FIRM, organisation="Blumen Müller")
    bot.clock.now = datetime(2026, 12, 1, 21, 30, tzinfo=UTC)  # 22:30 local: quiet
    before = len(school.messages)
    await firm.send("/ausbildung")
    await firm.click("Ausbildungsplatz melden")
    await firm.click("Handel / Verkauf")
    await firm.click("2027")
    await firm.click("Verkäufer/in")
    await firm.send("1")
    await firm.send("0")
    await sender.wait_idle()
    assert len(school.messages) == before
    [row] = await outbox.rows(bot.db, notices.KIND_OFFER)
    assert (row.status, row.due_at) == ("pending", datetime(2026, 12, 2, 7, 0, tzinfo=UTC))
    bot.clock.now = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
    assert (await dispatcher(bot, VirtualTime()).run()).sent == 1
    assert "Verkäufer/in ab 2027: 1 Plätze" in text_of(school.last)


async def test_a_withdrawn_offer_or_an_opt_out_drops_the_pending_notice(bot: Harness) -> None:
    school = bot.user(2001)
    await onboard(school, group=SCHOOL, organisation="Regionale Schule Hagenow")
    await school.send("/ausbildung")
    await school.click("Benachrichtigung")
    await school_reports(school, "Handwerk", "4", "0")
    firm = await people.by_telegram_id(bot.db, 2001)
    assert firm is not None
    rival = bot.user(3001)
    await onboard(rival, group=FIRM, organisation="Tischlerei Kurz")
    org = await people.by_telegram_id(bot.db, 3001)
    assert org is not None and org.organisation_id is not None
    first = await store.save_offer(
        bot.db, org.organisation_id, "handwerk", 2027, occupation_id="tischler", now=bot.clock()
    )
    second = await store.save_offer(
        bot.db, org.organisation_id, "handwerk", 2027, occupation_id="maurer", now=bot.clock()
    )
    for offer_id in (first, second):
        await store.set_offer_counts(
            bot.db, offer_id, org.organisation_id, places=2, now=bot.clock()
        )
        assert await notices.enqueue_offer_notices(bot.services, offer_id) == 1
    assert await notices.enqueue_offer_notices(bot.services, first) == 1  # re-planned, one row
    assert len(await outbox.rows(bot.db, notices.KIND_OFFER)) == 2
    await store.delete_offer(bot.db, first, org.organisation_id)
    before = len(school.messages)
    await store.update_profile(
        bot.db, firm.organisation_id or 0, notify_offers=False, now=bot.clock()
    )
    report = await dispatcher(bot, VirtualTime()).run()
    assert (report.sent, report.dropped) == (0, 2)
    notes = sorted(r.last_error or "" for r in await outbox.rows(bot.db, notices.KIND_OFFER))
    assert notes == sorted([notices.NOTE_OFFER_GONE, notices.NOTE_NOT_WANTED])
    assert len(school.messages) == before


async def firm_offers_typed(user: FakeUser, field: str, typed: str, places: str) -> None:
    await user.send("/ausbildung")
    await user.click("Ausbildungsplatz melden")
    await user.click(field)
    await user.click("2027")
    await user.click("Anderer Beruf")
    await user.send(typed)
    await user.send(places)
    await user.send("0")


async def test_staff_map_a_typed_occupation_and_it_counts_there(bot: Harness) -> None:
    florist = bot.user(3001)
    await onboard(florist, group=FIRM, organisation="Blumen Müller")
    await firm_offers_typed(florist, "Handwerk", "Florist/in", "2")  # the wrong field, even
    staff = bot.user(STAFF_ID, "Sabine")
    await staff.send("/ausbildung")
    assert "„Florist/in“ – Handwerk, Blumen Müller, ab 2027" in text_of(staff.last)
    # Someone else pressing a staff button gets nothing.
    await florist.click_data("TS:f:1")
    assert "Stadtverwaltung" in text_of(florist.last)
    await staff.click("🔗 „Florist/in“ zuordnen")
    assert "Zu welchem Berufsfeld gehört „Florist/in“?" in text_of(staff.last)
    await staff.click("Handel / Verkauf")
    await staff.click("Verkäufer/in")
    mapped = text_of(staff.messages[-2])
    assert "„Florist/in“ zählt jetzt als Verkäufer/in (Handel / Verkauf) – 1 Angebot" in mapped
    assert "Keine." in text_of(staff.last)  # nothing left to map
    lines = {x.field_id: x for x in await training.table(bot.db, bot.services.catalogue, "de")}
    assert (lines["handel"].places, lines["handwerk"].places) == (2, 0)
    # The same words typed by another firm count there at once.
    other = bot.user(3002)
    await onboard(other, group=FIRM, organisation="Floristik am Markt")
    await firm_offers_typed(other, "Handel / Verkauf", "florist/in", "1")
    lines = {x.field_id: x for x in await training.table(bot.db, bot.services.catalogue, "de")}
    assert lines["handel"].places == 3
    await other.send("/ausbildung")
    assert "✏️ Verkäufer/in (2027)" in other.buttons()
    assert await store.free_text_offers(bot.db) == []
    # A forged or stale mapping button is refused.
    assert await staff.click_data("TS:m:1:no-such-job") == "Dieser Knopf ist nicht mehr gültig."


async def test_schools_and_firms_find_the_exchange_in_menu_and_help(bot: Harness) -> None:
    school = bot.user(2001)
    await onboard(school, group=SCHOOL, organisation="Regionale Schule Hagenow")
    assert "🎓 Ausbildungsbörse" in school.buttons()  # in the menu after signing up
    await school.send("/hilfe")
    assert "/ausbildung – Ausbildungsbörse" in text_of(school.last)
    await school.click("🎓 Ausbildungsbörse")
    assert "Bedarf melden / ändern" in " ".join(school.buttons())
    club = bot.user(1001)
    await onboard(club, group="Verein, Verband, Kammer", organisation="Heimatverein")
    assert "🎓 Ausbildungsbörse" not in club.buttons()
    await club.send("/hilfe")
    assert "/ausbildung" not in text_of(club.last)


async def test_pack_and_export_combine_the_flow_with_the_questionnaires(bot: Harness) -> None:
    """Who used /ausbildung counts with those figures, everyone else with the questionnaire."""
    await seed(bot.db)  # questionnaire: school handel 10 + it 4; firms handel 3 + 2, handwerk 1
    db = bot.db
    school, geheim = (
        (await people.by_telegram_id(db, SCHULE)),
        (await people.by_telegram_id(db, GEHEIM)),
    )
    assert school and geheim and school.organisation_id and geheim.organisation_id
    await store.set_demand(
        db, school.organisation_id, 2027, "handel", training=7, internship=2, now=bot.clock()
    )
    offer = await store.save_offer(
        db, geheim.organisation_id, "handwerk", 2027, occupation_id="tischler", now=bot.clock()
    )
    await store.set_offer_counts(
        db, offer, geheim.organisation_id, places=2, internships=1, now=bot.clock()
    )
    blumen = await people.by_telegram_id(db, BLUMEN)
    assert blumen and blumen.organisation_id
    # An offer begun but left at 0 places is no report: Blumen's questionnaire still counts.
    await store.save_offer(
        db, blumen.organisation_id, "handel", 2027, occupation_id="verkaeufer", now=bot.clock()
    )
    found = await training.matching(db, bot.services.catalogue, "de", bot.consultation)
    lines = {x.field_id: x for x in found.lines}
    # The school's questionnaire (10 + 4) and Geheim's (2 + 1) are replaced by their flow
    # figures; Blumen Müller (3 in handel) only answered the questionnaire.
    assert (lines["handel"].seeking, lines["handel"].places, lines["handel"].gap) == (7, 3, -4)
    assert (lines["handwerk"].places, lines["handwerk"].internships) == (2, 1)
    assert lines["it"].seeking == 0
    assert (lines["handel"].schools, lines["handel"].firms) == (1, 1)
    assert found.sources == Sources(1, 0, 1, 1)

    pack = await build_pack(db, bot.consultation, "ws-handel", date(2027, 3, 10))
    assert pack.training is not None
    pack_lines = {x.field_id: x for x in pack.training.lines}
    assert pack_lines["handel"].label == "Handel / Verkauf"  # the catalogue's name
    assert (pack_lines["handel"].seeking, pack_lines["handel"].offered) == (7, 3)
    assert (pack_lines["handwerk"].offered, pack_lines["handwerk"].internships) == (2, 1)
    assert (pack.training.schools, pack.training.firms) == (1, 2)
    html = render_html(PACK, pack)
    assert "1 direkt im Bot gemeldet, 0 per Fragebogen" in html
    assert "/ausbildung" not in html  # participants do not know the bot's commands
    assert "niemand zählt doppelt" in html

    export = await build_export(db, bot.consultation, bot.clock(), bot.consultation.zone)
    tables = {t.sheet: t for t in export.tables}
    by_field = {row[0]: row for row in tables["Ausbildung je Feld"].rows}
    assert by_field["handel"] == ("handel", "Handel / Verkauf", 7, 3, -4, 2, 0, 1, 1)
    rows = tables["Ausbildung"].rows
    counted = {(row[0], row[4], row[7]): row[11] for row in rows}
    flow = [row for row in rows if row[7] == "ausbildung"]
    assert [(row[1], row[4], row[5], row[6], row[8], row[9], row[10]) for row in flow] == [
        ("demand", "handel", "Handel / Verkauf", 7, 2027, "", 2),
        ("supply", "handel", "Handel / Verkauf", 0, 2027, "Verkäufer/in", 0),
        ("supply", "handwerk", "Handwerk", 2, 2027, "Tischler/in", 1),
    ]
    assert [row[11] for row in flow] == ["Ja", "Nein", "Ja"]
    assert counted[(pseudonym(blumen.id), "handel", "questionnaire")] == "Ja"
    assert {
        value
        for (who, _, source), value in counted.items()
        if source == "questionnaire" and who == pseudonym(school.id)
    } == {"Nein"}
    assert "Geheim" not in repr(rows)  # the firm may not be named, in either source
