"""Questionnaires: commands and buttons; every answer is stored the moment it arrives."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler

from bot import engine
from bot.awaiting import QuestionAnswer, expect
from bot.consultation.questionnaire import Question, Questionnaire
from bot.context import AgendaContext
from handlers.common import (
    Button,
    Menu,
    answer_callback,
    keyboard,
    label,
    menu_buttons,
    move_on,
    send,
    text,
)
from handlers.question_view import (
    Back,
    Choice,
    Edit,
    FinishQuestionnaire,
    MultiDone,
    OpenQuestionnaire,
    QuestionButton,
    Skip,
    Toggle,
    advance,
    asked_now,
    current_selection,
    multi_keyboard,
    record_next_step,
    resume_questionnaire,
    show_list,
    show_next_step,
    show_question,
)
from handlers.routes import Args, Expected, PersonCall, button, command, expects
from storage import answers as answer_store
from storage.people import Person

__all__ = ["handlers", "on_typed", "resume_questionnaire", "show_list", "typed_steps"]


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The questionnaire handlers."""
    return [
        command(["umfrage", "survey"], survey_command),
        command(["weiter", "resume"], resume_command),
        button(OpenQuestionnaire, on_open),
        button(Choice, on_answer),
        button(Toggle, on_toggle),
        button(MultiDone, on_multi_done),
        button(Back, on_back),
        button(Skip, on_skip),
        button(Edit, on_edit),
        button(FinishQuestionnaire, on_finish),
    ]


@dataclass(frozen=True)
class Target:
    """What a questionnaire button refers to, checked against the file and the person."""

    person: Person
    questionnaire: Questionnaire
    question: Question


async def survey_command(call: PersonCall[Args]) -> None:
    """/umfrage: the questionnaires open to this person, with their progress."""
    await show_list(call.update, call.context, call.person)


async def resume_command(call: PersonCall[Args]) -> None:
    """/weiter: continue where the person stopped, on any device, after any restart."""
    await resume_questionnaire(call.update, call.context, call.person)


async def _checked(
    call: PersonCall[OpenQuestionnaire | FinishQuestionnaire | QuestionButton],
) -> Questionnaire | None:
    """The questionnaire a button names; answered politely when it is stale, forged or closed."""
    services, person, lang = call.services, call.person, call.lang
    qn = services.consultation.questionnaire(call.payload.questionnaire)
    if qn is None or not engine.may_answer(qn, person.group_id, person.fields):
        await call.stale()
        resume = [[(label(call.context, lang, "resume"), Menu("resume").pack())]]
        await call.send("stale_button_message", resume)
        return None
    if not qn.is_open(services.today()):
        await call.answer("questionnaire_closed_short")
        await call.send(
            "questionnaire_closed",
            menu_buttons(call.context, lang),
            title=qn.title.get(lang),
            closes=qn.closes,
        )
        return None
    return qn


async def _target(call: PersonCall[QuestionButton]) -> Target | None:
    """Like _checked, for buttons that name a question too."""
    qn = await _checked(call)
    if qn is None:
        return None
    question = qn.question(call.payload.question)
    if question is None:
        await call.stale()
        return None
    return Target(call.person, qn, question)


def _answered(
    context: AgendaContext, person: Person, question: Question, value: engine.AnswerValue
) -> str:
    """The record of an answer shown above the next question, in the same message."""
    return text(context, person.language, "question_answered", question=question, value=value)


async def on_open(call: PersonCall[OpenQuestionnaire]) -> None:
    """A questionnaire chosen from the list: its intro and first open question, or its summary."""
    update, context = call.update, call.context
    qn = await _checked(call)
    if qn is None:
        return
    person = call.person
    db = context.services.db
    await answer_callback(update, context, person.language)
    started = qn.id in await answer_store.responses_of(db, person.id)
    async with db.transaction():  # opened, and the first open question awaited: one commit
        await answer_store.start(db, person.id, qn.id, now=context.services.clock())
        step = await record_next_step(update, context, person, qn, in_place=True)
    intro = ""
    if not started:
        intro = text(
            context,
            person.language,
            "questionnaire_intro",
            questionnaire=qn,
            count=len(qn.questions),
        )
    await show_next_step(update, context, person, qn, step, lead=intro, in_place=True)


