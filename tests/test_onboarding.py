"""Onboarding: language, consent, profile; nothing stored before consent; deep links."""

from __future__ import annotations

from storage import organisations, people
from tests.conftest import Harness, onboard, text_of


async def test_a_shop_owner_signs_up_in_german(bot: Harness) -> None:
    anna = bot.user(1001)
    await anna.send("/start")
    assert "Sprache" in text_of(anna.last)
    assert anna.buttons() == ["Deutsch", "English"]

    await anna.click("Deutsch")
    notice = text_of(anna.last)
    assert "Datenschutz" in notice and "datenschutz@" in notice.lower()
    assert bot.consultation.consent_version in notice
    # Before consent nothing is stored, not even the Telegram id.
    assert await people.by_telegram_id(bot.db, 1001) is None

    await anna.click("Einverstanden")
    person = await people.by_telegram_id(bot.db, 1001)
    assert person is not None
    assert person.consent_version == bot.consultation.consent_version
    assert person.language == "de"
    assert "Für wen sprechen Sie?" in text_of(anna.last)

    await anna.click("Einzelhandel")
    assert "Wie heißt Ihre Organisation?" in text_of(anna.last)
    await anna.send("Blumen <Müller> & Söhne")
    await anna.click("Einzelhandel / Gewerbe")
    assert "✅ Einzelhandel / Gewerbe" in anna.buttons()
    await anna.click("Fertig")
    assert "namentlich nennen" in text_of(anna.last)
    await anna.click("Nein, nur als Gruppe")
    assert "Profil ist fertig" in text_of(anna.last)
    assert "📋 Umfragen" in anna.buttons()

    person = await people.by_telegram_id(bot.db, 1001)
    assert person is not None and person.onboarded
    assert person.group_id == "retail"
    assert person.organisation_name == "Blumen <Müller> & Söhne"
    assert person.fields == ("handel",)
    assert person.may_be_named is False


async def test_refusing_consent_stores_nothing(bot: Harness) -> None:
    ben = bot.user(1002)
    await ben.send("/start")
    await ben.click("Deutsch")
    await ben.click("Nicht einverstanden")
    assert "ohne Ihre Einwilligung speichern wir nichts" in text_of(ben.last)
    assert await people.by_telegram_id(bot.db, 1002) is None
    # Typing something afterwards starts over instead of storing it.
    await ben.send("Hallo?")
    assert await people.by_telegram_id(bot.db, 1002) is None
    assert ben.buttons() == ["Deutsch", "English"]


async def test_english_is_available_throughout(bot: Harness) -> None:
    eve = bot.user(1003, language_code="en")
    await onboard(
        eve,
        group="University",
        organisation="Hochschule Wismar",
        fields=("Administration",),
        language="English",
    )
    assert "profile is complete" in text_of(eve.last)
    await eve.send("/help")
    assert "/survey" in text_of(eve.last)


async def test_deep_link_binds_to_an_invited_organisation(bot: Harness) -> None:
    org = await organisations.upsert_invited(
        bot.db, "Autohaus Schulz", "firm", "info@example.org", "tok_ABCdef123456", now=bot.clock()
    )
    carl = bot.user(1004)
    await carl.send("/start tok_ABCdef123456")
    await carl.click("Deutsch")
    await carl.click("Einverstanden")
    assert "Autohaus Schulz" in text_of(carl.messages[-2])
    # Group and organisation come from the invitation: next is the action fields.
    assert "Welche Themen" in text_of(carl.last)
    await carl.click("Verwaltung")
    await carl.click("Fertig")
    await carl.click("Ja, namentlich nennen")
    person = await people.by_telegram_id(bot.db, 1004)
    assert person is not None
    assert person.organisation_id == org.id and person.group_id == "firm"
    assert person.may_be_named is True


async def test_an_unknown_invite_token_still_lets_people_join(bot: Harness) -> None:
    dana = bot.user(1005)
    await dana.send("/start doesnotexist")
    assert "nicht (mehr) gültig" in text_of(dana.messages[0])
    assert dana.buttons() == ["Deutsch", "English"]


async def test_start_again_shows_the_profile_to_change(bot: Harness) -> None:
    anna = bot.user(1001)
    await onboard(anna)
    await anna.send("/start")
    assert "Willkommen zurück" in text_of(anna.last)
    await anna.click("Handlungsfelder ändern")
    await anna.click("Verwaltung")
    await anna.click("Fertig")
    assert "Ihr Profil" in text_of(anna.last)
    person = await people.by_telegram_id(bot.db, 1001)
    assert person is not None and set(person.fields) == {"handel", "verwaltung"}

    await anna.click("Sprache / Language")
    await anna.click("English")
    assert "Your profile" in text_of(anna.last)


async def test_choosing_no_field_is_refused_with_a_hint(bot: Harness) -> None:
    anna = bot.user(1001)
    await anna.send("/start")
    await anna.click("Deutsch")
    await anna.click("Einverstanden")
    await anna.click("Bürgerin / Bürger")
    # Citizens speak for themselves: no organisation is asked.
    assert "Welche Themen" in text_of(anna.last)
    toast = await anna.click("Fertig")
    assert toast is not None and "mindestens ein Handlungsfeld" in toast


async def test_a_too_long_organisation_name_is_asked_again(bot: Harness) -> None:
    anna = bot.user(1001)
    await anna.send("/start")
    await anna.click("Deutsch")
    await anna.click("Einverstanden")
    await anna.click("Schule")
    await anna.send("x" * 121)
    assert "höchstens 120" in text_of(anna.last)
    await anna.send_sticker()
    assert "als Text" in text_of(anna.last)
    await anna.send("Europaschule Hagenow")
    assert "Welche Themen" in text_of(anna.last)


async def test_refusing_after_consenting_withdraws_and_offers_the_erasure(bot: Harness) -> None:
    anna = bot.user(1001)
    await anna.send("/start")
    await anna.click("Deutsch")
    notice = anna.last
    await anna.click("Einverstanden")
    await anna.click_data("C:n:de", message_id=notice.message_id)
    assert "Einwilligung widerrufen" in text_of(anna.last)
    assert "noch gespeichert" in text_of(anna.last)  # nothing pretends the data is gone
    assert "🗑 Meine Daten löschen" in anna.buttons()
    person = await people.by_telegram_id(bot.db, 1001)
    assert person is not None and person.withdrawn


async def test_a_field_tap_repeated_after_a_lost_reply_keeps_the_field_selected(
    bot: Harness,
) -> None:
    """The reply to a tap can be lost (a crash, a dead network) after the choice was stored; the
    person taps the same button again on the old screen: it selects, it does not switch back."""
    anna = bot.user(1001)
    await anna.send("/start")
    await anna.click("Deutsch")
    await anna.click("Einverstanden")
    await anna.click("Bürgerin / Bürger")
    msg, button = anna._find_button("Einzelhandel / Gewerbe", None)
    assert button.callback_data is not None
    await anna.click_data(button.callback_data, msg.message_id)
    await anna.click_data(button.callback_data, msg.message_id)  # the same, unchanged button
    person = await people.by_telegram_id(bot.db, 1001)
    assert person is not None and person.fields == ("handel",)
    assert "✅ Einzelhandel / Gewerbe" in anna.buttons()

    await anna.click("✅ Einzelhandel / Gewerbe")  # the button now asks to deselect
    person = await people.by_telegram_id(bot.db, 1001)
    assert person is not None and person.fields == ()
    await anna.click_data("F:handel", msg.message_id)  # a button from before: still a toggle
    person = await people.by_telegram_id(bot.db, 1001)
    assert person is not None and person.fields == ("handel",)
