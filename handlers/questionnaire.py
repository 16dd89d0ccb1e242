"""Questionnaires: one question per message, every answer stored at once, resumable anywhere."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import engine
from bot.callbacks import Payload, decode, encode
from bot.consultation import Question, Questionnaire
from bot.context import AgendaContext
from handlers.common import (
    Button,
    answer_callback,
    chunks,
    drop_buttons,
    keyboard,
    label,
    menu_buttons,
    send,
    text,
)
from handlers.onboarding import ensure_onboarded
from storage import answers as answer_store
from storage import people
from storage.answers import Answer
from storage.people import Person

AWAITING_PREFIX = "q"


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The questionnaire handlers."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler(["umfrage", "survey"], survey_command, filters=private),
        CommandHandler(["weiter", "resume"], resume_command, filters=private),
        CallbackQueryHandler(on_open, pattern=r"^Q:"),
        CallbackQueryHandler(on_answer, pattern=r"^A:"),
        CallbackQueryHandler(on_toggle, pattern=r"^T:"),
        CallbackQueryHandler(on_multi_done, pattern=r"^D:"),
        CallbackQueryHandler(on_back, pattern=r"^B:"),
        CallbackQueryHandler(on_skip, pattern=r"^S:"),
        CallbackQueryHandler(on_edit, pattern=r"^E:"),
        CallbackQueryHandler(on_finish, pattern=r"^X:"),
    ]


@dataclass(frozen=True)
class Target:
    """What a questionnaire button refers to, checked against the file and the person."""

    person: Person
    questionnaire: Questionnaire
    question: Question | None
    payload: Payload


async def survey_command(update: Update, context: AgendaContext) -> None:
    """/umfrage: the questionnaires open to this person, with their progress."""
    person = await ensure_onboarded(update, context)
    if person is not None:
        await show_list(update, context, person)


async def show_list(update: Update, context: AgendaContext, person: Person) -> None:
    """List the open questionnaires as buttons."""
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
            [[(label(context, lang, "profile"), encode("M", "profile"))]],
        )
        return
    started = await answer_store.responses_of(services.db, person.id)
    items = []
    for qn in open_ones:
        answers = await answer_store.answers_of(services.db, person.id, qn.id)
        items.append(engine.progress(qn, answers, qn.id in started))
    buttons: list[list[Button]] = [
        [(label(context, lang, "questionnaire", item=item), encode("Q", item.questionnaire.id))]
        for item in items
    ]
    await send(update, context, lang, "survey_list", buttons, items=items)


async def resume_command(update: Update, context: AgendaContext) -> None:
    """/weiter: continue where the person stopped, on any device, after any restart."""
    person = await ensure_onboarded(update, context)
    if person is not None:
        await resume_questionnaire(update, context, person)


async def resume_questionnaire(update: Update, context: AgendaContext, person: Person) -> None:
    """Open the first unfinished questionnaire (started ones first)."""
    services = context.services
    open_ones = engine.available(
        services.consultation, person.group_id, person.fields, services.today()
    )
    started = await answer_store.responses_of(services.db, person.id)
    ordered = sorted(open_ones, key=lambda qn: qn.id not in started)
    for qn in ordered:
        answers = await answer_store.answers_of(services.db, person.id, qn.id)
        question = engine.first_open(qn, answers)
        if question is not None:
            await answer_store.start(services.db, person.id, qn.id)
            await show_question(update, context, person, qn, question, answers)
            return
    await send(update, context, person.language, "all_done", menu_buttons(context, person.language))


async def _target(update: Update, context: AgendaContext, *, with_question: bool) -> Target | None:
    """Resolve and check a questionnaire button; answer politely when it is stale or forged."""
    person = await ensure_onboarded(update, context)
    if person is None:
        return None
    services = context.services
    lang = person.language
    payload = decode(update.callback_query.data if update.callback_query else None)
    qn = services.consultation.questionnaire(payload.arg(0) or "") if payload else None
    question = qn.question(payload.arg(1) or "") if qn and payload else None
    if (
        payload is None
        or qn is None
        or not engine.may_answer(qn, person.group_id, person.fields)
        or (with_question and question is None)
    ):
        await answer_callback(update, context, lang, "stale_button")
        await send(
            update,
            context,
            lang,
            "stale_button_message",
            [[(label(context, lang, "resume"), encode("M", "resume"))]],
        )
        return None
    if not qn.is_open(services.today()):
        await answer_callback(update, context, lang, "questionnaire_closed_short")
        await send(
            update,
            context,
            lang,
            "questionnaire_closed",
            menu_buttons(context, lang),
            title=qn.title.get(lang),
            closes=qn.closes,
        )
        return None
    return Target(person, qn, question, payload)


def _question_buttons(
    context: AgendaContext,
    lang: str,
    qn: Questionnaire,
    question: Question,
    current: Answer | None,
    has_previous: bool,
) -> list[list[Button]]:
    value = current.value if current else None
    rows: list[list[Button]] = []
    if question.type == "rating":
        rows.append(
            [
                (
                    label(context, lang, "choice", title=str(n), on=value == n),
                    encode("A", qn.id, question.id, n),
                )
                for n in engine.RATING_VALUES
            ]
        )
    elif question.type == "yesno":
        rows.append(
            [
                (
                    label(
                        context, lang, "choice", title=text(context, lang, "yes"), on=value is True
                    ),
                    encode("A", qn.id, question.id, "y"),
                ),
                (
                    label(
                        context, lang, "choice", title=text(context, lang, "no"), on=value is False
                    ),
                    encode("A", qn.id, question.id, "n"),
                ),
            ]
        )
    elif question.type == "single":
        rows.extend(
            [
                (
                    label(context, lang, "choice", title=o.text.get(lang), on=value == o.id),
                    encode("A", qn.id, question.id, o.id),
                )
            ]
            for o in question.options
        )
    elif question.type == "multi":
        selected = value if isinstance(value, list) else []
        rows.extend(
            [
                (
                    label(context, lang, "toggle", title=o.text.get(lang), on=o.id in selected),
                    encode("T", qn.id, question.id, o.id),
                )
            ]
            for o in question.options
        )
        rows.append([(label(context, lang, "done"), encode("D", qn.id, question.id))])
    nav: list[Button] = []
    if has_previous:
        nav.append((label(context, lang, "back"), encode("B", qn.id, question.id)))
    if not question.required:
        nav.append((label(context, lang, "skip"), encode("S", qn.id, question.id)))
    rows.append(nav)
    return rows


async def show_question(
    update: Update,
    context: AgendaContext,
    person: Person,
    qn: Questionnaire,
    question: Question,
    answers: dict[str, Answer],
) -> None:
    """Send one question with its buttons and remember which typed answer is expected."""
    lang = person.language
    number, total = engine.position(qn, answers, question.id)
    has_previous = engine.previous_question(qn, answers, question.id) is not None
    current = answers.get(question.id)
    message = await send(
        update,
        context,
        lang,
        "question",
        _question_buttons(context, lang, qn, question, current, has_previous),
        questionnaire=qn,
        question=question,
        number=number,
        total=total,
        current=current.value if current and not current.is_draft else None,
        answered=current is not None and not current.is_draft,
    )
    awaiting = f"{AWAITING_PREFIX}:{qn.id}:{question.id}:{message.message_id}"
    await people.set_awaiting(context.services.db, person.id, awaiting)


async def advance(
    update: Update, context: AgendaContext, person: Person, qn: Questionnaire
) -> None:
    """Show the next open question, or the summary when none is left."""
    services = context.services
    answers = await answer_store.answers_of(services.db, person.id, qn.id)
    question = engine.first_open(qn, answers)
    await answer_store.set_completed(services.db, person.id, qn.id, question is None)
    if question is not None:
        await show_question(update, context, person, qn, question, answers)
    else:
        await people.set_awaiting(services.db, person.id, None)
        await show_summary(update, context, person, qn, answers)


async def show_summary(
    update: Update,
    context: AgendaContext,
    person: Person,
    qn: Questionnaire,
    answers: dict[str, Answer],
) -> None:
    """All answers given, each with a button to change it."""
    lang = person.language
    shown = engine.visible_questions(qn, answers)
    edit: list[Button] = [
        (label(context, lang, "edit_number", number=i), encode("E", qn.id, q.id))
        for i, q in enumerate(shown, start=1)
    ]
    rows = chunks(edit, 5)
    rows.append([(label(context, lang, "finish"), encode("X", qn.id))])
    per_item = max(60, 3000 // max(1, len(shown)))
    await send(
        update,
        context,
        lang,
        "summary",
        rows,
        questionnaire=qn,
        items=[(q, answers[q.id].value if q.id in answers else None) for q in shown],
        per_item=per_item,
    )


async def _mark_answered(
    update: Update,
    context: AgendaContext,
    person: Person,
    question: Question,
    value: engine.AnswerValue,
) -> None:
    """Turn the question message into a record of the answer, without buttons."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    with contextlib.suppress(BadRequest):
        await query.edit_message_text(
            text(context, person.language, "question_answered", question=question, value=value),
            reply_markup=None,
        )


