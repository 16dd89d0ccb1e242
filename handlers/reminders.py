"""Questionnaire reminders in the chat: the message itself, 'later', and /erinnerungen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from telegram import Message, Update
from telegram.ext import BaseHandler, TypeHandler

from bot import awaiting, engine, reminders
from bot.awaiting import QuestionAnswer
from bot.callbacks import CallbackData
from bot.context import AgendaContext
from bot.keys import QuestionnaireKey
from bot.outbox.dispatch import NOTE_NO_PERSON
from bot.outbox.policy import Decision, Dropped, KindPolicy, Outgoing, Postponed
from handlers.common import keyboard, label, text
from handlers.question_view import multi_keyboard, question_buttons
from handlers.routes import Args, PersonCall, button, command
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


@dataclass(frozen=True)
class SwitchReminders(CallbackData, prefix="RM"):
    """Reminders on or off (in /erinnerungen or in a reminder)."""

    state: Literal["on", "off"]


@dataclass(frozen=True)
class Later(CallbackData, prefix="RL"):
    """'Later' in a reminder of this questionnaire."""

    questionnaire: QuestionnaireKey


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """/erinnerungen and the buttons of a reminder."""
    return [
        command(["erinnerungen", "reminders"], reminders_command),
        button(SwitchReminders, on_switch),
        button(Later, on_later),
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
    if question.kind.collects:
        buttons = await multi_keyboard(context, person, qn, question, given)
    else:
        has_previous = engine.previous_question(qn, given, question.id) is not None
        buttons = question_buttons(context, lang, qn, question, None, has_previous)
    buttons = [row_ for row_ in buttons if row_]
    buttons.append(
        [
            (label(context, lang, "reminder_later"), Later(qn.id).pack()),
            (label(context, lang, "reminders_off"), SwitchReminders("off").pack()),
        ]
    )
    body = text(
        context,
        lang,
        "reminder",
        questionnaire=qn,
        question=question,
        number=number,
        total=total,
        answered=answered,
        closes=qn.closes,
        later=bool(row.payload.get("later")),
    )

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


async def reminders_command(call: PersonCall[Args]) -> None:
    """/erinnerungen: whether reminders are on, with a button to switch."""
    found = await recipients.by_telegram_id(call.services.db, call.person.telegram_id)
    on = found is not None and not found.reminders_off
    await call.send("reminders_status", _switch(call.context, call.lang, on), on=on)


def _switch(context: AgendaContext, lang: str, on: bool) -> list[list[tuple[str, str]]]:
    state: Literal["on", "off"] = "off" if on else "on"  # the button switches
    return [[(label(context, lang, f"reminders_{state}"), SwitchReminders(state).pack())]]


async def on_switch(call: PersonCall[SwitchReminders]) -> None:
    """The on/off button (in /erinnerungen or in a reminder)."""
    services, person = call.services, call.person
    on = call.payload.state == "on"
    await recipients.set_reminders(services.db, person.telegram_id, on)
    if on:
        await reminders.plan_reminders(
            services.db, services.consultation, services.settings, services.clock()
        )
    else:
        await outbox.drop_pending_for(services.db, person.telegram_id, reminders.KIND, NOTE_OFF)
    await call.answer()
    call.move_on()
    await call.send("reminders_switched", _switch(call.context, call.lang, on), on=on)


async def on_later(call: PersonCall[Later]) -> None:
    """'Later' in a reminder: again tomorrow at the usual time (never in quiet hours)."""
    services, person = call.services, call.person
    qn = services.consultation.questionnaire(call.payload.questionnaire)
    if qn is None or not qn.is_open(services.today()):
        await call.answer("questionnaire_closed_short")
        await call.drop_buttons()
        return
    when = await reminders.snooze(
        services.db,
        services.consultation,
        services.settings,
        qn,
        person.telegram_id,
        services.clock(),
    )
    local = when.astimezone(services.consultation.zone) if when else None
    await call.answer("reminder_snoozed", when=local, closes=qn.closes)
    await call.drop_buttons()
