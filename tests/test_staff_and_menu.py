"""Staff status, help, cancel, commands per language, and the error handler."""

from __future__ import annotations

import pytest
from telegram.ext import CommandHandler

from storage import organisations
from tests.conftest import STAFF_ID, Harness, onboard, text_of


async def answered_by_carl(bot: Harness) -> None:
    """Two invited organisations; Carl joins with the first link and answers one question."""
    await organisations.upsert_invited(
        bot.db, "Autohaus Schulz", "firm", None, "tok_autohaus0001", now=bot.clock()
    )
    await organisations.upsert_invited(
        bot.db, "Hotel <Stadt> Hagenow", "tourism", None, "tok_hotel0000001", now=bot.clock()
    )
    carl = bot.user(1004)
    await carl.send("/start tok_autohaus0001")
    await carl.click("Deutsch")
    await carl.click("Einverstanden")
    await carl.click("Einzelhandel / Gewerbe")
    await carl.click("Fertig")
    await carl.click("Ja, namentlich nennen")
    await carl.send("/umfrage")
    await carl.click("Handel und Gewerbe: Gute Beispiele von anderswo")
    await carl.send("Gemeinsamer Lieferdienst")


async def test_status_shows_invited_started_completed_and_silent_organisations(
    bot: Harness,
) -> None:
    await answered_by_carl(bot)

    staff = bot.user(STAFF_ID, "Sabine")
    before = len(staff.messages)
    await staff.send("/status")
    report = "\n".join(m.text or "" for m in staff.messages[before:])
    assert "Stand der Befragung" in report
    assert "Eingeladene Organisationen: 2" in report
    assert "Unternehmen / Gewerbe: eingeladen 1 · begonnen 1 · fertig 0" in report
    # Both invited organisations still lack a completed questionnaire; the hotel never opened
    # its link. User text shows literally.
    assert "Hotel <Stadt> Hagenow (Tourismus und Gastgewerbe) – Link noch nicht geöffnet" in report
    assert "Autohaus Schulz (Unternehmen / Gewerbe)" in report
    assert "Autohaus Schulz (Unternehmen / Gewerbe) – Link" not in report


async def test_status_is_refused_to_everyone_else(bot: Harness) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/status")
    assert "nur für die Mitarbeitenden" in text_of(anna.last)
    assert "Stand der Befragung" not in text_of(anna.last)


async def test_help_lists_the_commands_and_offers_buttons(bot: Harness) -> None:
    anna = bot.user(1001)
    await anna.send("/hilfe")
    assert "/umfrage" in text_of(anna.last) and "/start" in text_of(anna.last)
    await onboard(anna)
    await anna.send("/help")
    assert "📋 Umfragen" in anna.buttons()
    assert "/status" not in text_of(anna.last)
    staff = bot.user(STAFF_ID)
    await staff.send("/hilfe")
    assert "/status" in text_of(staff.last)


async def test_commands_are_registered_per_language(bot: Harness) -> None:
    german = [c["command"] for c in bot.api.commands()]
    english = [c["command"] for c in bot.api.commands(language_code="en")]
    assert german == [
        "start",
        "umfrage",
        "weiter",
        "problem",
        "workshops",
        "entwurf",
        "folgen",
        "profil",
        "erinnerungen",
        "hilfe",
        "abbrechen",
        "meinedaten",
        "widerruf",
        "loeschen",
    ]
    assert english == [
        "start",
        "survey",
        "resume",
        "problem",
        "workshops",
        "draft",
        "follow",
        "profile",
        "reminders",
        "help",
        "cancel",
        "mydata",
        "withdraw",
        "delete",
    ]
    # Every listed command has a handler.
    handled = {
        name
        for group in bot.app.handlers.values()
        for handler in group
        if isinstance(handler, CommandHandler)
        for name in handler.commands
    }
    assert set(german) | set(english) <= handled


async def test_the_menu_buttons_lead_everywhere(bot: Harness) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.click("📋 Umfragen")
    assert "Ihre Umfragen" in text_of(anna.last)
    await anna.send("/hilfe")
    await anna.click("👤 Profil")
    assert "Ihr Profil" in text_of(anna.last)
    await anna.click("☰ Menü")
    await anna.click("⚠️ Problem melden / ansehen")
    assert "Probleme melden" in text_of(anna.last)
    await anna.send("/weiter")
    assert "Frage 1 von" in text_of(anna.last)
    await anna.send("/quatsch")
    assert "kenne ich nicht" in text_of(anna.last)


async def test_commands_before_signing_up_lead_to_onboarding(bot: Harness) -> None:
    anna = bot.user(1001)
    await anna.send("/umfrage")
    assert anna.buttons() == ["Deutsch", "English"]
    assert await anna.click_data("M:survey") == "Bitte zuerst das Profil vervollständigen."


async def test_a_crash_is_answered_and_nothing_already_given_is_lost(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/umfrage")
    await anna.click("Handel und Gewerbe: Wie digital ist es heute?")
    await anna.click("Einzelhandel")

    from handlers import questionnaire

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(questionnaire, "show_next_step", broken)  # after the commit
    await anna.click("4")
    assert "etwas schiefgegangen" in text_of(anna.last)
    assert len(bot.errors) == 1
    bot.errors.clear()

    monkeypatch.undo()
    await anna.send("/weiter")
    # The rating was stored before the failure; the next open question follows.
    assert "Was bieten Sie Kunden schon online an?" in text_of(anna.last)


async def test_every_staff_command_has_a_description_and_a_help_line(bot: Harness) -> None:
    from bot.commands import STAFF_COMMANDS

    texts = bot.services.texts
    for lang in ("de", "en"):
        help_text = texts.render(lang, "help", registered=True, staff=True, title="T")
        for command in STAFF_COMMANDS:
            assert texts.render(lang, "command_description", command=command) != command
            assert f"/{command} " in help_text
