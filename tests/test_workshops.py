"""Workshop registration: seats, waiting list, offers with expiry, calendar files, staff's
participant list with attendance, reminders the day before, the broadcast segment, the pack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from bot import broadcasts, workshops
from bot.outbox.dispatch import Dispatcher
from bot.packs import build_pack
from handlers import workshops as workshop_handlers
from storage import outbox, people
from storage import workshops as store
from tests.conftest import STAFF_ID, Harness, VirtualTime, onboard
from tests.outbox_support import add_people, on_time

BERLIN = ZoneInfo("Europe/Berlin")
HANDEL = "ws-handel"


def dispatcher(bot: Harness) -> Dispatcher:
    return on_time(bot, VirtualTime(), workshop_handlers.policies())


async def person_ids(bot: Harness, telegram_ids: list[int]) -> list[int]:
    found = [await people.by_telegram_id(bot.db, t) for t in telegram_ids]
    return [p.id for p in found if p is not None]


async def sign_up_all(bot: Harness, ids: list[int]) -> list[str]:
    s = bot.services
    event = s.consultation.event(HANDEL)
    assert event is not None
    return [
        await workshops.sign_up(s.db, s.consultation, s.settings, event, pid, bot.clock())
        for pid in ids
    ]


async def test_fifteen_seats_then_the_waiting_list_offers_expiry_and_confirmation(
    bot: Harness,
) -> None:
    s = bot.services
    event = s.consultation.event(HANDEL)
    assert event is not None and event.capacity == 15
    tg = await add_people(bot, range(100, 118))  # 18 people
    ids = await person_ids(bot, tg)
    assert await sign_up_all(bot, ids) == ["registered"] * 15 + ["waiting"] * 3
    assert await store.seats_taken(bot.db) == {HANDEL: 15}

    # The third registered person cancels: the first waiting (no. 16) gets the seat offered.
    await workshops.sign_off(bot.db, s.settings, event, ids[2], bot.clock())
    offered = await store.get(bot.db, HANDEL, ids[15])
    assert offered is not None and offered.status == "offered"
    assert offered.offered_until == bot.clock() + timedelta(hours=24)
    rows = await outbox.rows(bot.db, workshops.OFFER_KIND)
    assert [(r.recipient, r.status) for r in rows] == [(tg[15], "pending")]
    # The offer goes out through the dispatcher, with confirm and decline buttons.
    report = await dispatcher(bot).run()
    assert report.sent == 1
    offer = bot.api.sent_to(tg[15])[-1]
    assert "Ein Platz ist frei geworden" in (offer.text or "")
    assert offer.button_labels == [
        "✅ Platz nehmen: Workshop Einzelhandel / Gewerbe",
        "✖️ Nein, danke",
    ]

    # Nothing lapses before the time is up; after it the next on the list gets the offer.
    bot.clock.advance(hours=23)
    assert await workshops.check_offers(bot.db, s.consultation, s.settings, bot.clock()) == ([], [])
    bot.clock.advance(hours=2)
    lapsed, new = await workshops.check_offers(bot.db, s.consultation, s.settings, bot.clock())
    assert [r.person_id for r in lapsed] == [ids[15]]
    assert [r.person_id for r in new] == [ids[16]]
    assert (await store.get(bot.db, HANDEL, ids[15])).status == "cancelled"  # type: ignore[union-attr]
    # The lapsed offer's buttons are stale now; the new offer's confirm takes the seat.
    assert not await store.confirm(bot.db, HANDEL, ids[15], bot.clock())
    assert await store.confirm(bot.db, HANDEL, ids[16], bot.clock())
    assert await store.seats_taken(bot.db) == {HANDEL: 15}
    statuses = [r.status for r in await store.of_event(bot.db, HANDEL)]
    assert statuses.count("registered") == 15 and statuses.count("waiting") == 1


async def test_sign_up_in_the_chat_sends_an_ics_with_the_berlin_start(bot: Harness) -> None:
    anna = bot.user(501)
    await onboard(anna)
    await anna.send("/workshops")
    listing = anna.last
    assert "Workshop Einzelhandel / Gewerbe" in (listing.text or "")
    assert "Noch 15 von 15 Plätzen frei" in (listing.text or "")
    assert "Rathaus Hagenow" in (listing.text or "")
    await anna.click("Anmelden: Workshop Einzelhandel / Gewerbe")
    doc = anna.last.document
    assert doc is not None and doc.file_name == "ws-handel.ics" and doc.data
    assert "Sie sind angemeldet" in (anna.last.caption or "")
    calendar = icalendar.Calendar.from_ical(doc.data)
    entry = next(iter(calendar.walk("VEVENT")))
    start = entry.decoded("dtstart")
    assert start == datetime(2027, 3, 17, 18, 30, tzinfo=BERLIN)
    assert start.astimezone(UTC) == datetime(2027, 3, 17, 17, 30, tzinfo=UTC)
    assert str(entry.get("summary")) == "Workshop Einzelhandel / Gewerbe"
    assert "Rathaus Hagenow" in str(entry.get("location"))
    # The list message now says so, and offers the calendar file again.
    edited = anna._message_by_id(listing.message_id)
    assert edited.edited and "✅ Sie sind angemeldet." in (edited.text or "")
    await anna.click("Kalender: Workshop Einzelhandel / Gewerbe")
    assert anna.last.document is not None and anna.last.document.file_name == "ws-handel.ics"
    # Signing off frees the seat.
    await anna.click("Abmelden")
    assert "abgemeldet" in (anna.last.text or "")
    assert await store.seats_taken(bot.db) == {}


async def test_a_full_workshop_puts_the_next_on_the_waiting_list_and_offers_a_freed_seat(
    bot: Harness,
) -> None:
    ids = await person_ids(bot, await add_people(bot, range(200, 215)))
    await sign_up_all(bot, ids)
    anna = bot.user(502)
    await onboard(anna)
    await anna.send("/workshops")
    assert "Ausgebucht (15 Plätze)" in (anna.last.text or "")
    await anna.click("Warteliste: Workshop Einzelhandel / Gewerbe")
    assert "Warteliste, Platz 1" in (anna.last.text or "")
    s = bot.services
    event = s.consultation.event(HANDEL)
    assert event is not None
    await workshops.sign_off(bot.db, s.settings, event, ids[0], bot.clock())
    await dispatcher(bot).run()
    await anna.click("Platz nehmen: Workshop Einzelhandel / Gewerbe")
    assert anna.last.document is not None
    assert "Der Platz gehört Ihnen" in (anna.last.caption or "")
    # The offer's buttons again: politely stale, nothing changes.
    toast = await anna.click_data(f"WS:yes:{HANDEL}")
    assert toast is not None and "nicht mehr aktuell" in toast
    assert await store.seats_taken(bot.db) == {HANDEL: 15}


async def test_stale_and_forged_buttons_are_answered_politely(bot: Harness) -> None:
    anna = bot.user(503)
    await onboard(anna)
    await anna.send("/workshops")
    for data in (
        "WS:in:no-such-event",
        "WS:in",
        "WS:fly:ws-handel",
        "WS:no:ws-handel",
        "WS:ics:ws-handel",
        "WS:out:ws-handel",
        "WS:in:ws-handel:extra",
    ):
        toast = await anna.click_data(data)
        assert toast is not None and "nicht mehr aktuell" in toast, data
    assert await store.seats_taken(bot.db) == {}
    # Past events take no sign-ups.
    bot.clock.now = datetime(2027, 3, 18, tzinfo=UTC)
    toast = await anna.click_data(f"WS:in:{HANDEL}")
    assert toast is not None and "hat schon begonnen" in toast
    assert await store.seats_taken(bot.db) == {}


async def test_staff_see_participants_and_mark_attendance_others_are_refused(
    bot: Harness,
) -> None:
    named, anonymous = bot.user(601), bot.user(602)
    await onboard(named, organisation="Blumen Müller", named=True)
    await onboard(anonymous, organisation="Geheim & Co", named=False)
    waiting_ids = await person_ids(bot, await add_people(bot, range(300, 314)))
    for user in (named, anonymous):
        await user.send("/workshops")
        await user.click("Anmelden: Workshop Einzelhandel / Gewerbe")
    await sign_up_all(bot, waiting_ids)  # 13 more seats, then one waits

    staff = bot.user(STAFF_ID, "Petra")
    bot.api.add_chat(STAFF_ID, "Petra")
    await staff.send("/teilnehmer")
    await staff.click("Workshop Einzelhandel / Gewerbe (15/15)")
    listing = staff.last.text or ""
    assert "Angemeldet: 15 von 15, 1 auf der Warteliste" in listing
    assert "Blumen Müller – Einzelhandel, nennbar" in listing
    assert "Geheim & Co – Einzelhandel, nicht nennbar" in listing  # staff see all names
    assert "Warteliste" in listing
    toast = await staff.click("○ 1. Blumen Müller")
    assert toast == "Als anwesend erfasst."
    assert "✓ 1. Blumen Müller" in staff.buttons()
    await staff.click("✓ 1. Blumen Müller")
    regs = {r.organisation: r for r in await store.of_event(bot.db, HANDEL)}
    assert regs["Blumen Müller"].attended is False
    await staff.send("/participants nope")
    assert "kenne ich nicht" in (staff.last.text or "")

    # Not staff: refused, also with a forged attendance button.
    await named.send("/teilnehmer ws-handel")
    assert "nur für die Mitarbeitenden" in (named.last.text or "")
    await named.click_data(f"WT:att:{regs['Blumen Müller'].id}")
    assert "nur für die Mitarbeitenden" in (named.last.text or "")
    assert (await store.by_id(bot.db, regs["Blumen Müller"].id)).attended is False  # type: ignore[union-attr]

    # The pack names only who agreed; the broadcast segment reaches the registered.
    pack = await build_pack(bot.db, bot.consultation, HANDEL, bot.services.today())
    names = [p.name for p in pack.participants]
    assert names.count("Blumen Müller") == 1
    assert "Geheim & Co" not in names
    assert "ein Unternehmen aus dem Einzelhandel" in names
    assert len(names) == 15 and len(pack.waiting) == 1
    audience = await broadcasts.audience(bot.db, f"w:{HANDEL}")
    assert len(audience) == 15 and named.id in {p.telegram_id for p in audience}
    assert await broadcasts.audience(bot.db, "w:ws-tourismus") == []


async def test_workshop_reminder_once_per_participant_with_the_ics_not_for_cancelled(
    bot: Harness,
) -> None:
    s = bot.services
    event = s.consultation.event(HANDEL)
    assert event is not None
    tg = await add_people(bot, range(400, 404))
    ids = await person_ids(bot, tg)
    await sign_up_all(bot, ids)
    await workshops.sign_off(bot.db, s.settings, event, ids[1], bot.clock())
    await workshops.plan_reminders(bot.db, s.consultation, s.settings, bot.clock())
    await workshops.plan_reminders(bot.db, s.consultation, s.settings, bot.clock())
    rows = [r for r in await outbox.rows(bot.db, workshops.REMINDER_KIND) if r.status == "pending"]
    assert sorted(r.recipient for r in rows) == [tg[0], tg[2], tg[3]]
    # The day before, 10:00 local (Tuesday 16 March 2027, CET).
    due = datetime(2027, 3, 16, 10, 0, tzinfo=BERLIN)
    assert {r.due_at for r in rows} == {due}
    assert {r.valid_until for r in rows} == {datetime(2027, 3, 17, 18, 30, tzinfo=BERLIN)}

    # One more cancels after planning: the row is dropped at once.
    await workshops.sign_off(bot.db, s.settings, event, ids[3], bot.clock())
    # Should a row slip through (e.g. a cancel while the dispatcher runs), it is checked again.
    async with bot.db.write() as conn:
        await conn.execute(
            "UPDATE outbox SET status = 'pending' WHERE dedupe_key = ?",
            (workshops.reminder_key(HANDEL, tg[3]),),
        )
    bot.clock.now = due.astimezone(UTC) + timedelta(minutes=1)
    report = await dispatcher(bot).run()
    assert (report.sent, report.dropped) == (2, 1)
    reminder = bot.api.sent_to(tg[0])[-1]
    assert reminder.document is not None and reminder.document.file_name == "ws-handel.ics"
    assert "Morgen: Workshop Einzelhandel / Gewerbe" in (reminder.caption or "")
    assert "18:30–21:30 Uhr" in (reminder.caption or "")
    assert not bot.api.sent_to(tg[1]) and not bot.api.sent_to(tg[3])
    # Planning again (the hourly job) adds nothing: once per event and person.
    assert await workshops.plan_reminders(bot.db, s.consultation, s.settings, bot.clock()) == 0
    assert len(await outbox.rows(bot.db, workshops.REMINDER_KIND)) == 4  # 2 sent, 2 dropped
