"""Every user-facing text: Jinja2 macros in templates/messages/*.j2, autoescaped.

The macros are written once, in German, with the words in ``_()`` / ``ngettext()`` calls; each
other language translates them in its catalogue ``templates/messages/<lang>.yaml``
(bot/translations.py). One template module per language carries its catalogue and its code.
"""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context, Macro

from bot.commands import STAFF_ALIASES, STAFF_COMMANDS, public_commands
from bot.languages import DEFAULT_LANGUAGE, language
from bot.languages import LANGUAGES as DECLARED
from bot.resources import TEMPLATES_DIR
from bot.translations import CATALOGUE_VAR, gettext, load_catalogue, ngettext, strftime

LANGUAGES = tuple(DECLARED)  # bot/languages.py declares them
MESSAGES = "messages"  # messages/*.j2: the messages, one file per feature
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
    env.filters["number"] = _number
    env.filters["day"] = _day
    env.filters["strftime"] = strftime
    # German unless a template module carries another language's catalogue (Texts does)
    env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)
    # the commands, listed once in bot/commands.py: the help message lists them
    env.globals.update(
        public_commands=public_commands, staff_commands=STAFF_COMMANDS, staff_aliases=STAFF_ALIASES
    )
    return env


def _lang(context: Context, lang: str | None) -> str:
    given = lang or context.get("lang")
    return given if isinstance(given, str) else DEFAULT_LANGUAGE


@pass_context
def _number(
    context: Context, value: int | float, lang: str | None = None, digits: int | None = None
) -> str:
    return format_number(value, _lang(context, lang), digits)


@pass_context
def _day(context: Context, value: date, lang: str | None = None) -> str:
    return format_day(value, _lang(context, lang))


def format_number(
    value: int | float, lang: str = DEFAULT_LANGUAGE, digits: int | None = None
) -> str:
    """1234.5 -> '1.234,5' in German, '1,234.5' in English; `digits` fixes the decimals (4.0)."""
    if digits is not None:
        text = f"{value:,.{digits}f}"
    elif isinstance(value, float) and not value.is_integer():
        text = f"{value:,.1f}"
    else:
        text = f"{int(value):,}"
    style = language(lang)
    return text.replace(",", "\x00").replace(".", style.decimal).replace("\x00", style.thousands)


def format_day(value: date, lang: str = DEFAULT_LANGUAGE) -> str:
    """A date as people write it: 15.02.2027 in German, 15 Feb 2027 in English."""
    style = language(lang)
    text = value.strftime(style.day)
    return text.lstrip("0") if style.unpadded_day else text


def module_vars(lang: str, templates_dir: Path = TEMPLATES_DIR) -> dict[str, Any]:
    """What a template module of language `lang` carries: its catalogue and its code, which
    `_()`, `ngettext()` and the `number`, `day` and `strftime` filters follow."""
    return {"lang": lang, CATALOGUE_VAR: load_catalogue(templates_dir, lang)}


def template_module(env: Environment, name: str, lang: str) -> Any:
    """The template `name` as a module in language `lang` (for a file read outside Texts)."""
    return env.get_template(name).make_module(vars=module_vars(lang))


class Texts:
    """Renders named message macros per language.

    The messages are `messages/<feature>.j2`, written once; each language gets its own module of
    every file, carrying its catalogue (`messages/<lang>.yaml`) and its code (`lang`, which the
    `number`, `day` and `strftime` filters follow). A name defined twice is an error.
    """

    def __init__(self, env: Environment | None = None, templates_dir: Path = TEMPLATES_DIR) -> None:
        self.env = env or build_environment(templates_dir)
        self.templates_dir = templates_dir
        self._macros = {lang: self._load(lang) for lang in LANGUAGES}

    def _files(self) -> list[str]:
        """The message files: messages/<feature>.j2. The kinds' partials in messages/questions/
        are imported by them, not messages of their own; a messages/<lang>.j2 is skipped: the
        per-language files are gone, but an old build/ directory still puts them in a wheel."""
        return sorted(
            name
            for name in self.env.list_templates(extensions=["j2"])
            if name.count("/") == 1
            and name.startswith(f"{MESSAGES}/")
            and name.removeprefix(f"{MESSAGES}/").removesuffix(".j2") not in LANGUAGES
        )

    def _load(self, lang: str) -> dict[str, Macro]:
        variables = module_vars(lang, self.templates_dir)
        macros: dict[str, Macro] = {}
        for file in self._files():
            module = self.env.get_template(file).make_module(vars=variables)
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
