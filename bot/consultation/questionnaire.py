"""Questions and questionnaires of a consultation file, with the checks a model built in code
is held to (the same ``check_*`` functions that check the raw YAML, ``bot.consultation.checks``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from bot.consultation.checks import check_question, check_questionnaire
from bot.consultation.fields import (
    OPTION_ID,
    QUESTION_ID,
    QUESTIONNAIRE_ID,
    I18n,
    Model,
    QuestionType,
    YamlDate,
    raise_problems,
)
from bot.consultation.yaml_places import Problem
from bot.questions import KINDS, QuestionKind
from bot.questions.number import MAX_DEFAULT, MIN_DEFAULT

QuestionnaireKind = Literal[
    "status_quo", "best_practice", "goals", "training_demand", "training_supply", "other"
]


class Option(Model):
    id: Annotated[str, Field(pattern=OPTION_ID)]
    text: I18n


def _norm(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class ShowIf(Model):
    """Show a question only if an earlier answer is one of ``equals`` (multi: any overlap)."""

    question: str
    equals: Annotated[list[str | int | bool], Field(min_length=1)]

    def matches(self, answer: object) -> bool:
        """Whether a stored answer (int, str, bool, list[str] or None) satisfies this condition.

        Values are compared in normalised form, so ``1`` matches ``"1"`` and ``True``
        matches ``"true"``.
        """
        if answer is None:
            return False
        wanted = {_norm(v) for v in self.equals}
        if isinstance(answer, list | tuple | set | frozenset):
            return any(_norm(a) in wanted for a in answer)
        return _norm(answer) in wanted


class Question(Model):
    id: Annotated[str, Field(pattern=QUESTION_ID)]
    type: QuestionType
    text: I18n
    help: I18n | None = None
    required: bool = True
    options: list[Option] = Field(default_factory=list)
    min: int | None = None
    max: int | None = None
    max_length: Annotated[int, Field(ge=1, le=3000)] = 1000
    low_label: I18n | None = None
    high_label: I18n | None = None
    show_if: ShowIf | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        raise_problems(check_question(self.model_dump(exclude_unset=True)))
        return self

    @property
    def kind(self) -> QuestionKind:
        """How questions of this type are asked, answered and counted (bot.questions)."""
        return KINDS[self.type]

    @property
    def min_value(self) -> int:
        return MIN_DEFAULT if self.min is None else self.min

    @property
    def max_value(self) -> int:
        return MAX_DEFAULT if self.max is None else self.max

    def option(self, oid: str) -> Option | None:
        """The option with id ``oid`` (callback data is untrusted: look it up, never index)."""
        return next((o for o in self.options if o.id == oid), None)


class Reminders(Model):
    """When a questionnaire reminds those who have not finished it (all optional)."""

    days_before_close: Annotated[
        list[Annotated[int, Field(ge=0, le=365)]], Field(max_length=10)
    ] = Field(default_factory=lambda: [7, 2])
    max: Annotated[int, Field(ge=0, le=10)] = 2  # at most this many per person
    min_gap_days: Annotated[int, Field(ge=0, le=60)] = 3  # at least this many days apart

    @model_validator(mode="after")
    def _consistent(self) -> Reminders:
        seen: set[int] = set()
        problems: list[Problem] = []
        for k, days in enumerate(self.days_before_close):
            if days in seen:
                problems.append((("days_before_close", k), f"{days} is listed twice"))
            seen.add(days)
        raise_problems(problems)
        return self


class Questionnaire(Model):
    id: Annotated[str, Field(pattern=QUESTIONNAIRE_ID)]
    kind: QuestionnaireKind
    title: I18n
    intro: I18n | None = None
    action_field: str | None = None
    groups: Annotated[list[str], Field(min_length=1)]
    opens: YamlDate
    closes: YamlDate
    questions: Annotated[list[Question], Field(min_length=1, max_length=40)]
    reminders: Reminders = Field(default_factory=Reminders)

    @model_validator(mode="after")
    def _consistent(self) -> Questionnaire:
        data = self.model_dump(exclude_unset=True)
        raise_problems(check_questionnaire(data, deep=False))
        return self

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    def is_open(self, today: date) -> bool:
        return self.opens <= today <= self.closes
