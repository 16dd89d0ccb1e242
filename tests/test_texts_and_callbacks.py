"""Texts exist in both languages; button payloads always fit Telegram's 64 bytes."""

from __future__ import annotations

import pytest

from bot.callbacks import BUTTONS, MAX_BYTES, CallbackDataError
from bot.commands import STAFF_ALIASES, STAFF_COMMANDS, public_commands
from bot.consultation.model import Consultation
from bot.texts import Texts, format_number, split_message
from handlers.question_view import Choice, Toggle


def test_german_and_english_define_the_same_messages_with_the_same_parameters() -> None:
    texts = Texts()
    assert texts.names("de") == texts.names("en")
    for name in texts.names("de"):
        assert texts.macro("de", name).arguments == texts.macro("en", name).arguments, name


def test_user_text_is_escaped_in_every_message() -> None:
    texts = Texts()
    html = texts.render("de", "org_name_saved", organisation="<b>Fake</b> & Co")
    assert "&lt;b&gt;Fake&lt;/b&gt; &amp; Co" in html


def test_numbers_are_written_as_people_write_them() -> None:
    assert format_number(10000, "de") == "10.000"
    assert format_number(10000, "en") == "10,000"
    assert format_number(2.5, "de") == "2,5"


def test_long_messages_are_split_at_line_breaks_under_the_limit() -> None:
    text = "\n".join(f"Zeile {n} " + "x" * 80 for n in range(200))
    parts = split_message(text)
    assert len(parts) > 1
    assert all(len(part) <= 4096 for part in parts)
    assert "\n".join(parts) == text


def test_every_payload_the_consultation_needs_fits_in_64_bytes(
    consultation: Consultation,
) -> None:
    for qn in consultation.questionnaires:
        for question in qn.questions:
            for option in question.options or []:
                toggle = Toggle(qn.id, question.id, option.id)
                data = toggle.pack()
                assert len(data.encode()) <= MAX_BYTES
                assert BUTTONS.parse(data) == toggle


def test_payloads_are_checked_both_ways() -> None:
    with pytest.raises(CallbackDataError):
        Choice("x" * 40, "y" * 40, "z").pack()
    with pytest.raises(CallbackDataError):
        Choice("has:colon", "q", "z").pack()
    assert BUTTONS.parse("A:sq-handel:digital:4") == Choice("sq-handel", "digital", "4")
    assert BUTTONS.parse("A:sq handel") is None
    assert BUTTONS.parse("x" * 65) is None
    assert BUTTONS.parse(None) is None
    assert BUTTONS.parse("") is None


def test_the_help_lists_the_menus_commands_in_their_order() -> None:
    """The help follows bot/commands.py: every command of the menu (but /start) and, for staff,
    every staff command with the English name it answers to as well."""
    texts = Texts()
    for lang in ("de", "en"):
        lines = texts.render(lang, "help", registered=True, staff=True, title="T").split("\n")
        listed = [line.split(" ")[0][1:] for line in lines if line.startswith("/")]
        assert listed == [n for n in public_commands(lang) if n != "start"] + STAFF_COMMANDS
        assert f"/teilnehmer (/{STAFF_ALIASES['teilnehmer']}) – " in "\n".join(lines)