async def on_open(update: Update, context: AgendaContext) -> None:
    """A questionnaire chosen from the list: its intro and first open question, or its summary."""
    target = await _target(update, context, with_question=False)
    if target is None:
        return
    person, qn = target.person, target.questionnaire
    services = context.services
    await answer_callback(update, context, person.language)
    started = qn.id in await answer_store.responses_of(services.db, person.id)
    await answer_store.start(services.db, person.id, qn.id)
    if not started:
        await send(
            update,
            context,
            person.language,
            "questionnaire_intro",
            questionnaire=qn,
            count=len(qn.questions),
        )
    await advance(update, context, person, qn)


async def on_answer(update: Update, context: AgendaContext) -> None:
    """A button answer (rating, yes/no, single choice): stored at once."""
    target = await _target(update, context, with_question=True)
    if target is None or target.question is None:
        return
    person, qn, question = target.person, target.questionnaire, target.question
    try:
        value = engine.button_value(question, target.payload.arg(2) or "")
    except engine.InvalidAnswer:
        await answer_callback(update, context, person.language, "stale_button")
        return
    await answer_store.save(context.services.db, person.id, qn.id, question.id, value)
    await answer_callback(update, context, person.language, "saved")
    await _mark_answered(update, context, person, question, value)
    await advance(update, context, person, qn)


