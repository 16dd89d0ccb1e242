"""How questionnaires look in the chat: the list, one question with its buttons, the summary."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Message, Update

from bot import awaiting, engine
from bot.awaiting import QuestionAnswer, expect
from bot.callbacks import CallbackData
from bot.consultation.questionnaire import Question, Questionnaire
from bot.context import AgendaContext
from bot.keys import OptionKey, QuestionKey, QuestionnaireKey
from bot.questions import Tap
from handlers.common import (
    Button,
    Menu,
    chunks,
    label,
    menu_buttons,
    send,
    send_text,
    show_in_place,
    text,
)
from storage import answers as answer_store
from storage.answers import Answer
from storage.people import Person


@dataclass(frozen=True)
class OpenQuestionnaire(CallbackData, prefix="Q"):
    """A questionnaire from the list: its intro and first open question, or its summary."""

    questionnaire: QuestionnaireKey


@dataclass(frozen=True)
class FinishQuestionnaire(CallbackData, prefix="X"):
    """Done with a questionnaire (from its summary)."""

    questionnaire: QuestionnaireKey


@dataclass(frozen=True)
class QuestionButton(CallbackData):
    """Base of the buttons under a question: they name the questionnaire and the question."""

    questionnaire: QuestionnaireKey
    question: QuestionKey


@dataclass(frozen=True)
class Choice(QuestionButton, prefix="A"):
    """A button answer: a rating, y/n, or a single choice's option id."""

    value: OptionKey


@dataclass(frozen=True)
class Toggle(QuestionButton, prefix="T"):
    """One option of a multiple-choice question ticked or unticked."""

    option: OptionKey


@dataclass(frozen=True)
class MultiDone(QuestionButton, prefix="D"):
    """A multiple-choice selection confirmed."""


@dataclass(frozen=True)
class Back(QuestionButton, prefix="B"):
    """The question before this one."""


@dataclass(frozen=True)
class Skip(QuestionButton, prefix="S"):
    """Skip an optional question."""


@dataclass(frozen=True)
class Edit(QuestionButton, prefix="E"):
    """Change this answer (from the summary)."""


async def show_list(update: Update, context: AgendaContext, person: Person) -> None:
    """The open questionnaires for this person, with their progress, as buttons."""
    services = context.services
    lang = person.language
    open_ones = engine.available(
        services.consultation, person.group_id, person.fields, services.today()
    )
    if not open_ones:
        await send(
            update,
            context,
            lang,
            "survey_none",
            [[(label(context, lang, "profile"), Menu("profile").pack())]],
        )
        return
    started = await answer_store.responses_of(services.db, person.id)
    items = []
    for qn in open_ones:
        given = await answer_store.answers_of(services.db, person.id, qn.id)
        items.append(engine.progress(qn, given, qn.id in started))
    buttons: list[list[Button]] = [
        [
            (
                label(context, lang, "questionnaire", item=item),
                OpenQuestionnaire(item.questionnaire.id).pack(),
            )
        ]
        for item in items
    ]
    await send(update, context, lang, "survey_list", buttons, items=items)


async def resume_questionnaire(update: Update, context: AgendaContext, person: Person) -> None:
    """Open the first unfinished questionnaire (started ones first), or say all is done."""
    services = context.services
    open_ones = engine.available(
        services.consultation, person.group_id, person.fields, services.today()
    )
    started = await answer_store.responses_of(services.db, person.id)
    for qn in sorted(open_ones, key=lambda qn: qn.id not in started):
        given = await answer_store.answers_of(services.db, person.id, qn.id)
        question = engine.first_open(qn, given)
        if question is not None:
            await answer_store.start(services.db, person.id, qn.id, now=services.clock())
            await show_question(update, context, person, qn, question, given)
            return
    await send(
        update, context, person.language, "all_done", menu_buttons(context, person.language, person)
    )