async def on_answer(call: PersonCall[Choice]) -> None:
    """A button answer (rating, yes/no, single choice): stored at once."""
    update, context = call.update, call.context
    target = await _target(call)
    if target is None:
        return
    person, qn, question = target.person, target.questionnaire, target.question
    try:
        value = engine.button_value(question, call.payload.value)
    except engine.InvalidAnswer:
        await answer_callback(update, context, person.language, "stale_button")
        return
    db = context.services.db
    async with db.transaction():  # the answer and where the person now stands: one commit
        await answer_store.save(
            db, person.id, qn.id, question.id, value, now=context.services.clock()
        )
        step = await record_next_step(update, context, person, qn, in_place=True)
    await answer_callback(update, context, person.language, "saved")
    lead = _answered(context, person, question, value)
    await show_next_step(update, context, person, qn, step, lead=lead, in_place=True)


async def on_toggle(call: PersonCall[Toggle]) -> None:
    """One option of a multiple-choice question ticked or unticked (stored as a selection)."""
    update, context = call.update, call.context
    target = await _target(call)
    if target is None:
        return
    person, qn, question = target.person, target.questionnaire, target.question
    option = call.payload.option
    if not question.kind.collects or question.option(option) is None:
        await answer_callback(update, context, person.language, "stale_button")
        return
    db = context.services.db
    given = await answer_store.answers_of(db, person.id, qn.id)
    ticked = await current_selection(context, person, qn, question, given)
    await answer_store.save_selection(
        db,
        person.id,
        qn.id,
        question.id,
        engine.toggle(ticked, option),
        now=context.services.clock(),
    )
    await answer_callback(update, context, person.language)
    query = update.callback_query
    assert query is not None
    rows: list[list[Button]] = await multi_keyboard(context, person, qn, question, given)
    try:
        await query.edit_message_reply_markup(reply_markup=keyboard(rows))
    except BadRequest:
        await show_question(update, context, person, qn, question, given)


async def on_multi_done(call: PersonCall[MultiDone]) -> None:
    """A multiple-choice selection confirmed."""
    update, context = call.update, call.context
    target = await _target(call)
    if target is None:
        return
    person, qn, question = target.person, target.questionnaire, target.question
    db = context.services.db
    given = await answer_store.answers_of(db, person.id, qn.id)
    selection = await current_selection(context, person, qn, question, given)
    if not selection and question.required:
        await answer_callback(update, context, person.language, "pick_at_least_one")
        return
    value: engine.AnswerValue = selection or None
    db = context.services.db
    async with db.transaction():  # the answer and where the person now stands: one commit
        await answer_store.save(
            db, person.id, qn.id, question.id, value, now=context.services.clock()
        )
        step = await record_next_step(update, context, person, qn, in_place=True)
    await answer_callback(update, context, person.language, "saved")
    lead = _answered(context, person, question, value)
    await show_next_step(update, context, person, qn, step, lead=lead, in_place=True)


async def on_back(call: PersonCall[Back]) -> None:
    """Go to the question before this one."""
    update, context = call.update, call.context
    target = await _target(call)
    if target is None:
        return
    person, qn = target.person, target.questionnaire
    given = await answer_store.answers_of(context.services.db, person.id, qn.id)
    previous = engine.previous_question(qn, given, target.question.id)
    if previous is None:
        await answer_callback(update, context, person.language, "stale_button")
        return
    await answer_callback(update, context, person.language)
    await show_question(update, context, person, qn, previous, given, in_place=True)


