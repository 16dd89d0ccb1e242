"""Settings: read from the environment once; every bad value is named; the token never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ops_settings import DEFAULT_DATA_DIR
from bot.settings import (
    DEFAULT_BASE_FILE_URL,
    DEFAULT_BASE_URL,
    DEFAULT_CONSULTATION,
    Settings,
    SettingsError,
)

TOKEN = "123456789:AAFakeSecretTokenForTheTests_xyz"


def test_defaults_need_nothing_but_work_with_nothing() -> None:
    settings = Settings.from_env({})
    assert settings.token is None
    assert settings.base_url == DEFAULT_BASE_URL == "https://api.telegram.org/bot"
    assert settings.base_file_url == DEFAULT_BASE_FILE_URL == "https://api.telegram.org/file/bot"
    assert settings.db_path == DEFAULT_DATA_DIR / "agenda.sqlite3"
    assert settings.consultation_path == DEFAULT_CONSULTATION
    assert DEFAULT_CONSULTATION.name == "hagenow.yaml" and DEFAULT_CONSULTATION.is_file()
    assert settings.timezone is None  # the consultation file's time zone is used
    assert settings.staff_ids == frozenset()


def test_blank_values_count_as_unset() -> None:
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": "  ",
            "AGENDA_DB": " ",
            "AGENDA_TIMEZONE": "",
            "AGENDA_STAFF_IDS": "",
        }
    )
    assert settings.token is None
    assert settings.db_path == DEFAULT_DATA_DIR / "agenda.sqlite3"
    assert settings.timezone is None


def test_every_value_can_be_set(tmp_path: Path) -> None:
    consultation = tmp_path / "town.yaml"
    consultation.write_text("id: x\n", encoding="utf-8")
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": f"  {TOKEN}\n",
            "TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot",
            "TELEGRAM_BASE_FILE_URL": "http://127.0.0.1:8081/file/bot",
            "AGENDA_DB": str(tmp_path / "db.sqlite3"),
            "AGENDA_CONSULTATION": str(consultation),
            "AGENDA_STAFF_IDS": "1, 2;3",
            "AGENDA_TIMEZONE": "Europe/Vienna",
        }
    )
    assert settings.require_token() == TOKEN
    assert settings.base_url == "http://127.0.0.1:8081/bot"
    assert settings.base_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.db_path == tmp_path / "db.sqlite3"
    assert settings.consultation_path == consultation
    assert settings.staff_ids == frozenset({1, 2, 3})
    assert settings.timezone is not None and settings.timezone.key == "Europe/Vienna"


def test_staff_ids_tolerate_spaces_and_trailing_separators() -> None:
    assert Settings.from_env({"AGENDA_STAFF_IDS": " 42 ;; 7, "}).staff_ids == {7, 42}


@pytest.mark.parametrize(
    ("variable", "value", "hint"),
    [
        ("AGENDA_STAFF_IDS", "12,abc", "'abc'"),
        ("AGENDA_STAFF_IDS", "12 13", "'12 13'"),
        ("AGENDA_TIMEZONE", "Mars/Olympus", "Mars/Olympus"),
        ("AGENDA_TIMEZONE", "../etc/passwd", "passwd"),
        ("TELEGRAM_BASE_URL", "ftp://x", "ftp://x"),
        ("TELEGRAM_BASE_FILE_URL", "api.telegram.org/file/bot", "http"),
        ("AGENDA_CONSULTATION", "no/such/consultation.yaml", "no such file"),
        ("TELEGRAM_BOT_TOKEN", "123:abc def", "bot token"),
        ("TELEGRAM_BOT_TOKEN", "justsomething", "bot token"),
    ],
)
def test_a_bad_value_names_its_variable(variable: str, value: str, hint: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({variable: value})
    assert caught.value.variable == variable
    message = str(caught.value)
    assert message.startswith(f"{variable}: ")
    assert hint in message
    if variable == "TELEGRAM_BOT_TOKEN":
        assert value not in message, "a malformed token is still a secret"


def test_a_directory_is_not_a_consultation(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="AGENDA_CONSULTATION"):
        Settings.from_env({"AGENDA_CONSULTATION": str(tmp_path)})


def test_require_token_says_what_to_do() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({}).require_token()
    assert caught.value.variable == "TELEGRAM_BOT_TOKEN"
    assert "@BotFather" in str(caught.value) and "export TELEGRAM_BOT_TOKEN" in str(caught.value)


def test_the_token_is_never_shown() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "AGENDA_STAFF_IDS": "5"})
    secret = TOKEN.split(":", 1)[1]
    for shown in (repr(settings), str(settings), f"{settings}", f"{settings!r}", repr([settings])):
        assert secret not in shown and TOKEN not in shown
        assert "token=<set>" in shown
    assert "token=<unset>" in repr(Settings.from_env({}))


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})
    with pytest.raises(AttributeError):
        settings.token = TOKEN  # type: ignore[misc]


def test_a_time_zone_setting_that_differs_from_the_file_stops_the_bot() -> None:
    """One time zone: the consultation file's. A different AGENDA_TIMEZONE is refused."""
    same = Settings.from_env({"AGENDA_TIMEZONE": "Europe/Berlin"})
    same.check_timezone("Europe/Berlin")
    with pytest.raises(SettingsError, match=r"AGENDA_TIMEZONE.*Europe/Vienna.*Europe/Berlin"):
        Settings.from_env({"AGENDA_TIMEZONE": "Europe/Vienna"}).check_timezone("Europe/Berlin")
    Settings.from_env({}).check_timezone("Europe/Vienna")  # unset: the file decides
