"""Questionnaire rules without Telegram: who sees what, what is next, what an answer means."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from bot.consultation.model import Consultation
from bot.consultation.questionnaire import Question, Questionnaire
from bot.questions import InvalidAnswer
from storage.answers import Answer, AnswerValue

__all__ = ["AnswerValue", "InvalidAnswer", "Progress"]


@dataclass(frozen=True)
class Progress:
    """Where a person stands in one questionnaire."""

    questionnaire: Questionnaire
    answered: int
    total: int
    started: bool
    completed: bool
    next_question: Question | None = field(default=None)


def values_of(answers: Mapping[str, Answer]) -> dict[str, AnswerValue]:
    """The answer values by question id."""
    return {qid: a.value for qid, a in answers.items()}


def is_visible(question: Question, values: Mapping[str, AnswerValue]) -> bool:
    """A question is shown unless its condition points at an answer that does not match."""
    condition = question.show_if
    if condition is None:
        return True
    given = values.get(condition.question)
    return given is not None and condition.matches(given)


def visible_questions(
    questionnaire: Questionnaire, answers: Mapping[str, Answer]
) -> list[Question]:
    """The questions this person is asked, given the answers so far.

    Conditions look only at answers to questions that are themselves shown, so hiding one
    question also hides those that depended on it.
    """
    values: dict[str, AnswerValue] = {}
    shown = []
    for question in questionnaire.questions:
        if is_visible(question, values):
            shown.append(question)
            if question.id in answers:
                values[question.id] = answers[question.id].value
    return shown


def hidden_answers(questionnaire: Questionnaire, answers: Mapping[str, Answer]) -> list[str]:
    """Answered questions that an answer changed later has taken out of the questionnaire."""
    shown = {q.id for q in visible_questions(questionnaire, answers)}
    return [qid for qid in answers if qid not in shown]


def first_open(questionnaire: Questionnaire, answers: Mapping[str, Answer]) -> Question | None:
    """The first question shown but not yet answered or skipped; None when complete."""
    for question in visible_questions(questionnaire, answers):
        if question.id not in answers:
            return question
    return None


def previous_question(
    questionnaire: Questionnaire, answers: Mapping[str, Answer], question_id: str
) -> Question | None:
    """The shown question before question_id, if any."""
    shown = visible_questions(questionnaire, answers)
    ids = [q.id for q in shown]
    if question_id not in ids:
        return None
    index = ids.index(question_id)
    return shown[index - 1] if index > 0 else None


def position(
    questionnaire: Questionnaire, answers: Mapping[str, Answer], question_id: str
) -> tuple[int, int]:
    """(number of this question among those shown, how many are shown)."""
    ids = [q.id for q in visible_questions(questionnaire, answers)]
    number = ids.index(question_id) + 1 if question_id in ids else len(ids)
    return number, len(ids)


def progress(
    questionnaire: Questionnaire, answers: Mapping[str, Answer], started: bool
) -> Progress:
    """How far a person is in a questionnaire."""
    shown = visible_questions(questionnaire, answers)
    answered = sum(1 for q in shown if q.id in answers)
    nxt = first_open(questionnaire, answers)
    return Progress(questionnaire, answered, len(shown), started, nxt is None, nxt)


def available(
    consultation: Consultation, group_id: str | None, fields: tuple[str, ...], today: date
) -> list[Questionnaire]:
    """Open questionnaires meant for this group and these action fields."""
    return [
        qn
        for qn in consultation.questionnaires
        if group_id in qn.groups
        and (qn.action_field is None or qn.action_field in fields)
        and qn.is_open(today)
    ]


def may_answer(questionnaire: Questionnaire, group_id: str | None, fields: tuple[str, ...]) -> bool:
    """Whether a person of this group and these fields is asked this questionnaire."""
    return group_id in questionnaire.groups and (
        questionnaire.action_field is None or questionnaire.action_field in fields
    )


def button_value(question: Question, raw: str) -> AnswerValue:
    """The answer a button payload stands for; InvalidAnswer if no such button exists."""
    return question.kind.from_button(question, raw)


def typed_value(question: Question, typed: str | None, lang: str) -> AnswerValue:
    """Typed input (None for a sticker, photo ...) as an answer to question, or InvalidAnswer."""
    return question.kind.from_text(question, typed, lang)


def toggle(current: AnswerValue, option_id: str) -> list[str]:
    """A multiple-choice selection with option_id switched on or off."""
    selected = list(current) if isinstance(current, list) else []
    if option_id in selected:
        selected.remove(option_id)
    else:
        selected.append(option_id)
    return selected
