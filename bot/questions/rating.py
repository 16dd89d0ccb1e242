"""Rating: 1 to 5 on a scale whose ends the file may name (low_label, high_label)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from bot.questions.base import Cell, InvalidAnswer, QuestionKind, Tap
from bot.texts import format_number
from storage.answers import AnswerValue

if TYPE_CHECKING:
    from bot.consultation.questionnaire import Question

VALUES = range(1, 6)


class Rating(QuestionKind):
    name = "rating"
    keys: ClassVar[frozenset[str]] = frozenset({"low_label", "high_label"})
    conditional = True
    counted = True
    summarised = True

    def condition_problem(self, value: object, target: str, q: Mapping[str, Any]) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int) or value not in VALUES:
            return f"{value!r} is no rating; {target!r} is answered 1 to 5"
        return None

    def taps(self, question: Question, value: AnswerValue, lang: str) -> list[list[Tap]]:
        return [[Tap("answer", n, title=str(n), on=value == n) for n in VALUES]]

    def from_button(self, question: Question, raw: str) -> AnswerValue:
        if raw.isdigit() and int(raw) in VALUES:
            return int(raw)
        return super().from_button(question, raw)

    def from_text(self, question: Question, typed: str | None, lang: str) -> AnswerValue:
        text = (typed or "").strip()
        if text.isdigit() and int(text) in VALUES:
            return int(text)
        raise InvalidAnswer("use_buttons")

    def option_keys(self, question: Question, lang: str) -> list[tuple[str, str]]:
        return [(str(n), str(n)) for n in VALUES]

    def export_cells(
        self, question: Question | None, value: Any, lang: str, yes_no: Callable[[bool], str]
    ) -> tuple[Cell, Cell]:
        return value, format_number(value, lang)

    def sample(self, rng: random.Random, question: Question) -> AnswerValue:
        return rng.choices(list(VALUES), weights=[2, 4, 5, 3, 1])[0]


KIND = Rating()