async def on_toggle(update: Update, context: AgendaContext) -> None:
    """One option of a multiple-choice question switched on or off (kept as a draft)."""
    target = await _target(update, context, with_question=True)
    if target is None or target.question is None:
        return
    person, qn, question = target.person, target.questionnaire, target.question
    option = target.payload.arg(2) or ""
    if question.type != "multi" or option not in {o.id for o in question.options}:
        await answer_callback(update, context, person.language, "stale_button")
        return
    db = context.services.db
    answers = await answer_store.answers_of(db, person.id, qn.id)
    current = answers.get(question.id)
    selected = engine.toggle(current.value if current else None, option)
    await answer_store.save(db, person.id, qn.id, question.id, selected, draft=True)
    answers = await answer_store.answers_of(db, person.id, qn.id)
    await answer_callback(update, context, person.language)
    query = update.callback_query
    assert query is not None
    has_previous = engine.previous_question(qn, answers, question.id) is not None
    try:
        await query.edit_message_reply_markup(
            reply_markup=keyboard(
                _question_buttons(
                    context, person.language, qn, question, answers.get(question.id), has_previous
                )
            )
        )
    except BadRequest:
        await show_question(update, context, person, qn, question, answers)


async def on_multi_done(update: Update, context: AgendaContext) -> None:
    """A multiple-choice selection confirmed."""
    target = await _target(update, context, with_question=True)
    if target is None or target.question is None:
        return
    person, qn, question = target.person, target.questionnaire, target.question
    db = context.services.db
    answers = await answer_store.answers_of(db, person.id, qn.id)
    current = answers.get(question.id)
    selected = current.value if current and isinstance(current.value, list) else []
    if not selected and question.required:
        await answer_callback(update, context, person.language, "pick_at_least_one")
        return
    value: engine.AnswerValue = selected or None
    await answer_store.save(db, person.id, qn.id, question.id, value)
    await answer_callback(update, context, person.language, "saved")
    await _mark_answered(update, context, person, question, value)
    await advance(update, context, person, qn)


async def on_back(update: Update, context: AgendaContext) -> None:
    """Go to the question before this one."""
    target = await _target(update, context, with_question=True)
    if target is None or target.question is None:
        return
    person, qn = target.person, target.questionnaire
    answers = await answer_store.answers_of(context.services.db, person.id, qn.id)
    previous = engine.previous_question(qn, answers, target.question.id)
    if previous is None:
        await answer_callback(update, context, person.language, "stale_button")
        return
    await answer_callback(update, context, person.language)
    await drop_buttons(update)
    await show_question(update, context, person, qn, previous, answers)


