"""The one error handler: log with traceback, tell the person something short and true."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import AgendaContext
from handlers.common import language_of

log = logging.getLogger(__name__)


async def on_error(update: object, context: AgendaContext) -> None:
    """Log the failure; answer the person so they are never left in silence."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    lang = language_of(update, None)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
    except TelegramError:
        pass
    try:
        await context.bot.send_message(
            update.effective_chat.id, context.services.texts.render(lang, "error")
        )
    except TelegramError:
        log.warning("could not tell the person about the error")
