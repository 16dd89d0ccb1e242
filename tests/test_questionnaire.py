"""Questionnaires: one question per message, answers stored at once, bad input never lost."""

from __future__ import annotations

from pathlib import Path

from bot.consultation.model import Consultation
from storage import answers, people
from tests.conftest import Harness, onboard, start_harness, stop_harness, text_of

HANDEL = "Handel und Gewerbe: Wie digital ist es heute?"
BEISPIELE = "Handel und Gewerbe: Gute Beispiele von anderswo"


async def stored(bot: Harness, telegram_id: int, questionnaire: str) -> dict[str, object]:
    person = await people.by_telegram_id(bot.db, telegram_id)
    assert person is not None
    given = await answers.answers_of(bot.db, person.id, questionnaire)
    return {qid: a.value for qid, a in given.items()}


async def test_a_retailer_answers_the_status_quo_with_buttons_and_typing(bot: Harness) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/umfrage")
    assert "Ihre Umfragen" in text_of(anna.last)
    await anna.click(HANDEL)
    assert "Frage 1 von" in text_of(anna.last)
    assert "Zu welchem Bereich" in text_of(anna.last)

    shown = len(anna.messages)
    toast = await anna.click("Einzelhandel")
    assert toast == "Gespeichert ✓"
    # One message per tap: the question turns into the next one, headed by the answer given.
    answered = anna.last
    assert len(anna.messages) == shown
    assert "✓ Einzelhandel" in text_of(answered) and "Einzelhandel" not in anna.buttons()
    assert await stored(bot, 1001, "sq-handel") == {"branche": "handel"}

    assert "Wie digital ist Ihr Betrieb heute?" in text_of(anna.last)
    await anna.click("4")
    await anna.click("Eigene Website")
    await anna.click("Online-Shop / Marktplatz")
    assert "✅ Online-Shop / Marktplatz" in anna.buttons()
    await anna.click("Fertig")
    # Shown only because the shop was ticked.
    assert "Anteil Ihres Umsatzes" in text_of(anna.last)
    await anna.click("10 bis 25 %")
    await anna.click("Kasse / Warenwirtschaft")
    await anna.click("Fertig")
    await anna.click("Zeit")
    await anna.click("Kosten")
    await anna.click("Fertig")
    await anna.click("Schulung fürs Team")
    await anna.click("Fertig")
    await anna.click("Ja")

    assert "Wie viele Menschen arbeiten" in text_of(anna.last)
    await anna.send("viele")
    assert "keine Zahl" in text_of(anna.last)
    assert "Wie viele Menschen arbeiten" in text_of(anna.last)
    await anna.send("0")
    assert "zwischen 1 und 10.000" in text_of(anna.last)
    await anna.send_sticker()
    assert "Wie viele Menschen arbeiten" in text_of(anna.last)
    await anna.send("12")

    assert "Was sollte die Stadt" in text_of(anna.last)
    await anna.send("x" * 1001)
    assert "1.001 Zeichen" in text_of(anna.last)
    await anna.send_voice()
    assert "mit Text" in text_of(anna.last)
    await anna.send("<script>alert(1)</script> & mehr Parkplätze")

    summary = text_of(anna.last)
    assert "Ihre Antworten" in summary
    assert "<script>alert(1)</script> & mehr Parkplätze" in summary
    assert "Zeit, Kosten" in summary
    assert await stored(bot, 1001, "sq-handel") == {
        "branche": "handel",
        "digital": 4,
        "kunden": ["website", "shop"],
        "onlineanteil": "u25",
        "intern": ["kasse"],
        "huerden": ["zeit", "kosten"],
        "hilfe": ["schulung"],
        "plattform": True,
        "beschaeft": 12,
        "hinweis": "<script>alert(1)</script> & mehr Parkplätze",
    }

    await anna.click("Abschließen")
    assert "Vielen Dank" in text_of(anna.last)
    person = await people.by_telegram_id(bot.db, 1001)
    assert person is not None
    response = (await answers.responses_of(bot.db, person.id))["sq-handel"]
    assert response.completed_at is not None


