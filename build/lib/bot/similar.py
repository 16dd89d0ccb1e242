"""Whether two problem titles name the same problem: a plain rule anyone can check by hand.

A title is normalised first: lower case, umlauts folded (ä → ae, ß → ss), punctuation dropped,
small words left out ("im", "der", "zu", ...; complaint words such as "kein" or "fehlt" count
as small words), and common German endings cut from longer words ("langsames" → "langsam").
Two titles are alike when their normalised words are the same set, when most of the words are
shared (at least ``MIN_OVERLAP`` of them; Jaccard), or when the normalised texts read almost
the same letter by letter (``difflib`` ratio of at least ``MIN_RATIO``, which catches typos).
No model, nothing downloaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from difflib import SequenceMatcher
from typing import TypeVar

MIN_RATIO = 0.86  # letter-by-letter likeness of the normalised titles
MIN_OVERLAP = 0.75  # shared words among all words (Jaccard), for titles of two words or more
# Before filing, the bot offers an existing report that merely resembles the new title: the
# person decides, so a looser bar than for grouping reports in the pack is right.
MIN_OFFER = 0.7
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e"})
_WORD = re.compile(r"[a-z0-9]+")
_ENDINGS = ("es", "en", "em", "er", "e", "s", "n")
_MIN_STEM = 5
STOP_WORDS = frozenset(
    """
    a ab am an auch auf aus bei beim bin bis da das dass dem den der des die doch durch ein eine
    einem einen einer eines es fehlen fehlend fehlende fehlt fuer gibt hat im immer in ins ist
    kein keine keinen leider man mit nach nicht noch nur ob oder oft so sehr sich sind ueber um
    und uns unser unsere vom von vor war was wie wir zu zum zur
    an and are at by for in is it no not of on or the to too with
    """.split()  # noqa: SIM905 - a word list reads best as words
)

T = TypeVar("T")


def _stem(word: str) -> str:
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            return word[: -len(ending)]
    return word


def words(title: str) -> tuple[str, ...]:
    """The title's meaningful words, normalised (the basis of every comparison)."""
    folded = title.casefold().translate(_FOLD)
    found = [w for w in _WORD.findall(folded) if w not in STOP_WORDS]
    return tuple(_stem(w) for w in found)


def likeness(a: str, b: str) -> float:
    """How alike two titles are, 0 to 1: the higher of word overlap and letter likeness."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return 1.0 if a.strip().casefold() == b.strip().casefold() else 0.0
    sa, sb = set(wa), set(wb)
    overlap = len(sa & sb) / len(sa | sb) if min(len(sa), len(sb)) >= 2 or sa == sb else 0.0
    ratio = SequenceMatcher(None, " ".join(sorted(sa)), " ".join(sorted(sb))).ratio()
    return max(overlap, ratio)


def alike(a: str, b: str) -> bool:
    """Whether two titles name the same problem (see the module's rule)."""
    wa, wb = set(words(a)), set(words(b))
    if wa and wa == wb:
        return True
    if not wa or not wb:
        return a.strip().casefold() == b.strip().casefold()
    shared = len(wa & wb) / len(wa | wb)
    if min(len(wa), len(wb)) >= 2 and shared >= MIN_OVERLAP:
        return True
    return SequenceMatcher(None, " ".join(sorted(wa)), " ".join(sorted(wb))).ratio() >= MIN_RATIO


def group(items: Iterable[T], title: Callable[[T], str]) -> list[list[T]]:
    """Items grouped by alike titles, in their given order: each item joins the first group
    whose first item's title it is alike to (so a ranking stays a ranking)."""
    groups: list[list[T]] = []
    for item in items:
        text = title(item)
        home = next((g for g in groups if alike(title(g[0]), text)), None)
        if home is None:
            groups.append([item])
        else:
            home.append(item)
    return groups


def best_match(title: str, candidates: Sequence[T], title_of: Callable[[T], str]) -> T | None:
    """The candidate likest to title, if it resembles it (alike, or likeness of at least
    MIN_OFFER); the first one on a tie, so pass the candidates most shared first."""
    scored = [(likeness(title_of(c), title), -n, c) for n, c in enumerate(candidates)]
    fitting = [s for s in scored if s[0] >= MIN_OFFER or alike(title_of(s[2]), title)]
    if not fitting:
        return None
    return max(fitting, key=lambda s: (s[0], s[1]))[2]
