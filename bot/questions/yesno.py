"""Yes or no."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from bot.questions.base import Cell, InvalidAnswer, QuestionKind, Tap
from storage.answers import AnswerValue

if TYPE_CHECKING:
    from bot.consultation.questionnaire import Question

# What people type instead of tapping (input, not output: no template needed).
YES = {"ja", "j", "yes", "y"}
NO = {"nein", "n", "no"}
BUTTONS = {"y": True, "n": False}


class YesNo(QuestionKind):
    name = "yesno"
    conditional = True
    counted = True

    def condition_problem(self, value: object, target: str, q: Mapping[str, Any]) -> str | None:
        if not isinstance(value, bool):
            return f"{value!r}: {target!r} is a yes/no question, use true or false"
        return None

    def taps(self, question: Question, value: AnswerValue, lang: str) -> list[list[Tap]]:
        return [
            [
                Tap("answer", "y", word="yes", on=value is True),
                Tap("answer", "n", word="no", on=value is False),
            ]
        ]

    def from_button(self, question: Question, raw: str) -> AnswerValue:
        if raw in BUTTONS:
            return BUTTONS[raw]
        return super().from_button(question, raw)

    def from_text(self, question: Question, typed: str | None, lang: str) -> AnswerValue:
        lowered = (typed or "").strip().lower()
        if lowered in YES | NO:
            return lowered in YES
        raise InvalidAnswer("use_buttons")

    def option_keys(self, question: Question, lang: str) -> list[tuple[str, str]]:
        return [("true", ""), ("false", "")]

    def export_cells(
        self, question: Question | None, value: Any, lang: str, yes_no: Callable[[bool], str]
    ) -> tuple[Cell, Cell]:
        return ("true" if value else "false"), yes_no(bool(value))

    def sample(self, rng: random.Random, question: Question) -> AnswerValue:
        return rng.random() < 0.6


KIND = YesNo()
