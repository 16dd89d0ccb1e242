"""What a question kind is: one class per kind (``bot.questions.rating`` ...) says how its
questions are checked in the file, asked (buttons), answered (buttons or typed text), counted
in packs, written to exports and sampled by the demo and the benchmark.

Kinds never touch Telegram and hold no user-facing words: buttons are described as ``Tap``s
that ``handlers.question_view`` turns into labelled buttons, and every word a kind needs is a
macro of its template partial ``templates/messages/<lang>/questions/<kind>.j2``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from storage.answers import AnswerValue

if TYPE_CHECKING:
    from bot.consultation.questionnaire import Question
    from bot.consultation.yaml_places import Problem

Cell = str | int | float | None
# The keys of a question in the file that belong to some kinds only.
KIND_KEYS = ("options", "min", "max", "max_length", "low_label", "high_label")


class InvalidAnswer(Exception):
    """An answer that does not fit its question; `reason` names the message to show."""

    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params: dict[str, Any] = params


@dataclass(frozen=True)
class Tap:
    """One answer button: ``answer`` stores ``raw`` at once, ``toggle`` ticks the option
    ``raw``, ``done`` confirms the ticks. The label is ``title`` (text from the file) or the
    message named ``word`` (e.g. "yes"), marked when ``on``."""

    step: Literal["answer", "toggle", "done"]
    raw: str | int = ""
    title: str = ""
    word: str = ""
    on: bool = False


class QuestionKind:
    """The behaviour shared by every kind; a kind overrides what it does differently."""

    name: ClassVar[str]
    keys: ClassVar[frozenset[str]] = frozenset()  # of KIND_KEYS, those this kind takes
    conditional: ClassVar[bool] = False  # may be the target of a later question's show_if
    collects: ClassVar[bool] = False  # answered by several ticks, then "done"
    counted: ClassVar[bool] = False  # packs show its answers as a distribution (chart + table)
    summarised: ClassVar[bool] = False  # packs show mean, median and range
    quoted: ClassVar[bool] = False  # packs quote its answers (free text)
    numeric_input: ClassVar[bool] = False  # typed as a number (the demo mistypes one sometimes)

    # ---------------------------------------------------------------- the consultation file
    def check(self, q: Mapping[str, Any]) -> list[Problem]:
        """Problems of the kind's own keys in a question's raw YAML mapping."""
        return []

    def condition_problem(self, value: object, target: str, q: Mapping[str, Any]) -> str | None:
        """Why ``value`` in a ``show_if: equals:`` list can never match question ``q``."""
        return None

    # ---------------------------------------------------------------- asking and answering
    def taps(self, question: Question, value: AnswerValue, lang: str) -> list[list[Tap]]:
        """The answer buttons, the current answer (or ticks) marked; none for typed kinds."""
        return []

    def from_button(self, question: Question, raw: str) -> AnswerValue:
        """The answer a button payload stands for; InvalidAnswer if no such button exists."""
        raise InvalidAnswer("stale_button")

    def from_text(self, question: Question, typed: str | None, lang: str) -> AnswerValue:
        """Typed input (None: a sticker, photo ...) as an answer, or InvalidAnswer."""
        raise InvalidAnswer("use_buttons")

    def as_typed(self, value: AnswerValue, lang: str) -> str:
        """How a person types this answer (the demo types it)."""
        return str(value)

    # ---------------------------------------------------------------- results
    def option_keys(self, question: Question, lang: str) -> list[tuple[str, str]]:
        """The bars of its distribution: (key as counted in SQL, label; "" = the template's
        word for the key, macro ``option_label`` of the kind's partial)."""
        return []

    def export_cells(
        self, question: Question | None, value: Any, lang: str, yes_no: Callable[[bool], str]
    ) -> tuple[Cell, Cell]:
        """(answer_value, answer_text) of a stored answer in the exports."""
        return str(value), str(value)

    def sample(self, rng: random.Random, question: Question) -> AnswerValue:
        """A plausible answer (benchmarks, tests, the demo's default)."""
        raise NotImplementedError
