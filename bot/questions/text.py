"""Free text, typed in, at most max_length characters (1,000 unless the file says)."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, ClassVar

from bot.questions.base import InvalidAnswer, QuestionKind
from storage.answers import AnswerValue

if TYPE_CHECKING:
    from bot.consultation.questionnaire import Question

SAMPLES = (
    "Online-Terminvergabe für alle Ämter.",
    "Ein gemeinsames Schaufenster der Läden im Netz.",
    "Kostenloses WLAN in der Innenstadt & am Bahnhof <mit Karte>.",
)


class Text(QuestionKind):
    name = "text"
    keys: ClassVar[frozenset[str]] = frozenset({"max_length"})
    quoted = True

    def from_text(self, question: Question, typed: str | None, lang: str) -> AnswerValue:
        if typed is None:
            raise InvalidAnswer("not_text")
        text = typed.strip()
        if not text:
            raise InvalidAnswer("empty_text")
        if len(text) > question.max_length:
            raise InvalidAnswer("too_long", length=len(text), limit=question.max_length)
        return text

    def sample(self, rng: random.Random, question: Question) -> AnswerValue:
        return rng.choice(SAMPLES)


KIND = Text()
