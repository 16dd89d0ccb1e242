"""Quiet hours from the environment and reminder rules in the consultation file."""

from __future__ import annotations

from typing import Any

import pytest

from bot.consultation.model import ConsultationError, parse_consultation
from bot.consultation.questionnaire import Reminders
from bot.reminders import QuietHours
from bot.settings import DEFAULT_CONSULTATION, Settings, SettingsError


def test_quiet_hours_default_to_20_to_8_and_sundays() -> None:
    settings = Settings.from_env({})
    assert QuietHours.of(settings) == QuietHours(20, 8, sunday=True)
    blank = Settings.from_env({"AGENDA_QUIET_HOURS": " ", "AGENDA_QUIET_SUNDAY": ""})
    assert QuietHours.of(blank) == QuietHours(20, 8, sunday=True)


@pytest.mark.parametrize(
    ("hours", "sunday", "expected"),
    [
        ("21-7", "0", QuietHours(21, 7, sunday=False)),
        (" 22 - 6 ", "1", QuietHours(22, 6, sunday=True)),
        ("off", "nein", QuietHours(0, 0, sunday=False)),
        ("12-14", "ja", QuietHours(12, 14, sunday=True)),
    ],
)
def test_quiet_hours_are_configurable(hours: str, sunday: str, expected: QuietHours) -> None:
    env = {"AGENDA_QUIET_HOURS": hours, "AGENDA_QUIET_SUNDAY": sunday}
    assert QuietHours.of(Settings.from_env(env)) == expected


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("AGENDA_QUIET_HOURS", "20"),
        ("AGENDA_QUIET_HOURS", "20:00-08:00"),
        ("AGENDA_QUIET_HOURS", "25-8"),
        ("AGENDA_QUIET_SUNDAY", "sometimes"),
    ],
)
def test_a_bad_quiet_setting_names_its_variable(name: str, raw: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({name: raw})
    assert caught.value.variable == name
    assert name in str(caught.value)


def test_reminder_rules_default_and_are_checked() -> None:
    assert Reminders() == Reminders(days_before_close=[7, 2], max=2, min_gap_days=3)
    with pytest.raises(ValueError, match="listed twice"):
        Reminders(days_before_close=[7, 7])
    with pytest.raises(ValueError):
        Reminders(max=-1)


def _with_reminders(rules: Any) -> dict[str, Any]:
    import yaml

    data: dict[str, Any] = yaml.safe_load(DEFAULT_CONSULTATION.read_text(encoding="utf-8"))
    data["questionnaires"][0]["reminders"] = rules
    return data


def test_a_bad_reminder_rule_in_the_file_names_its_place() -> None:
    with pytest.raises(ConsultationError) as caught:
        parse_consultation(_with_reminders({"days_before_close": [7, -1]}), "hagenow.yaml")
    assert "reminders" in str(caught.value) and "days_before_close" in str(caught.value)
    with pytest.raises(ConsultationError) as caught:
        parse_consultation(_with_reminders({"every": 3}), "hagenow.yaml")
    assert "every" in str(caught.value)
    ok = parse_consultation(_with_reminders({"max": 1}), "hagenow.yaml")
    assert ok.questionnaires[0].reminders == Reminders(max=1)
