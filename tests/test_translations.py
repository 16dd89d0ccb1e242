"""Messages are written once, in German; every other declared language translates each text
in its catalogue (templates/messages/<lang>.yaml): nothing missing, nothing stale, the same
placeholders."""

from __future__ import annotations

from bot import languages
from bot.resources import TEMPLATES_DIR
from bot.texts import Texts, build_environment
from bot.translations import load_catalogue, placeholders, template_messages


def _messages() -> dict[str, str | tuple[str, ...]]:
    env = build_environment()
    found: dict[str, str | tuple[str, ...]] = {}
    for path in sorted((TEMPLATES_DIR / "messages").rglob("*.j2")):
        for message in template_messages(env.parse(path.read_text(encoding="utf-8"))):
            found[message[0] if isinstance(message, tuple) else message] = message
    return found


def test_every_catalogue_translates_every_text_and_nothing_else() -> None:
    messages = _messages()
    assert messages
    for code in languages.LANGUAGES:
        if code == languages.DEFAULT_LANGUAGE:
            continue
        catalogue = load_catalogue(TEMPLATES_DIR, code)
        assert sorted(set(messages) - set(catalogue)) == [], f"{code}: missing"
        assert sorted(set(catalogue) - set(messages)) == [], f"{code}: stale"
        for key, message in messages.items():
            german = message[-1] if isinstance(message, tuple) else message
            entry = catalogue[key]
            forms = [entry] if isinstance(entry, str) else entry
            if isinstance(message, tuple):
                assert len(forms) == 2, (code, key)
            for form in forms:
                assert placeholders(form) - {"num"} == placeholders(german) - {"num"}, (code, key)


def test_a_shared_message_renders_in_each_language_with_its_words_and_numbers() -> None:
    texts = Texts()
    assert texts.render("de", "render_queued", place=1234) == (
        "⏳ Wird erstellt – Platz 1234 in der Warteschlange. Gerade entstehen andere Unterlagen;"
        " Ihre kommen gleich danach."
    )
    english = texts.render("en", "plan_invalid", errors=["<b>"], more=2)
    assert english.startswith("The published plan does not fit")
    assert "<code>&lt;b&gt;</code>" in english and english.endswith("… and 2 more.")
