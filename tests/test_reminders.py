"""Reminders: when (quiet hours, DST), to whom, what they carry, and a restart mid-wave."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot import reminders
from bot.consultation.model import Consultation
from bot.fake_telegram import FakeBotApi
from bot.reminders import QuietHours, reminder_slots
from handlers.reminders import NOTE_ONE_A_DAY as ONE_A_DAY
from storage import answers, outbox, people, recipients
from tests.conftest import Harness, VirtualTime, onboard, stop_harness
from tests.outbox_support import add_people, dispatcher, start_on

BERLIN = ZoneInfo("Europe/Berlin")
# sq-handel closes 2027-02-21 (a Sunday): 7 days before is Sunday 14.02 -> Monday 08:00 CET.
HANDEL_FIRST = datetime(2027, 2, 15, 7, 0, tzinfo=UTC)
HANDEL_SECOND = datetime(2027, 2, 19, 9, 0, tzinfo=UTC)  # Friday 10:00 CET


def local(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%a %Y-%m-%d %H:%M %Z")


def test_quiet_hours_move_evening_night_and_sunday_to_the_next_morning() -> None:
    quiet = QuietHours()  # 20-8 and Sundays

    def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(year, month, day, hour, minute, tzinfo=BERLIN)

    assert local(quiet.next_allowed(at(2027, 2, 16, 10, 0), BERLIN)) == "Tue 2027-02-16 10:00 CET"
    assert local(quiet.next_allowed(at(2027, 2, 16, 6, 30), BERLIN)) == "Tue 2027-02-16 08:00 CET"
    assert local(quiet.next_allowed(at(2027, 2, 16, 20, 0), BERLIN)) == "Wed 2027-02-17 08:00 CET"
    assert local(quiet.next_allowed(at(2027, 2, 13, 21, 0), BERLIN)) == "Mon 2027-02-15 08:00 CET"
    assert local(quiet.next_allowed(at(2027, 2, 14, 12, 0), BERLIN)) == "Mon 2027-02-15 08:00 CET"
    relaxed = QuietHours(22, 6, sunday=False)
    assert local(relaxed.next_allowed(at(2027, 2, 14, 21, 0), BERLIN)) == "Sun 2027-02-14 21:00 CET"
    assert local(relaxed.next_allowed(at(2027, 2, 14, 23, 0), BERLIN)) == "Mon 2027-02-15 06:00 CET"
    assert QuietHours(0, 0, sunday=False).next_allowed(at(2027, 2, 14, 3), BERLIN) == at(
        2027, 2, 14, 3
    )


def test_the_dst_week_keeps_local_times_and_shifts_out_of_quiet_hours() -> None:
    quiet = QuietHours()
    # Summer time starts Sunday 2027-03-28 02:00 (CET -> CEST).
    saturday_night = datetime(2027, 3, 27, 21, 0, tzinfo=BERLIN)
    moved = quiet.next_allowed(saturday_night, BERLIN)
    assert local(moved) == "Mon 2027-03-29 08:00 CEST"
    assert moved == datetime(2027, 3, 29, 6, 0, tzinfo=UTC)  # 08:00 CEST is 06:00 UTC
    # And back: winter time from Sunday 2027-10-31 03:00.
    assert quiet.next_allowed(datetime(2027, 10, 30, 22, tzinfo=BERLIN), BERLIN) == datetime(
        2027, 11, 1, 7, 0, tzinfo=UTC
    )


def test_slots_of_a_questionnaire_closing_after_the_dst_change(consultation: Consultation) -> None:
    sq = consultation.questionnaire("sq-handel")
    assert sq is not None
    april = sq.model_copy(update={"closes": date(2027, 4, 1)})
    slots = reminder_slots(april, BERLIN, QuietHours())
    assert [(s.days_before, local(s.due_at)) for s in slots] == [
        (7, "Thu 2027-03-25 10:00 CET"),
        (2, "Tue 2027-03-30 10:00 CEST"),
    ]
    assert [s.due_at.hour for s in slots] == [9, 8]  # UTC moves, the local hour does not
    assert slots[0].valid_until == slots[1].due_at
    assert local(slots[1].valid_until) == "Fri 2027-04-02 00:00 CEST"


def test_max_and_least_gap_thin_out_the_configured_days(consultation: Consultation) -> None:
    sq = consultation.questionnaire("sq-handel")
    assert sq is not None
    rules = sq.reminders.model_copy(update={"days_before_close": [9, 7, 6, 2], "max": 2})
    busy = sq.model_copy(update={"reminders": rules, "closes": date(2027, 2, 25)})
    slots = reminder_slots(busy, BERLIN, QuietHours())
    # 9 days: Tue 16.02; 7: Thu 18.02 (gap 2 < 3, skipped); 6: Fri 19.02; max 2 reached.
    assert [s.days_before for s in slots] == [9, 6]
    none = sq.model_copy(update={"reminders": rules.model_copy(update={"max": 0})})
    assert reminder_slots(none, BERLIN, QuietHours()) == []


async def test_planning_skips_the_done_and_those_who_switched_reminders_off(bot: Harness) -> None:
    anna, ben, carla = await add_people(bot, [610_001, 610_002, 610_003])
    await recipients.set_reminders(bot.db, ben, False)
    carla_person = await people.by_telegram_id(bot.db, carla)
    assert carla_person is not None
    await answers.start(bot.db, carla_person.id, "sq-handel", now=bot.clock())
    await answers.set_completed(bot.db, carla_person.id, "sq-handel", True, now=bot.clock())
    await reminders.plan_reminders(bot.db, bot.consultation, bot.settings, bot.clock())
    rows = await outbox.rows(bot.db, "reminder")
    handel = {
        (r.recipient, r.payload["days_before"]): r
        for r in rows
        if r.payload["questionnaire"] == "sq-handel"
    }
    assert set(handel) == {(anna, 7), (anna, 2)}
    assert handel[(anna, 7)].due_at == HANDEL_FIRST
    assert handel[(anna, 2)].due_at == HANDEL_SECOND
    assert {r.recipient for r in rows} == {anna, carla}  # Carla: the other questionnaires
    before = len(rows)
    await reminders.plan_reminders(bot.db, bot.consultation, bot.settings, bot.clock())
    assert len(await outbox.rows(bot.db, "reminder")) == before  # planning again adds nothing


async def test_a_reminder_carries_the_next_question_and_an_answer_inside_it_counts(
    bot: Harness,
) -> None:
    anna = bot.user(620_001)
    await onboard(anna)
    await reminders.plan_reminders(bot.db, bot.consultation, bot.settings, bot.clock())
    bot.clock.now = HANDEL_FIRST
    vt = VirtualTime()
    report = await dispatcher(bot, vt).run()
    # Several questionnaires remind on this Monday: one reminder a day, the rest moves on.
    assert report.sent == 1 and report.postponed >= 1
    message = anna.last
    assert "noch offen bis" in (message.text or "")
    assert "Zu welchem Bereich gehören Sie?" in (message.text or "")
    assert {"Handwerk", "⏰ Später", "🔕 Keine Erinnerungen"} <= set(message.button_labels)
    await anna.click("Handwerk")
    person = await people.by_telegram_id(bot.db, anna.id)
    assert person is not None
    given = await answers.answers_of(bot.db, person.id, "sq-handel")
    assert given["branche"].value == "handwerk"
    assert "Frage 2" in (anna.last.text or "")
    postponed = [r for r in await outbox.rows(bot.db, "reminder") if r.last_error == ONE_A_DAY]
    assert postponed and all(local(r.due_at) == "Tue 2027-02-16 10:00 CET" for r in postponed)


async def test_later_snoozes_to_the_next_allowed_day_and_off_stops_them(bot: Harness) -> None:
    anna = bot.user(630_001)
    await onboard(anna)
    await reminders.plan_reminders(bot.db, bot.consultation, bot.settings, bot.clock())
    bot.clock.now = datetime(2027, 2, 19, 9, 0, tzinfo=UTC)  # Friday 10:00: the second one
    await dispatcher(bot, VirtualTime()).run()
    toast = await anna.click("⏰ Später")
    assert toast is not None and "20.02." in toast and "10:00" in toast
    later = [r for r in await outbox.rows(bot.db, "reminder") if r.payload.get("later")]
    assert [local(r.due_at) for r in later] == ["Sat 2027-02-20 10:00 CET"]
    # Switching off (from /erinnerungen) drops what is pending and plans nothing new.
    await anna.send("/erinnerungen")
    assert "eingeschaltet" in (anna.last.text or "")
    await anna.click("🔕 Keine Erinnerungen")
    assert "keine Erinnerungen mehr" in (anna.last.text or "")
    pending = [r for r in await outbox.rows(bot.db, "reminder") if r.status == "pending"]
    assert pending == []
    await reminders.plan_reminders(bot.db, bot.consultation, bot.settings, bot.clock())
    assert [r for r in await outbox.rows(bot.db, "reminder") if r.status == "pending"] == []
    await anna.send("/reminders")
    await anna.click("🔔 Erinnerungen einschalten")
    assert "wieder eingeschaltet" in (anna.last.text or "")


async def test_a_restart_in_the_middle_of_a_wave_neither_doubles_nor_loses(
    tmp_path: Path, consultation: Consultation
) -> None:
    api = FakeBotApi()
    bot = await start_on(tmp_path, consultation, api, datetime(2026, 12, 1, 9, tzinfo=UTC))
    everyone = await add_people(bot, range(640_001, 640_031))
    await reminders.plan_reminders(bot.db, bot.consultation, bot.settings, bot.clock())
    bot.clock.now = HANDEL_FIRST
    original = api.handle_async
    delivered: list[int] = []
    run: asyncio.Task[Any] | None = None

    async def dies_after_the_tenth(method: str, params: dict[str, Any], files: Any = None) -> Any:
        result = await original(method, params, files)
        if method.lower() == "sendmessage":
            delivered.append(int(str(params["chat_id"])))
            if len(delivered) == 10:
                # Telegram has the 10th message; the process dies before recording it.
                assert run is not None
                run.cancel()
                raise asyncio.CancelledError
        return result

    api.handle_async = dies_after_the_tenth  # type: ignore[method-assign]
    run = asyncio.create_task(dispatcher(bot, VirtualTime(), in_flight=1).run())
    with contextlib.suppress(asyncio.CancelledError):
        await run
    assert len(delivered) == 10
    sending = [r for r in await outbox.rows(bot.db, "reminder") if r.status == "sending"]
    assert [r.recipient for r in sending] == [delivered[-1]]
    await stop_harness(bot)
    api.handle_async = original  # type: ignore[method-assign]

    bot = await start_on(tmp_path, consultation, api, HANDEL_FIRST)
    await dispatcher(bot, VirtualTime()).run()
    for chat in everyone:
        got = [m for m in api.sent_to(chat) if "Zu welchem Bereich" in (m.text or "")]
        assert len(got) == 1, chat  # one reminder each: none doubled, none lost
    await stop_harness(bot)