async def test_back_changes_an_earlier_answer(bot: Harness) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/umfrage")
    await anna.click(HANDEL)
    await anna.click("Einzelhandel")
    await anna.click("Zurück")
    assert "Zu welchem Bereich" in text_of(anna.last)
    assert "Bisherige Antwort: Einzelhandel" in text_of(anna.last)
    assert "✓ Einzelhandel" in anna.buttons()
    await anna.click("Handwerk")
    assert "Wie digital ist Ihr Betrieb heute?" in text_of(anna.last)
    assert (await stored(bot, 1001, "sq-handel"))["branche"] == "handwerk"


async def test_optional_questions_can_be_skipped_required_ones_not(bot: Harness) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/umfrage")
    await anna.click(BEISPIELE)
    assert "Überspringen ⏭" not in anna.buttons()
    await anna.send("Ein Lieferdienst aller Läden der Innenstadt")
    assert "Wo gibt es das?" in text_of(anna.last)
    assert await anna.click("Überspringen") == "Übersprungen"
    assert "Woher kennen Sie das Beispiel?" in text_of(anna.last)
    assert (await stored(bot, 1001, "bp-handel"))["wo"] is None
    # A forged skip of a required question is refused.
    toast = await anna.click_data("S:bp-handel:quelle")
    assert toast is not None and "nicht übersprungen" in toast
    assert "quelle" not in await stored(bot, 1001, "bp-handel")


async def test_progress_survives_a_restart_and_weiter_resumes(
    tmp_path: Path, consultation: Consultation
) -> None:
    first = await start_harness(tmp_path, consultation)
    anna = first.user(1001)
    await onboard(anna)
    await anna.send("/umfrage")
    await anna.click(HANDEL)
    await anna.click("Dienstleistung")
    await anna.click("3")
    await stop_harness(first)

    # Same database, new process, new phone: nothing is lost.
    second = await start_harness(tmp_path, consultation)
    anna_again = second.user(1001)
    await anna_again.send("/weiter")
    assert "Was bieten Sie Kunden schon online an?" in text_of(anna_again.last)
    assert "Frage 3 von" in text_of(anna_again.last)
    assert await stored(second, 1001, "sq-handel") == {"branche": "dienst", "digital": 3}
    await stop_harness(second)
    assert not first.errors and not second.errors


async def test_summary_lets_people_change_an_answer(bot: Harness) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/umfrage")
    await anna.click(BEISPIELE)
    await anna.send("Digitaler Marktplatz")
    await anna.click("Überspringen")
    await anna.click("Selbst genutzt")
    await anna.click("Nein")  # not transferable: asks for the hurdle
    assert "Was steht einer Übertragung im Weg?" in text_of(anna.last)
    await anna.send("Zu wenige Läden")
    await anna.click("Ja")
    assert "Ihre Antworten" in text_of(anna.last)
    await anna.click("✏️ 1")
    assert "Bisherige Antwort: Digitaler Marktplatz" in text_of(anna.last)
    await anna.send("Digitaler Marktplatz mit Lieferdienst")
    assert "Ihre Antworten" in text_of(anna.last)
    assert "Digitaler Marktplatz mit Lieferdienst" in text_of(anna.last)
    assert (await stored(bot, 1001, "bp-handel"))["beispiel"] == (
        "Digitaler Marktplatz mit Lieferdienst"
    )


async def test_a_multi_choice_needs_one_tick(bot: Harness) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/umfrage")
    await anna.click(HANDEL)
    await anna.click("Einzelhandel")
    await anna.click("5")
    toast = await anna.click("Fertig")
    assert toast is not None and "mindestens eine" in toast
    assert "kunden" not in await stored(bot, 1001, "sq-handel")


async def test_forged_and_stale_buttons_get_a_polite_answer(bot: Harness) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/umfrage")
    await anna.click(HANDEL)
    await anna.click("Einzelhandel")
    before = await stored(bot, 1001, "sq-handel")

    assert await anna.click_data("A:sq-handel:branche:nonexistent") == (
        "Dieser Knopf ist nicht mehr gültig."
    )
    assert await anna.click_data("totally-forged") == "Dieser Knopf ist nicht mehr gültig."
    assert await anna.click_data("A:sq-handel:nope:1") == "Dieser Knopf ist nicht mehr gültig."
    # A questionnaire for another action field is not hers to answer.
    assert await anna.click_data("A:sq-verwaltung:rolle:intern") == (
        "Dieser Knopf ist nicht mehr gültig."
    )
    assert "Weitermachen" in text_of(anna.last) or "Weitermachen" in " ".join(anna.buttons())
    assert await stored(bot, 1001, "sq-handel") == before


