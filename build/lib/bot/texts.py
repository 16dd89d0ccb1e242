"""Every user-facing text: Jinja2 macros in templates/messages/<lang>.j2, autoescaped."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.runtime import Macro

from bot.resources import TEMPLATES_DIR

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"
KIND_PARTIALS = "questions"  # messages/<lang>/questions/<kind>.j2, imported by the messages
TELEGRAM_TEXT_LIMIT = 4096
_BLANK_LINES = re.compile(r"\n{3,}")


def build_environment(templates_dir: Path = TEMPLATES_DIR) -> Environment:
    """The one Jinja2 environment: autoescape on, tidy whitespace, strict undefined."""
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )
    env.filters["number"] = format_number
    env.filters["day"] = format_day
    return env


def format_number(value: int | float, lang: str = DEFAULT_LANGUAGE) -> str:
    """1234.5 -> '1.234,5' in German, '1,234.5' in English."""
    text = (
        f"{value:,.1f}"
        if isinstance(value, float) and not value.is_integer()
        else f"{int(value):,}"
    )
    if lang == "de":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_day(value: date, lang: str = DEFAULT_LANGUAGE) -> str:
    """A date as people write it: 15.02.2027 in German, 15 Feb 2027 in English."""
    if lang == "de":
        return value.strftime("%d.%m.%Y")
    return value.strftime("%d %b %Y").lstrip("0")


class Texts:
    """Renders named message macros per language.

    A language's messages are `messages/<lang>.j2` plus one file per feature,
    `messages/<lang>/<feature>.j2`; a name defined twice is an error. The partials of the
    question kinds (`messages/<lang>/questions/<kind>.j2`) are imported by the messages.
    """

    def __init__(self, env: Environment | None = None) -> None:
        self.env = env or build_environment()
        self._macros = {lang: self._load(lang) for lang in LANGUAGES}

    def _load(self, lang: str) -> dict[str, Macro]:
        features = sorted(
            name
            for name in self.env.list_templates(extensions=["j2"])
            if name.startswith(f"messages/{lang}/")
            and not name.startswith(f"messages/{lang}/{KIND_PARTIALS}/")
        )
        files = [f"messages/{lang}.j2", *features]
        macros: dict[str, Macro] = {}
        for file in files:
            module = self.env.get_template(file).module
            for name in dir(module):
                macro = getattr(module, name)
                if not isinstance(macro, Macro):
                    continue
                if name in macros:
                    raise ValueError(f"message {name!r} is defined twice ({file})")
                macros[name] = macro
        return macros

    def macro(self, lang: str, name: str) -> Macro:
        """The macro `name` in language `lang` (German when the language is unknown)."""
        macros = self._macros.get(lang, self._macros[DEFAULT_LANGUAGE])
        if name not in macros:
            raise KeyError(f"no message {name!r} in messages/{lang}")
        return macros[name]

    def render(self, lang: str, name: str, **context: Any) -> str:
        """The message `name` as Telegram HTML, blank runs collapsed."""
        macro = self.macro(lang, name)
        if "lang" in macro.arguments:
            context.setdefault("lang", lang)
        text = str(macro(**context))
        return _BLANK_LINES.sub("\n\n", text).strip()

    def render_plain(self, lang: str, name: str, **context: Any) -> str:
        """The message `name` as plain text (for button labels, which Telegram does not parse)."""
        return html.unescape(self.render(lang, name, **context))

    def names(self, lang: str) -> set[str]:
        """All message names defined for a language."""
        return set(self._macros[lang])


def split_message(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split HTML text at blank lines (or lines) into parts Telegram accepts."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for block in text.split("\n"):
        candidate = f"{current}\n{block}" if current else block
        if len(candidate) > limit and current:
            parts.append(current)
            current = block
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts
