"""Typed input and media, routed by what the bot is waiting for (stored in the database)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.context import AgendaContext
from handlers import draft, onboarding, problems, progress, questionnaire, training
from handlers.common import current_person, language_of, menu_buttons, send


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The router for everything typed or sent that is not a command."""
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(private & filters.COMMAND, unknown_command),
        MessageHandler(private & ~filters.COMMAND & ~filters.StatusUpdate.ALL, on_message),
    ]


async def on_message(update: Update, context: AgendaContext) -> None:
    """Text, photo, sticker, voice, location...: hand it to the step that waits for it."""
    message = update.effective_message
    if message is None:
        return
    person = await current_person(update, context)
    if person is None:
        await onboarding.ask_language(update, context, None)
        return
    if person.onboarded and await draft.on_reply(update, context, person):
        return  # a comment on a measure of the draft
    typed = message.text
    photo = message.photo[-1].file_id if message.photo else None
    awaiting = person.awaiting or ""
    if awaiting == onboarding.AWAITING_ORG_NAME:
        if typed is None:
            await send(update, context, person.language, "org_name_not_text")
        else:
            await onboarding.on_org_name(update, context, person, typed)
    elif awaiting.startswith(questionnaire.AWAITING_PREFIX + ":"):
        await questionnaire.on_typed(update, context, person, awaiting, typed)
    elif awaiting.startswith(problems.AWAITING_PREFIX + ":"):
        await problems.on_typed(update, context, person, awaiting, typed, photo)
    elif awaiting.startswith(training.AWAITING_PREFIX + ":"):
        await training.on_typed(update, context, person, awaiting, typed)
    elif awaiting.startswith(progress.AWAITING_PREFIX + ":"):
        await progress.on_typed(update, context, person, awaiting, typed)
    elif not person.onboarded:
        await onboarding.resume(update, context, person)
    else:
        await send(
            update,
            context,
            person.language,
            "nothing_expected",
            menu_buttons(context, person.language, person),
        )


async def unknown_command(update: Update, context: AgendaContext) -> None:
    """A command the bot does not know."""
    person = await current_person(update, context)
    lang = language_of(update, person)
    await send(
        update, context, lang, "unknown_command", menu_buttons(context, lang) if person else []
    )
