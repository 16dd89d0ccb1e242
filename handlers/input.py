"""Typed input and media, routed by what the bot is waiting for (stored in the database)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot import awaiting
from bot.context import AgendaContext
from handlers import draft, onboarding, problems, profile, progress, questionnaire, training_input
from handlers.common import current_person, language_of, menu_buttons, send, settle
from handlers.routes import Callback, Expected


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The router for everything typed or sent that is not a command."""
    private = filters.ChatType.PRIVATE
    steps = (
        *profile.typed_steps(),
        *questionnaire.typed_steps(),
        *problems.typed_steps(),
        *training_input.typed_steps(),
        *progress.typed_steps(),
    )
    return [
        MessageHandler(private & filters.COMMAND, unknown_command),
        MessageHandler(private & ~filters.COMMAND & ~filters.StatusUpdate.ALL, router(steps)),
    ]


def router(steps: tuple[Expected, ...]) -> Callback:
    """The handler of typed input: each awaited step's class goes to its flow."""
    by_step = {expected.step: expected for expected in steps}
    if len(by_step) != len(steps):
        raise ValueError("two flows expect the same typed step")

    async def on_message(update: Update, context: AgendaContext) -> None:
        """Text, photo, sticker, voice, location...: hand it to the step that waits for it."""
        await route(update, context)
        await settle(update, context)

    async def route(update: Update, context: AgendaContext) -> None:
        if update.effective_message is None:
            return
        person = await current_person(update, context)
        if person is None:
            await onboarding.ask_language(update, context, None)
            return
        if person.onboarded and await draft.on_reply(update, context, person):
            return  # a comment on a measure of the draft
        step = awaiting.parse(person.awaiting)
        expected = by_step.get(type(step)) if step is not None else None
        if step is not None and expected is not None:
            await expected.run(update, context, person, step)
            return
        if person.awaiting is not None:  # a step of an older version: no longer awaited
            services = context.services
            await awaiting.expect(services.db, person.id, None, now=services.clock())
        if not person.onboarded:
            await profile.resume(update, context, person)
        else:
            await send(
                update,
                context,
                person.language,
                "nothing_expected",
                menu_buttons(context, person.language, person),
            )

    return on_message


async def unknown_command(update: Update, context: AgendaContext) -> None:
    """A command the bot does not know."""
    person = await current_person(update, context)
    lang = language_of(update, person)
    await send(
        update, context, lang, "unknown_command", menu_buttons(context, lang) if person else []
    )
