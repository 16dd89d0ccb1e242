"""Questionnaire reminders in the chat: the message itself, 'later', and /erinnerungen."""

from __future__ import annotations

from datetime import timedelta

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, TypeHandler, filters

from bot import awaiting, engine, reminders
from bot.awaiting import QuestionAnswer
from bot.callbacks import decode, encode
from bot.context import AgendaContext
from bot.outbox_dispatch import NOTE_NO_PERSON, Decision, Dropped, KindPolicy, Outgoing, Postponed
from handlers.common import answer_callback, drop_buttons, keyboard, label, send, text
from handlers.onboarding import ensure_onboarded
from handlers.question_view import multi_keyboard, question_buttons
from storage import answers as answer_store
from storage import outbox, people, recipients
from storage.outbox import OutboxRow
from storage.recipients import Recipient

ONE_A_DAY = timedelta(hours=20)  # two reminders (of any questionnaire) at least this far apart
NOTE_OFF = "reminders switched off"
NOTE_DONE = "questionnaire completed"
NOTE_CLOSED = "questionnaire closed or unknown"
NOTE_NOT_ASKED = "no longer asked this questionnaire (group or fields changed)"
NOTE_ONE_A_DAY = "another reminder went out today: moved to the next day"

# Reminders left 'sending' by a crash count as sent: a second copy of a reminder annoys more
# than a lost one helps (the next reminder or the menu still leads back to the questionnaire).
POLICY_NOTES = {
    "expired": "no longer valid (the next reminder is due or the questionnaire closed)",
    "interrupted": "interrupted while sending: delivery unknown, not sent again",
}


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """/erinnerungen and the buttons of a reminder."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler(["erinnerungen", "reminders"], reminders_command, filters=private),
        CallbackQueryHandler(on_switch, pattern=r"^RM:"),
        CallbackQueryHandler(on_later, pattern=r"^RL:"),
    ]


def early_handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """For group -2: anyone who writes or presses a button is reachable again."""
    return [TypeHandler(Update, on_any_update)]


async def on_any_update(update: Update, context: AgendaContext) -> None:
    """A person marked inactive (they had blocked the bot) wrote again: clear the mark."""
    user = update.effective_user
    if user is not None and not user.is_bot:
        await recipients.reactivate(context.services.db, user.id)


def policy() -> KindPolicy:
    """How the dispatcher treats reminder rows."""
    return KindPolicy(
        build=build_reminder,
        resend_interrupted=False,
        expired_note=POLICY_NOTES["expired"],
        interrupted_note=POLICY_NOTES["interrupted"],
    )


async def build_reminder(
    context: AgendaContext, row: OutboxRow, recipient: Recipient | None
) -> Decision:
    """Just before sending: still wanted? Then the reminder with the next open question."""
    services = context.services
    db = services.db
    person = await people.by_id(db, recipient.person_id) if recipient else None
    if recipient is None or person is None:
        return Dropped(NOTE_NO_PERSON)
    if recipient.reminders_off:
        return Dropped(NOTE_OFF)
    qn = services.consultation.questionnaire(str(row.payload.get("questionnaire", "")))
    if qn is None or not qn.is_open(services.today()):
        return Dropped(NOTE_CLOSED)
    if not engine.may_answer(qn, person.group_id, person.fields):
        return Dropped(NOTE_NOT_ASKED)
    given = await answer_store.answers_of(db, person.id, qn.id)
    question = engine.first_open(qn, given)
    if question is None:
        return Dropped(NOTE_DONE)
    now = services.clock()
    last = await outbox.last_sent_to(db, row.recipient, reminders.KIND)
    if last is not None and now - last < ONE_A_DAY:
        quiet, zone = reminders.QuietHours.of(services.settings), services.consultation.zone
        tomorrow = now.astimezone(zone).date() + timedelta(days=1)
        later = quiet.next_allowed(
            reminders.wall_time(tomorrow, reminders.REMINDER_HOUR, zone), zone
        )
        if row.valid_until is not None and later >= row.valid_until:
            return Dropped(NOTE_ONE_A_DAY)
        return Postponed(later, NOTE_ONE_A_DAY)
    lang = person.language
    number, total = engine.position(qn, given, question.id)
    answered = sum(1 for q in engine.visible_questions(qn, given) if q.id in given)
    if question.type == "multi":
        buttons = await multi_keyboard(context, person, qn, question, given)
    else:
        has_previous = engine.previous_question(qn, given, question.id) is not None
        buttons = question_buttons(context, lang, qn, question, None, has_previous)
    buttons = [row_ for row_ in buttons if row_]
    buttons.append([
        (label(context, lang, "reminder_later"), encode("RL", qn.id)),
        (label(context, lang, "reminders_off"), encode("RM", "off")),
    ])  # fmt: skip
    body = text(
        context, lang, "reminder", questionnaire=qn, question=question, number=number,
        total=total, answered=answered, closes=qn.closes, later=bool(row.payload.get("later")),
    )  # fmt: skip

    async def after_sent(message: Message) -> None:
        # Typed answers (numbers, text) go to this question, unless the person is in the
        # middle of something else.
        await answer_store.start(db, person.id, qn.id, now=services.clock())
        current = await people.by_id(db, person.id)
        if current is not None and (
            current.awaiting is None or isinstance(awaiting.parse(current.awaiting), QuestionAnswer)
        ):
            step = QuestionAnswer(qn.id, question.id, message.message_id)
            await awaiting.expect(db, person.id, step, now=services.clock())

    return Outgoing(body, keyboard(buttons), after_sent)


async def reminders_command(update: Update, context: AgendaContext) -> None:
    """/erinnerungen: whether reminders are on, with a button to switch."""
    person = await ensure_onboarded(update, context)
    if person is None:
        return
    found = await recipients.by_telegram_id(context.services.db, person.telegram_id)
    on = found is not None and not found.reminders_off
    await send(
        update,
        context,
        person.language,
        "reminders_status",
        _switch(context, person.language, on),
        on=on,
    )


def _switch(context: AgendaContext, lang: str, on: bool) -> list[list[tuple[str, str]]]:
    name, arg = ("reminders_off", "off") if on else ("reminders_on", "on")
    return [[(label(context, lang, name), encode("RM", arg))]]


async def on_switch(update: Update, context: AgendaContext) -> None:
    """The on/off button (in /erinnerungen or in a reminder)."""
    person = await ensure_onboarded(update, context)
    if person is None:
        return
    services = context.services
    payload = decode(update.callback_query.data if update.callback_query else None)
    on = payload is not None and payload.arg(0) == "on"
    await recipients.set_reminders(services.db, person.telegram_id, on)
    if on:
        await reminders.plan_reminders(
            services.db, services.consultation, services.settings, services.clock()
        )
    else:
        await outbox.drop_pending_for(services.db, person.telegram_id, reminders.KIND, NOTE_OFF)
    await answer_callback(update, context, person.language)
    await drop_buttons(update)
    await send(
        update,
        context,
        person.language,
        "reminders_switched",
        _switch(context, person.language, on),
        on=on,
    )


async def on_later(update: Update, context: AgendaContext) -> None:
    """'Later' in a reminder: again tomorrow at the usual time (never in quiet hours)."""
    person = await ensure_onboarded(update, context)
    if person is None:
        return
    services = context.services
    payload = decode(update.callback_query.data if update.callback_query else None)
    qn = services.consultation.questionnaire((payload.arg(0) if payload else None) or "")
    if qn is None or not qn.is_open(services.today()):
        await answer_callback(update, context, person.language, "questionnaire_closed_short")
        await drop_buttons(update)
        return
    when = await reminders.snooze(
        services.db, services.consultation, services.settings, qn, person.telegram_id,
        services.clock(),
    )  # fmt: skip
    local = when.astimezone(services.settings.timezone) if when else None
    await answer_callback(
        update, context, person.language, "reminder_snoozed", when=local, closes=qn.closes
    )
    await drop_buttons(update)
