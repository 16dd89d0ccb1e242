"""AGENDA_STAFF_CHAT and AGENDA_DIGEST_LEAD: parsed once, a bad value names its variable."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.settings import Settings, SettingsError


def test_defaults_are_no_staff_group_and_48_hours() -> None:
    settings = Settings.from_env({})
    assert settings.staff_chat is None
    assert settings.digest_lead == timedelta(hours=48)
    blank = Settings.from_env({"AGENDA_STAFF_CHAT": " ", "AGENDA_DIGEST_LEAD": ""})
    assert (blank.staff_chat, blank.digest_lead) == (None, timedelta(hours=48))


@pytest.mark.parametrize(
    ("raw", "chat"), [("-1001234567890", -1001234567890), (" 4242 ", 4242), ("-42", -42)]
)
def test_staff_chat_is_a_numeric_chat_id_groups_negative(raw: str, chat: int) -> None:
    assert Settings.from_env({"AGENDA_STAFF_CHAT": raw}).staff_chat == chat


@pytest.mark.parametrize("raw", ["@stadt_hagenow", "12a", "--5", "1,2", "- 5"])
def test_a_bad_staff_chat_names_the_variable(raw: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"AGENDA_STAFF_CHAT": raw})
    assert caught.value.variable == "AGENDA_STAFF_CHAT"
    assert str(caught.value).startswith("AGENDA_STAFF_CHAT: ")


@pytest.mark.parametrize(
    ("raw", "lead"),
    [
        ("48h", timedelta(hours=48)),
        ("36h", timedelta(hours=36)),
        ("2d", timedelta(days=2)),
        ("90m", timedelta(minutes=90)),
        (" 1d 12h ", timedelta(hours=36)),
        ("2D", timedelta(days=2)),
        ("0h", timedelta(0)),
    ],
)
def test_digest_lead_accepts_days_hours_minutes(raw: str, lead: timedelta) -> None:
    assert Settings.from_env({"AGENDA_DIGEST_LEAD": raw}).digest_lead == lead


@pytest.mark.parametrize("raw", ["48", "zwei Tage", "-5h", "1.5d", "48s", "h", "48h!"])
def test_a_bad_digest_lead_names_the_variable_and_an_example(raw: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"AGENDA_DIGEST_LEAD": raw})
    assert caught.value.variable == "AGENDA_DIGEST_LEAD"
    assert "48h" in str(caught.value)


def test_both_show_in_the_settings_repr() -> None:
    settings = Settings.from_env({"AGENDA_STAFF_CHAT": "-100777", "AGENDA_DIGEST_LEAD": "36h"})
    assert "staff_chat=-100777" in repr(settings)
    assert "digest_lead=1 day, 12:00:00" in repr(settings)