async def test_a_closed_questionnaire_says_so_and_keeps_the_answers(bot: Harness) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/umfrage")
    await anna.click(BEISPIELE)
    bot.clock.advance(days=120)
    await anna.send("Zu spät?")
    assert "ist geschlossen" in text_of(anna.last)
    assert await stored(bot, 1001, "bp-handel") == {}
    await anna.send("/weiter")
    assert "alle offenen Umfragen" in text_of(anna.last)


async def test_typing_where_buttons_are_expected_is_understood_or_explained(
    bot: Harness,
) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/umfrage")
    await anna.click(HANDEL)
    await anna.send("Handwerk")  # the option's text, typed
    assert "Wie digital ist Ihr Betrieb heute?" in text_of(anna.last)
    await anna.send("vier")
    assert "mit den Knöpfen" in text_of(anna.last)
    await anna.send("4")  # a rating may be typed as a digit
    assert await stored(bot, 1001, "sq-handel") == {"branche": "handwerk", "digital": 4}
    await anna.send_location()
    assert "mit den Knöpfen" in text_of(anna.last)
    await anna.send_photo()
    assert "Was bieten Sie Kunden schon online an?" in text_of(anna.last)


async def test_changing_ticks_without_confirming_keeps_the_given_answer(bot: Harness) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/umfrage")
    await anna.click(HANDEL)
    await anna.click("Einzelhandel")
    await anna.click("2")
    await anna.click("Social Media")
    await anna.click("Fertig")
    await anna.click("Zurück")
    assert "✅ Social Media" in anna.buttons()
    await anna.click("Eigene Website")
    await anna.click("Social Media")
    assert "✅ Eigene Website" in anna.buttons() and "⬜ Social Media" in anna.buttons()
    # Interrupted before "Fertig": the answer given stays what it was.
    await anna.send("/abbrechen")
    assert (await stored(bot, 1001, "sq-handel"))["kunden"] == ["social"]
    # Coming back, the ticks in progress are still there.
    await anna.send("/weiter")
    assert "intern schon digital" in text_of(anna.last)
    await anna.click("Zurück")
    assert "✅ Eigene Website" in anna.buttons() and "⬜ Social Media" in anna.buttons()
    await anna.click("Fertig")
    assert (await stored(bot, 1001, "sq-handel"))["kunden"] == ["website"]


async def test_a_long_earlier_answer_is_shown_shortened_and_literally(bot: Harness) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/umfrage")
    await anna.click(BEISPIELE)
    await anna.send("<b>fett</b> " + "y" * 900)
    await anna.click("Zurück")
    shown = text_of(anna.last)
    assert "Bisherige Antwort: <b>fett</b> yyy" in shown
    assert len(shown) < 1000


async def test_answers_to_questions_that_no_longer_apply_are_dropped(bot: Harness) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/umfrage")
    await anna.click(HANDEL)
    await anna.click("Einzelhandel")
    await anna.click("4")
    await anna.click("Online-Shop / Marktplatz")
    await anna.click("Fertig")
    await anna.click("über 50 %")
    assert (await stored(bot, 1001, "sq-handel"))["onlineanteil"] == "m50"
    # Without the shop, the share of online sales is no longer asked, nor kept.
    await anna.click("Zurück")
    await anna.click("Zurück")
    await anna.click("Online-Shop / Marktplatz")
    await anna.click("Social Media")
    await anna.click("Fertig")
    assert "intern schon digital" in text_of(anna.last)
    assert "onlineanteil" not in await stored(bot, 1001, "sq-handel")


async def test_button_labels_are_plain_text(bot: Harness) -> None:
    eve = bot.user(1003, language_code="en")
    await onboard(
        eve,
        group="Retail",
        organisation="Eve's Shop",
        fields=("Retail / trade and industry",),
        language="English",
    )
    await eve.send("/survey")
    await eve.click("Retail and trade: how digital is it today?")
    await eve.click("Retail")
    await eve.click("3")
    await eve.click("Online shop / marketplace")
    await eve.click("Done")
    assert "Don't know" in eve.buttons()
