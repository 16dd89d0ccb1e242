"""Number: a whole number typed in, within min and max (0 to 100,000 unless the file says)."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from bot.questions.base import Cell, InvalidAnswer, QuestionKind
from bot.texts import format_number
from storage.answers import AnswerValue

if TYPE_CHECKING:
    from bot.consultation.questionnaire import Question
    from bot.consultation.yaml_places import Problem

MIN_DEFAULT = 0
MAX_DEFAULT = 100_000
_NUMBER = re.compile(r"^[+-]?\d{1,3}([.\s']\d{3})+$|^[+-]?\d+$")


class Number(QuestionKind):
    name = "number"
    keys: ClassVar[frozenset[str]] = frozenset({"min", "max"})
    summarised = True
    numeric_input = True

    def check(self, q: Mapping[str, Any]) -> list[Problem]:
        lo, hi = q.get("min"), q.get("max")
        lo = MIN_DEFAULT if lo is None else lo
        hi = MAX_DEFAULT if hi is None else hi
        if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
            return [(("max",), f"max ({hi}) is smaller than min ({lo})")]
        return []

    def from_text(self, question: Question, typed: str | None, lang: str) -> AnswerValue:
        low, high = question.min_value, question.max_value
        text = (typed or "").strip()
        if not _NUMBER.match(text):
            raise InvalidAnswer("not_a_number", low=low, high=high)
        number = int(re.sub(r"[.\s']", "", text))
        if not low <= number <= high:
            raise InvalidAnswer("out_of_range", low=low, high=high)
        return number

    def export_cells(
        self, question: Question | None, value: Any, lang: str, yes_no: Callable[[bool], str]
    ) -> tuple[Cell, Cell]:
        number = int(value) if float(value).is_integer() else value
        return number, format_number(number, lang)

    def sample(self, rng: random.Random, question: Question) -> AnswerValue:
        return rng.randint(question.min_value, min(question.max_value, 60))


KIND = Number()