async def on_skip(call: PersonCall[Skip]) -> None:
    """Skip an optional question."""
    update, context = call.update, call.context
    target = await _target(call)
    if target is None:
        return
    person, qn, question = target.person, target.questionnaire, target.question
    if question.required:
        await answer_callback(update, context, person.language, "required")
        return
    db = context.services.db
    if question.id in await answer_store.answers_of(db, person.id, qn.id) and not asked_now(
        person, qn, question
    ):
        # "Skip" on an older message whose question was answered by typing since: keep the
        # answer (skip applies to the question asked now, or one reopened from the summary).
        await answer_callback(update, context, person.language, "stale_button")
        return
    db = context.services.db
    async with db.transaction():  # the answer and where the person now stands: one commit
        await answer_store.save(
            db, person.id, qn.id, question.id, None, now=context.services.clock()
        )
        step = await record_next_step(update, context, person, qn, in_place=True)
    await answer_callback(update, context, person.language, "skipped")
    lead = _answered(context, person, question, None)
    await show_next_step(update, context, person, qn, step, lead=lead, in_place=True)


async def on_edit(call: PersonCall[Edit]) -> None:
    """Change one answer from the summary."""
    update, context = call.update, call.context
    target = await _target(call)
    if target is None:
        return
    person, qn, question = target.person, target.questionnaire, target.question
    given = await answer_store.answers_of(context.services.db, person.id, qn.id)
    if not engine.is_visible(question, engine.values_of(given)):
        await answer_callback(update, context, person.language, "stale_button")
        return
    await answer_callback(update, context, person.language)
    await show_question(update, context, person, qn, question, given, in_place=True)


async def on_finish(call: PersonCall[FinishQuestionnaire]) -> None:
    """Done with a questionnaire: thanks, and what could come next."""
    update, context = call.update, call.context
    qn = await _checked(call)
    if qn is None:
        return
    person = call.person
    services = context.services
    lang = person.language
    await answer_callback(update, context, lang)
    move_on(context)
    given = await answer_store.answers_of(services.db, person.id, qn.id)
    if engine.first_open(qn, given) is not None:
        await advance(update, context, person, qn)
        return
    started = await answer_store.responses_of(services.db, person.id)
    following = next(
        (
            other
            for other in engine.available(
                services.consultation, person.group_id, person.fields, services.today()
            )
            if other.id != qn.id and not (other.id in started and started[other.id].completed_at)
        ),
        None,
    )
    rows: list[list[Button]] = []
    if following is not None:
        rows.append(
            [
                (
                    label(context, lang, "next_questionnaire", title=following.title.get(lang)),
                    OpenQuestionnaire(following.id).pack(),
                )
            ]
        )
    rows.extend(menu_buttons(context, lang))
    await send(
        update, context, lang, "questionnaire_thanks", rows, questionnaire=qn, following=following
    )


def typed_steps() -> list[Expected]:
    """Typed answers to the open question."""
    return [expects(QuestionAnswer, on_typed)]


async def on_typed(call: PersonCall[QuestionAnswer]) -> None:
    """Typed input while a question is open (typed is None for stickers, photos and the like)."""
    update, context, person, typed = call.update, call.context, call.person, call.typed
    services = context.services
    lang = person.language
    qn = services.consultation.questionnaire(call.payload.questionnaire)
    question = qn.question(call.payload.question) if qn else None
    if qn is None or question is None or not engine.may_answer(qn, person.group_id, person.fields):
        await expect(services.db, person.id, None, now=services.clock())
        await send(update, context, lang, "nothing_expected", menu_buttons(context, lang))
        return
    if not qn.is_open(services.today()):
        await expect(services.db, person.id, None, now=services.clock())
        await send(
            update,
            context,
            lang,
            "questionnaire_closed",
            menu_buttons(context, lang),
            title=qn.title.get(lang),
            closes=qn.closes,
        )
        return
    given = await answer_store.answers_of(services.db, person.id, qn.id)
    try:
        value = engine.typed_value(question, typed, lang)
    except engine.InvalidAnswer as problem:
        # One message: what was wrong, and the question again.
        hint = text(context, lang, f"invalid_{problem.reason}", question=question, **problem.params)
        await show_question(update, context, person, qn, question, given, lead=hint)
        return
    await answer_store.save(services.db, person.id, qn.id, question.id, value, now=services.clock())
    # One sendMessage per typed answer: the confirmation above the next question. The earlier
    # question keeps its buttons; a stale "skip" there is refused (see on_skip).
    lead = text(context, lang, "typed_saved", question=question, value=value)
    await advance(update, context, person, qn, lead=lead)