async def on_skip(update: Update, context: AgendaContext) -> None:
    """Skip an optional question."""
    target = await _target(update, context, with_question=True)
    if target is None or target.question is None:
        return
    person, qn, question = target.person, target.questionnaire, target.question
    if question.required:
        await answer_callback(update, context, person.language, "required")
        return
    await answer_store.save(context.services.db, person.id, qn.id, question.id, None)
    await answer_callback(update, context, person.language, "skipped")
    await _mark_answered(update, context, person, question, None)
    await advance(update, context, person, qn)


async def on_edit(update: Update, context: AgendaContext) -> None:
    """Change one answer from the summary."""
    target = await _target(update, context, with_question=True)
    if target is None or target.question is None:
        return
    person, qn, question = target.person, target.questionnaire, target.question
    answers = await answer_store.answers_of(context.services.db, person.id, qn.id)
    if not engine.is_visible(question, {k: a.value for k, a in answers.items() if not a.is_draft}):
        await answer_callback(update, context, person.language, "stale_button")
        return
    await answer_callback(update, context, person.language)
    await show_question(update, context, person, qn, question, answers)


async def on_finish(update: Update, context: AgendaContext) -> None:
    """Done with a questionnaire: thanks, and what could come next."""
    target = await _target(update, context, with_question=False)
    if target is None:
        return
    person, qn = target.person, target.questionnaire
    services = context.services
    lang = person.language
    await answer_callback(update, context, lang)
    await drop_buttons(update)
    answers = await answer_store.answers_of(services.db, person.id, qn.id)
    if engine.first_open(qn, answers) is not None:
        await advance(update, context, person, qn)
        return
    following = None
    started = await answer_store.responses_of(services.db, person.id)
    for other in engine.available(
        services.consultation, person.group_id, person.fields, services.today()
    ):
        if other.id != qn.id and not (other.id in started and started[other.id].completed_at):
            following = other
            break
    rows: list[list[Button]] = []
    if following is not None:
        rows.append(
            [
                (
                    label(context, lang, "next_questionnaire", title=following.title.get(lang)),
                    encode("Q", following.id),
                )
            ]
        )
    rows.extend(menu_buttons(context, lang))
    await send(
        update, context, lang, "questionnaire_thanks", rows, questionnaire=qn, following=following
    )


async def on_typed(
    update: Update, context: AgendaContext, person: Person, awaiting: str, typed: str | None
) -> None:
    """Typed input while a question is open (typed is None for stickers, photos and the like)."""
    services = context.services
    lang = person.language
    parts = awaiting.split(":")
    qn = services.consultation.questionnaire(parts[1]) if len(parts) == 4 else None
    question = qn.question(parts[2]) if qn else None
    if qn is None or question is None or not engine.may_answer(qn, person.group_id, person.fields):
        await people.set_awaiting(services.db, person.id, None)
        await send(update, context, lang, "nothing_expected", menu_buttons(context, lang))
        return
    if not qn.is_open(services.today()):
        await people.set_awaiting(services.db, person.id, None)
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
    answers = await answer_store.answers_of(services.db, person.id, qn.id)
    try:
        if typed is None:
            raise engine.InvalidAnswer("not_text" if question.type == "text" else "use_buttons")
        if question.type == "multi":
            raise engine.InvalidAnswer("use_buttons")
        value = engine.typed_value(question, typed, lang)
    except engine.InvalidAnswer as problem:
        if problem.reason == "use_buttons" and question.type == "number":
            problem = engine.InvalidAnswer(
                "not_a_number", low=question.min_value, high=question.max_value
            )
        await send(
            update,
            context,
            lang,
            f"invalid_{problem.reason}",
            question=question,
            **dict(problem.params),
        )
        await show_question(update, context, person, qn, question, answers)
        return
    await answer_store.save(services.db, person.id, qn.id, question.id, value)
    if parts[3].isdigit():
        with contextlib.suppress(BadRequest):
            await context.bot.edit_message_reply_markup(
                chat_id=person.telegram_id, message_id=int(parts[3]), reply_markup=None
            )
    await send(update, context, lang, "typed_saved", question=question, value=value)
    await advance(update, context, person, qn)
