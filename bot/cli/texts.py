"""The command line's words: Jinja2 macros in templates/cli/*.j2, one file per command group.

They are written as the command line has always spoken: German with English in brackets, since
the people running ``agenda-bot`` on a server may read either and there is no language to choose
(``status --lang`` picks the language of the /status report only); a few technical lines that
were English only stay English. Plain text for a terminal, so nothing is HTML-escaped.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2.runtime import Macro

from bot.resources import TEMPLATES_DIR
from bot.texts import build_environment

FOLDER = "cli"


@cache
def macros(templates_dir: Path = TEMPLATES_DIR) -> dict[str, Macro]:
    """Every macro of templates/cli by name (a name defined twice is an error); read once."""
    env = build_environment(templates_dir)
    env.autoescape = False  # a terminal, not Telegram's HTML: 'name' stays 'name'
    env.filters["repr"] = repr  # names quoted as the program quotes them: 'Café' or "Zur 'Post'"
    found: dict[str, Macro] = {}
    for file in env.list_templates(filter_func=_in_folder):
        module = env.get_template(file).module
        for name in dir(module):
            macro = getattr(module, name)
            if not isinstance(macro, Macro):
                continue
            if name in found:
                raise ValueError(f"CLI text {name!r} is defined twice ({file})")
            found[name] = macro
    return found


def _in_folder(name: str) -> bool:
    return name.startswith(f"{FOLDER}/") and name.endswith(".j2")


def text(name: str, /, **context: Any) -> str:
    """The text `name`, its leading and trailing line breaks removed."""
    return str(macros()[name](**context)).strip("\n")