def question_buttons(
    context: AgendaContext,
    lang: str,
    qn: Questionnaire,
    question: Question,
    value: engine.AnswerValue,
    has_previous: bool,
) -> list[list[Button]]:
    """The answer buttons of a question (the current answer marked) and back / skip."""
    rows = [
        [_button(context, lang, qn, question, tap) for tap in row]
        for row in question.kind.taps(question, value, lang)
    ]
    nav: list[Button] = []
    if has_previous:
        nav.append((label(context, lang, "back"), Back(qn.id, question.id).pack()))
    if not question.required:
        nav.append((label(context, lang, "skip"), Skip(qn.id, question.id).pack()))
    rows.append(nav)
    return rows


def _button(
    context: AgendaContext, lang: str, qn: Questionnaire, question: Question, tap: Tap
) -> Button:
    """A kind's answer button (bot.questions.Tap) with its label and payload."""
    title = tap.title or (text(context, lang, tap.word) if tap.word else "")
    if tap.step == "toggle":
        return (
            label(context, lang, "toggle", title=title, on=tap.on),
            Toggle(qn.id, question.id, str(tap.raw)).pack(),
        )
    if tap.step == "done":
        return (label(context, lang, "done"), MultiDone(qn.id, question.id).pack())
    return (
        label(context, lang, "choice", title=title, on=tap.on),
        Choice(qn.id, question.id, str(tap.raw)).pack(),
    )


async def current_selection(
    context: AgendaContext,
    person: Person,
    qn: Questionnaire,
    question: Question,
    given: dict[str, Answer],
) -> list[str]:
    """The ticks of a multiple-choice question: those in progress, else the given answer."""
    pending = await answer_store.selection_of(context.services.db, person.id, qn.id, question.id)
    if pending is not None:
        return pending
    given_value = given[question.id].value if question.id in given else None
    return list(given_value) if isinstance(given_value, list) else []


async def multi_keyboard(
    context: AgendaContext,
    person: Person,
    qn: Questionnaire,
    question: Question,
    given: dict[str, Answer],
) -> list[list[Button]]:
    """Buttons of a multiple-choice question showing the ticks made so far."""
    ticked = await current_selection(context, person, qn, question, given)
    has_previous = engine.previous_question(qn, given, question.id) is not None
    return question_buttons(context, person.language, qn, question, ticked, has_previous)


async def show_question(
    update: Update,
    context: AgendaContext,
    person: Person,
    qn: Questionnaire,
    question: Question,
    given: dict[str, Answer],
    *,
    lead: str = "",
    in_place: bool = False,
    asked_in: int | None = None,
) -> None:
    """Show one question with its buttons and remember which typed answer is expected.

    `lead` (rendered) goes above the question, e.g. the answer just saved; `in_place` turns
    the tapped message into the question (one Bot API message per tap) instead of sending;
    `asked_in`: the message already recorded as asking it (`record_next_step`): not written
    again."""
    number, total = engine.position(qn, given, question.id)
    answered = question.id in given
    if question.kind.collects:
        buttons = await multi_keyboard(context, person, qn, question, given)
    else:
        has_previous = engine.previous_question(qn, given, question.id) is not None
        current = given[question.id].value if answered else None
        buttons = question_buttons(context, person.language, qn, question, current, has_previous)
    body = text(
        context,
        person.language,
        "question",
        questionnaire=qn,
        question=question,
        number=number,
        total=total,
        current=given[question.id].value if answered else None,
        answered=answered,
    )
    message = await _show(update, context, _joined(lead, body), buttons, in_place)
    if message.message_id != asked_in:  # e.g. the tapped message was too old to edit
        step = QuestionAnswer(qn.id, question.id, message.message_id)
        await expect(context.services.db, person.id, step, now=context.services.clock())


def asked_now(person: Person, qn: Questionnaire, question: Question) -> bool:
    """Whether `question` is the one the person was asked last (not a button of an older
    message that a typed answer has moved past)."""
    step = awaiting.parse(person.awaiting)
    asked = (step.questionnaire, step.question) if isinstance(step, QuestionAnswer) else None
    return asked == (qn.id, question.id)


