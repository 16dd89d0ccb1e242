"""Problem reports: field, title, description, optional photo; "affects us too" counted once."""

from __future__ import annotations

from storage import people
from storage import problems as problem_store
from tests.conftest import Harness, onboard, text_of


async def report(
    user_title: str,
    bot: Harness,
    user_id: int,
    field: str = "Einzelhandel / Gewerbe",
    photo: bool = False,
) -> None:
    user = bot.user(user_id)
    await user.send("/problem")
    await user.click("Neues Problem melden")
    await user.click(field)
    await user.send(user_title)
    await user.send("Kundinnen fragen nach Online-Terminen, wir haben keine Lösung.")
    if photo:
        await user.send_photo()
    else:
        await user.click("Ohne Foto absenden")


async def test_a_problem_report_with_photo_is_stored(bot: Harness) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/problem")
    await anna.click("Neues Problem melden")
    # Her own field is offered first.
    assert anna.buttons()[0] == "Einzelhandel / Gewerbe"
    await anna.click("Einzelhandel / Gewerbe")
    assert "in wenigen Worten" in text_of(anna.last)
    await anna.send("x" * 81)
    assert "81 Zeichen" in text_of(anna.last)
    await anna.send_sticker()
    assert "als Text" in text_of(anna.last)
    await anna.send("Kein WLAN in der <Innenstadt>")
    await anna.send("Gäste & Kunden fragen täglich danach.")
    assert "Foto" in text_of(anna.last)
    await anna.send("Ich habe kein Foto")
    assert "Bitte senden Sie ein Foto" in text_of(anna.last)
    await anna.send_photo()
    assert "Ihre Meldung ist gespeichert" in text_of(anna.last)

    person = await people.by_telegram_id(bot.db, 1001)
    assert person is not None and person.awaiting is None
    [problem] = await problem_store.open_in_field(bot.db, "handel", limit=10)
    assert problem.title == "Kein WLAN in der <Innenstadt>"
    assert problem.description == "Gäste & Kunden fragen täglich danach."
    assert problem.photo_file_id is not None
    assert problem.person_id == person.id


async def test_others_in_the_field_say_it_affects_them_too(bot: Harness) -> None:
    await onboard(bot.user(1001))
    await report("Gewerbeanmeldung nur auf Papier", bot, 1001)
    ben = bot.user(1002)
    await onboard(ben, organisation="Bäckerei Ben")
    carl = bot.user(1003)
    await onboard(carl, group="Verwaltung", organisation="Stadtverwaltung", fields=("Verwaltung",))

    await ben.send("/problem")
    await ben.click("Meldungen anderer ansehen")
    await ben.click("Einzelhandel / Gewerbe")
    card = [m for m in ben.messages if "Gewerbeanmeldung nur auf Papier" in text_of(m)][-1]
    toast = await ben.click("Betrifft uns auch (0)", message_id=card.message_id)
    assert toast == "Vermerkt: betrifft 1 Organisation."
    # The card now shows the count and no longer offers the button.
    updated = next(m for m in ben.messages if m.message_id == card.message_id)
    assert "betrifft 1 weitere Organisation" in text_of(updated) and updated.buttons == []
    # Pressing a stale copy again does not count twice.
    problem = (await problem_store.open_in_field(bot.db, "handel", limit=1))[0]
    assert await ben.click_data(f"PV:{problem.id}") == "Schon vermerkt (1)."
    # Someone from another field may not vote; the reporter may not vote for themselves.
    assert "Nur für Teilnehmende" in (await carl.click_data(f"PV:{problem.id}") or "")
    anna = bot.user(1001)
    assert await anna.click_data(f"PV:{problem.id}") == "Das ist Ihre eigene Meldung."
    problem = (await problem_store.open_in_field(bot.db, "handel", limit=1))[0]
    assert problem.votes == 1


async def test_reports_are_listed_most_shared_first_with_paging(bot: Harness) -> None:
    await onboard(bot.user(1001))
    for n in range(7):
        await report(f"Problem Nummer {n}", bot, 1001)
    ben = bot.user(1002)
    await onboard(ben, organisation="Bäckerei Ben")
    problems = await problem_store.open_in_field(bot.db, "handel", limit=10)
    target = next(p for p in problems if p.title == "Problem Nummer 2")
    await ben.click_data(f"PV:{target.id}")

    await ben.send("/problem")
    await ben.click("Meldungen anderer ansehen")
    await ben.click("Einzelhandel / Gewerbe")
    assert "1–5 von 7" in text_of(ben.messages[-7])
    first_card = ben.messages[-6]
    assert "Problem Nummer 2" in text_of(first_card)
    await ben.click("Weitere anzeigen")
    assert "6–7 von 7" in text_of(ben.messages[-4])


async def test_cancel_discards_an_unfinished_report_but_keeps_answers(bot: Harness) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/problem")
    await anna.click("Neues Problem melden")
    await anna.click("Verwaltung")
    await anna.send("Halb fertig")
    await anna.send("/abbrechen")
    assert "verworfen" in text_of(anna.last)
    person = await people.by_telegram_id(bot.db, 1001)
    assert person is not None
    assert await problem_store.draft_of(bot.db, person.id) is None
    assert await problem_store.count_open_in_field(bot.db, "verwaltung") == 0
    await anna.send("Noch ein Text")
    assert "keine Frage offen" in text_of(anna.last)


async def test_the_affects_us_button_is_offered_only_within_ones_fields(bot: Harness) -> None:
    await onboard(bot.user(1001), fields=("Verwaltung",))
    await report("Bauantrag nur auf Papier", bot, 1001, field="Verwaltung")
    ben = bot.user(1002)
    await onboard(ben, organisation="Bäckerei Ben")
    await ben.send("/problem")
    await ben.click("Meldungen anderer ansehen")
    await ben.click("Verwaltung")
    card = next(m for m in ben.messages if "Bauantrag nur auf Papier" in (m.text or ""))
    assert card.buttons == []
