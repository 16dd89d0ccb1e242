"""Single choice: one of the options, one button each."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.questions.base import Cell, InvalidAnswer, Tap
from bot.questions.choice import ChoiceKind
from storage.answers import AnswerValue

if TYPE_CHECKING:
    from bot.consultation.questionnaire import Question


class Single(ChoiceKind):
    name = "single"

    def taps(self, question: Question, value: AnswerValue, lang: str) -> list[list[Tap]]:
        return [
            [Tap("answer", o.id, title=o.text.get(lang), on=value == o.id)]
            for o in question.options
        ]

    def from_text(self, question: Question, typed: str | None, lang: str) -> AnswerValue:
        lowered = (typed or "").strip().lower()
        for option in question.options:
            if lowered == option.text.get(lang).lower():
                return option.id
        raise InvalidAnswer("use_buttons")

    def export_cells(
        self, question: Question | None, value: Any, lang: str, yes_no: Callable[[bool], str]
    ) -> tuple[Cell, Cell]:
        option = question.option(str(value)) if question else None
        return str(value), option.text.get(lang) if option else str(value)

    def sample(self, rng: random.Random, question: Question) -> AnswerValue:
        return rng.choice(question.options).id


KIND = Single()
