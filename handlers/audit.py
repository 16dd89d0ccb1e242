"""/audit (staff, private chat): the latest entries of the audit trail, newest first."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from bot.context import AgendaContext
from handlers.routes import Args, Call, staff_command
from storage import audit
from storage.db import from_iso

SHOWN = 25  # entries in one message: well within Telegram's 4096 characters


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The audit command."""
    return [staff_command("audit", audit_command)]


async def audit_command(call: Call[Args]) -> None:
    """/audit: who did what and when, and the refused attempts; the latest SHOWN entries."""
    services = call.services
    entries = await audit.entries(services.db, limit=SHOWN)
    zone = services.consultation.zone
    lines = [(from_iso(e.at).astimezone(zone), e) for e in reversed(entries)]
    await call.send("audit_list", lines=lines, shown=SHOWN)
