"""The languages the bot speaks, declared once.

Adding a language: its line in ``LANGUAGES`` and its catalogue ``templates/messages/<code>.yaml``
(German text of the templates ``templates/messages/*.j2`` -> translation; a test names every
missing or stale entry). Nothing else: the database takes any declared code, the consultation
file may then give its texts in it (``title: {de: ..., <code>: ...}``), the language buttons,
the command menu and the guess from Telegram's client language follow this list, and a test
checks that every declared language has every message German has.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """How a language writes numbers and dates."""

    code: str
    thousands: str  # 1.234 or 1,234
    decimal: str  # 0,5 or 0.5
    day: str  # strftime format of a date
    unpadded_day: bool = False  # "5 Feb 2027" rather than "05 Feb 2027"


LANGUAGES: dict[str, Language] = {
    "de": Language("de", thousands=".", decimal=",", day="%d.%m.%Y"),
    "en": Language("en", thousands=",", decimal=".", day="%d %b %Y", unpadded_day=True),
}
DEFAULT_LANGUAGE = "de"  # every text exists in it; the consultation file must give it


def language(code: str) -> Language:
    """The declared language ``code``, the default one for anything else."""
    return LANGUAGES.get(code) or LANGUAGES[DEFAULT_LANGUAGE]


def from_client(code: str | None) -> str:
    """The declared language of Telegram's client language ("en-GB" -> "en"), else default."""
    base = (code or "").split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE
