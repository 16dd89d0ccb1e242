"""Languages are declared once (bot/languages.py): the database takes any declared code
without a table rebuild, the consultation file may give texts in each, numbers and dates follow
the language's own style. Migration 0017 rebuilt the people table once to drop its CHECK."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot import languages
from bot.consultation.fields import I18n
from bot.resources import TEMPLATES_DIR
from bot.texts import Texts, format_day, format_number
from bot.translations import catalogue_path
from storage import people
from storage.db import Database, migrations
from tests.conftest import START
from tests.test_consultation import errors_of, raw


def test_every_declared_language_has_every_message_and_a_catalogue() -> None:
    texts = Texts()
    default = texts.names(languages.DEFAULT_LANGUAGE)
    for code in languages.LANGUAGES:
        assert texts.names(code) == default, code
        if code != languages.DEFAULT_LANGUAGE:
            assert catalogue_path(TEMPLATES_DIR, code).is_file(), code


def test_a_third_language_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Declared, its texts are read from the file and its numbers written its way."""
    polish = languages.Language("pl", thousands=" ", decimal=",", day="%d.%m.%Y")
    monkeypatch.setitem(languages.LANGUAGES, "pl", polish)
    text = I18n.model_validate({"de": "Umfrage", "pl": "Ankieta"})
    assert (text.get("pl"), text.get("pl-PL"), text.get("en")) == ("Ankieta", "Ankieta", "Umfrage")
    assert format_number(1234.5, "pl") == "1 234,5"
    assert languages.from_client("pl-PL") == "pl"


def test_a_text_in_an_undeclared_language_is_named_at_its_key(tmp_path: Path) -> None:
    data = raw()
    data["title"]["fr"] = "Agenda numérique"
    errors = errors_of(tmp_path, data)
    assert errors == ["title.fr: unknown language 'fr' (declared: de, en; quote texts with commas)"]


def test_numbers_and_days_keep_their_style() -> None:
    assert (format_number(1234.5, "de"), format_number(1234.5, "en")) == ("1.234,5", "1,234.5")
    day = START.date()
    assert format_day(day, "de") == day.strftime("%d.%m.%Y")
    assert not format_day(day.replace(day=5), "en").startswith("0")


async def test_migration_0017_keeps_people_and_their_references(tmp_path: Path) -> None:
    """A database from before 0017: its people, their answers and seats survive the rebuild,
    deleting a person still cascades, and any declared language can be stored."""
    path = tmp_path / "agenda.sqlite3"
    old = sqlite3.connect(path)
    old.execute("PRAGMA foreign_keys=ON")
    old.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL)"
    )
    for migration in migrations():
        if migration.version >= 17:
            break
        old.executescript(migration.sql)
        old.execute(
            "INSERT INTO schema_migrations VALUES (?, ?, '2026-11-01T00:00:00+00:00')",
            (migration.version, migration.name),
        )
    old.execute(
        "INSERT INTO people (id, telegram_id, language, consent_version, consented_at,"
        " created_at, updated_at, reminders_off) VALUES (7, 4711, 'en', 'v1', 'x', 'x', 'x', 1)"
    )
    old.execute(
        "INSERT INTO responses (person_id, questionnaire_id, started_at) VALUES (7, 'qn', 'x')"
    )
    old.execute(
        "INSERT INTO answers (person_id, questionnaire_id, question_id, value, answered_at)"
        " VALUES (7, 'qn', 'q', '3', 'x')"
    )
    old.commit()
    with pytest.raises(sqlite3.IntegrityError):  # before 0017 the table refused other codes
        old.execute("UPDATE people SET language = 'pl' WHERE id = 7")
    old.close()

    db = await Database.open(path)
    try:
        person = await people.by_telegram_id(db, 4711)
        assert person is not None and person.language == "en" and person.id == 7
        assert await db.fetchall("PRAGMA foreign_key_check") == []
        await people.set_language(db, 7, "pl", now=START)
        changed = await people.by_id(db, 7)
        assert changed is not None and changed.language == "pl"
        schema = await db.fetchone("SELECT sql FROM sqlite_master WHERE name = 'people'")
        assert schema is not None and "'en'" not in schema["sql"]
        assert [r["value"] for r in await db.fetchall("SELECT value FROM answers")] == ["3"]
        async with db.write() as conn:
            await conn.execute("DELETE FROM people WHERE id = 7")
        assert await db.fetchall("SELECT value FROM answers") == []  # still cascades
    finally:
        await db.close()
