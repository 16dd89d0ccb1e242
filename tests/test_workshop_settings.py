"""AGENDA_SEAT_OFFER_HOURS: how long a freed workshop seat is held for the next person."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.settings import Settings, SettingsError


def test_a_seat_offer_holds_24_hours_unless_set() -> None:
    assert Settings.from_env({}).seat_offer == timedelta(hours=24)
    assert Settings.from_env({"AGENDA_SEAT_OFFER_HOURS": " "}).seat_offer == timedelta(hours=24)
    assert Settings.from_env({"AGENDA_SEAT_OFFER_HOURS": "48"}).seat_offer == timedelta(hours=48)


@pytest.mark.parametrize("raw", ["0", "-5", "1.5", "24h", "zwei", "1000"])
def test_a_bad_seat_offer_setting_names_its_variable(raw: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"AGENDA_SEAT_OFFER_HOURS": raw})
    assert caught.value.variable == "AGENDA_SEAT_OFFER_HOURS"
    assert "AGENDA_SEAT_OFFER_HOURS" in str(caught.value)
