"""Multiple choice: options ticked one tap at a time, then confirmed with "done"."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.questions.base import Cell, Tap
from bot.questions.choice import ChoiceKind
from storage.answers import AnswerValue

if TYPE_CHECKING:
    from bot.consultation.questionnaire import Question

VALUE_SEPARATOR = "|"  # option ids in the export's answer_value
TEXT_SEPARATOR = "; "  # option texts in the export's answer_text


class Multi(ChoiceKind):
    name = "multi"
    collects = True

    def taps(self, question: Question, value: AnswerValue, lang: str) -> list[list[Tap]]:
        ticked = value if isinstance(value, list) else []
        rows = [
            [Tap("toggle", o.id, title=o.text.get(lang), on=o.id in ticked)]
            for o in question.options
        ]
        return [*rows, [Tap("done")]]

    def export_cells(
        self, question: Question | None, value: Any, lang: str, yes_no: Callable[[bool], str]
    ) -> tuple[Cell, Cell]:
        options = {o.id: o.text.get(lang) for o in question.options} if question else {}
        order = list(options)
        ids = sorted(
            (str(v) for v in value), key=lambda v: order.index(v) if v in order else len(order)
        )
        return VALUE_SEPARATOR.join(ids), TEXT_SEPARATOR.join(options.get(v, v) for v in ids)

    def sample(self, rng: random.Random, question: Question) -> AnswerValue:
        count = min(len(question.options), rng.randint(1, 3))
        return [o.id for o in rng.sample(question.options, count)]


KIND = Multi()
