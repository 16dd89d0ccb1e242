"""/audit (staff, private chat): the latest entries of the audit trail, newest first."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import AgendaContext
from handlers.common import current_person, language_of, send
from handlers.staff import staff_only
from storage import audit
from storage.db import from_iso

SHOWN = 25  # entries in one message: well within Telegram's 4096 characters


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The audit command."""
    return [CommandHandler("audit", staff_only(audit_command))]


async def audit_command(update: Update, context: AgendaContext) -> None:
    """/audit: who did what and when, and the refused attempts; the latest SHOWN entries."""
    services = context.services
    lang = language_of(update, await current_person(update, context))
    entries = await audit.entries(services.db, limit=SHOWN)
    zone = services.consultation.zone
    lines = [(from_iso(e.at).astimezone(zone), e) for e in reversed(entries)]
    await send(update, context, lang, "audit_list", lines=lines, shown=SHOWN)
