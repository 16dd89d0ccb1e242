"""The registry of question kinds: the one place that knows which kinds there are.

Everything that treats questions differently by kind (the file's checks, the engine, the
question view, reminders, packs, charts, exports, the demo) asks ``kind_of(question)``.
Adding a kind: a module here with a ``KIND``, its line in ``KINDS`` below, and its partial
``templates/messages/<lang>/questions/<name>.j2`` in every language (tests/test_question_kinds.py
checks all three and round-trips every kind).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.questions import multi, number, rating, single, text, yesno
from bot.questions.base import Cell, InvalidAnswer, QuestionKind, Tap

if TYPE_CHECKING:
    from bot.consultation.questionnaire import Question

__all__ = ["KINDS", "Cell", "InvalidAnswer", "QuestionKind", "Tap", "kind_of", "owners"]

# In the order the file's error messages list them ("allowed: rating, single, ...").
KINDS: dict[str, QuestionKind] = {
    kind.name: kind
    for kind in (rating.KIND, single.KIND, multi.KIND, number.KIND, yesno.KIND, text.KIND)
}


def kind_of(question: Question) -> QuestionKind:
    """The kind of a validated question (its type was checked against KINDS)."""
    return KINDS[question.type]


def owners(key: str) -> list[str]:
    """The kinds that take a kind-specific key of the file ("options", "min" ...)."""
    return [name for name, kind in KINDS.items() if key in kind.keys]


def guess(value: object) -> QuestionKind:
    """The kind a stored value looks like, for an answer whose question left the file."""
    if isinstance(value, bool):
        return yesno.KIND
    if isinstance(value, int | float):
        return number.KIND
    if isinstance(value, list):
        return multi.KIND
    return text.KIND
