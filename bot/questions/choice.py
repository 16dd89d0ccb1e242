"""What single and multiple choice share: options from the file, 2 to 10 of them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from bot.questions.base import QuestionKind
from storage.answers import AnswerValue

if TYPE_CHECKING:
    from bot.consultation.questionnaire import Question
    from bot.consultation.yaml_places import Problem

MIN_OPTIONS, MAX_OPTIONS = 2, 10


class ChoiceKind(QuestionKind):
    keys: ClassVar[frozenset[str]] = frozenset({"options"})
    conditional = True
    counted = True

    def check(self, q: Mapping[str, Any]) -> list[Problem]:
        from bot.consultation.checks import duplicates, items

        problems: list[Problem] = []
        options = q.get("options") or []
        if isinstance(options, list) and not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            problems.append(
                (
                    ("options",),
                    f"a {self.name} question needs {MIN_OPTIONS} to {MAX_OPTIONS} options "
                    f"(has {len(options)})",
                )
            )
        return problems + duplicates(items(options), "option", ("options",))

    def condition_problem(self, value: object, target: str, q: Mapping[str, Any]) -> str | None:
        options = q.get("options")
        option_ids = (
            [o.get("id") for o in options if isinstance(o, dict)]
            if isinstance(options, list)
            else []
        )
        if value not in option_ids or not isinstance(value, str):
            allowed = ", ".join(str(o) for o in option_ids)
            return f"{value!r} is not an option of {target!r} ({allowed})"
        return None

    def from_button(self, question: Question, raw: str) -> AnswerValue:
        """An option id (multi: the option a tap ticks)."""
        if question.option(raw) is not None:
            return raw
        return super().from_button(question, raw)

    def option_keys(self, question: Question, lang: str) -> list[tuple[str, str]]:
        return [(o.id, o.text.get(lang)) for o in question.options]