def _joined(lead: str, body: str) -> str:
    return f"{lead.strip()}\n\n{body}" if lead.strip() else body


async def _show(
    update: Update,
    context: AgendaContext,
    body: str,
    buttons: list[list[Button]],
    in_place: bool,
) -> Message:
    if in_place:
        return await show_in_place(update, context, body, buttons)
    return await send_text(update, context, body, buttons)


@dataclass(frozen=True)
class NextStep:
    """What comes next in a questionnaire after a change: the answers that apply, the
    next open question (None: all answered), the message recorded as asking it."""

    given: dict[str, Answer]
    question: Question | None
    asked_in: int | None


async def record_next_step(
    update: Update, context: AgendaContext, person: Person, qn: Questionnaire, *, in_place: bool
) -> NextStep:
    """Record where the person now stands, inside the caller's transaction (one commit per
    tap): answers a changed answer took out are forgotten, the questionnaire is marked
    complete or open, and the next question is awaited in the tapped message it will take."""
    services = context.services
    now = services.clock()
    given = await answer_store.answers_of(services.db, person.id, qn.id)
    hidden = engine.hidden_answers(qn, given)
    if hidden:
        # A changed answer took these questions out: their answers no longer apply.
        await answer_store.forget(services.db, person.id, qn.id, hidden)
        given = {qid: answer for qid, answer in given.items() if qid not in hidden}
    question = engine.first_open(qn, given)
    await answer_store.set_completed(services.db, person.id, qn.id, question is None, now=now)
    query = update.callback_query
    tapped = query.message.message_id if in_place and query and query.message else None
    if question is None:
        await expect(services.db, person.id, None, now=now)
    elif tapped is not None:
        await expect(services.db, person.id, QuestionAnswer(qn.id, question.id, tapped), now=now)
    return NextStep(given, question, tapped)


async def show_next_step(
    update: Update,
    context: AgendaContext,
    person: Person,
    qn: Questionnaire,
    step: NextStep,
    *,
    lead: str = "",
    in_place: bool = False,
) -> None:
    """The next open question, or the summary when none is left (see show_question)."""
    if step.question is not None:
        await show_question(
            update,
            context,
            person,
            qn,
            step.question,
            step.given,
            lead=lead,
            in_place=in_place,
            asked_in=step.asked_in,
        )
    else:
        await show_summary(update, context, person, qn, step.given, lead=lead, in_place=in_place)


async def advance(
    update: Update,
    context: AgendaContext,
    person: Person,
    qn: Questionnaire,
    *,
    lead: str = "",
    in_place: bool = False,
) -> None:
    """Record and show the next open question, or the summary when none is left."""
    async with context.services.db.transaction():
        step = await record_next_step(update, context, person, qn, in_place=in_place)
    await show_next_step(update, context, person, qn, step, lead=lead, in_place=in_place)


async def show_summary(
    update: Update,
    context: AgendaContext,
    person: Person,
    qn: Questionnaire,
    given: dict[str, Answer],
    *,
    lead: str = "",
    in_place: bool = False,
) -> None:
    """All answers given, each with a button to change it."""
    lang = person.language
    shown = engine.visible_questions(qn, given)
    edit: list[Button] = [
        (label(context, lang, "edit_number", number=i), Edit(qn.id, q.id).pack())
        for i, q in enumerate(shown, start=1)
    ]
    rows = chunks(edit, 5)
    rows.append([(label(context, lang, "finish"), FinishQuestionnaire(qn.id).pack())])
    body = text(
        context,
        lang,
        "summary",
        questionnaire=qn,
        items=[(q, given[q.id].value if q.id in given else None) for q in shown],
        per_item=max(60, 3000 // max(1, len(shown))),
    )
    await _show(update, context, _joined(lead, body), rows, in_place)
