"""One Bot API message per tap: what each answer costs in calls to Telegram, per question type."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable

from tests.conftest import Harness, onboard, text_of

HANDEL = "Handel und Gewerbe: Wie digital ist es heute?"
TAP = Counter({"answerCallbackQuery": 1, "editMessageText": 1})


async def calls_of(bot: Harness, action: Awaitable[object]) -> Counter[str]:
    """The Bot API methods the bot called while handling one action of the person."""
    before = len(bot.api.calls)
    await action
    return Counter(call.method for call in bot.api.calls[before:])


async def test_each_answer_costs_one_message_whatever_the_question_type(bot: Harness) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/umfrage")
    shown = len(anna.messages)
    # Opening the questionnaire: its intro and first question in the tapped message.
    assert await calls_of(bot, anna.click(HANDEL)) == TAP
    assert "Frage 1 von" in text_of(anna.last)

    assert await calls_of(bot, anna.click("Einzelhandel")) == TAP  # single choice
    assert await calls_of(bot, anna.click("4")) == TAP  # rating
    # Multiple choice: each tick redraws the buttons only, "Fertig" moves on.
    toggle = Counter({"answerCallbackQuery": 1, "editMessageReplyMarkup": 1})
    assert await calls_of(bot, anna.click("Eigene Website")) == toggle
    assert await calls_of(bot, anna.click("Fertig")) == TAP
    await anna.click("Kasse / Warenwirtschaft")
    await anna.click("Fertig")
    await anna.click("Zeit")
    await anna.click("Fertig")
    await anna.click("Schulung fürs Team")
    await anna.click("Fertig")
    assert "Plattform" in text_of(anna.last) or "Ja" in anna.buttons()
    assert await calls_of(bot, anna.click("Ja")) == TAP  # yes/no
    # Still the one message the questionnaire opened in.
    assert len(anna.messages) == shown

    # Typed answers: one new message, the confirmation above the next question.
    assert "Wie viele Menschen arbeiten" in text_of(anna.last)
    assert await calls_of(bot, anna.send("12")) == Counter({"sendMessage": 1})  # number
    assert "Gespeichert" in text_of(anna.last) and "Was sollte die Stadt" in text_of(anna.last)
    assert await calls_of(bot, anna.send("Mehr Parkplätze")) == Counter({"sendMessage": 1})
    # The summary shows every answer: what was answered stays readable in the chat.
    summary = text_of(anna.last)
    assert "Ihre Antworten" in summary and "Eigene Website" in summary and "12" in summary
    assert "Mehr Parkplätze" in summary


async def test_a_skip_on_an_older_message_keeps_the_typed_answer(bot: Harness) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/umfrage")
    await anna.click("Handel und Gewerbe: Gute Beispiele von anderswo")
    await anna.send("Lieferdienst")
    asked = anna.last.message_id
    await anna.send("In Wismar")  # typed: the question "Wo gibt es das?" keeps its buttons
    assert await anna.click("Überspringen", asked) == "Dieser Knopf ist nicht mehr gültig."
    await anna.send("/weiter")
    assert "Woher kennen Sie das Beispiel?" in text_of(anna.last)


async def test_a_too_long_text_is_answered_in_one_message_with_the_question(bot: Harness) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/umfrage")
    await anna.click("Handel und Gewerbe: Gute Beispiele von anderswo")
    question = text_of(anna.last).split("Frage 1 von")[1]
    calls = await calls_of(bot, anna.send("x" * 1001))
    assert calls == Counter({"sendMessage": 1})
    # What was wrong, and the question again, in the one message.
    assert "1.001 Zeichen" in text_of(anna.last) and question in text_of(anna.last)


async def test_onboarding_and_the_menu_cost_one_message_per_tap(bot: Harness) -> None:
    """The room scans the QR code at once: every tap edits the message it was made on; only
    what a person types gets a new message (30 new messages a second is all Telegram allows)."""
    anna = bot.user(1001)
    assert await calls_of(bot, anna.send("/start")) == Counter({"sendMessage": 1})
    assert await calls_of(bot, anna.click("Deutsch")) == TAP
    assert "Datenschutz" in text_of(anna.last)
    assert await calls_of(bot, anna.click("Einverstanden")) == TAP
    assert "Danke!" in text_of(anna.last) and "Für wen sprechen Sie?" in text_of(anna.last)
    assert await calls_of(bot, anna.click("Einzelhandel")) == TAP
    assert "Wie heißt Ihre Organisation?" in text_of(anna.last)
    # Typed: the name confirmed above the next question, in one new message.
    assert await calls_of(bot, anna.send("Blumen Müller")) == Counter({"sendMessage": 1})
    assert "Blumen Müller" in text_of(anna.last) and "Welche Themen" in text_of(anna.last)
    toggle = Counter({"answerCallbackQuery": 1, "editMessageReplyMarkup": 1})
    assert await calls_of(bot, anna.click("Einzelhandel / Gewerbe")) == toggle
    assert await calls_of(bot, anna.click("Fertig")) == TAP
    assert await calls_of(bot, anna.click("Ja, namentlich nennen")) == TAP
    assert "Ihr Profil ist fertig" in text_of(anna.last)
    # Everything so far happened in two messages: the language question and the name's answer.
    assert len(anna.messages) == 2
    # The menu's buttons turn their message into what they open, and back.
    assert await calls_of(bot, anna.click("Umfragen")) == TAP
    assert "Handel und Gewerbe: Wie digital ist es heute?" in anna.buttons()
    await anna.send("/menu")
    assert await calls_of(bot, anna.click("Profil")) == TAP
    assert "Ihr Profil" in text_of(anna.last)
    assert await calls_of(bot, anna.click("Gruppe ändern")) == TAP
    assert await calls_of(bot, anna.click("Einzelhandel")) == TAP
    assert "Ihr Profil" in text_of(anna.last) and len(anna.messages) == 3
