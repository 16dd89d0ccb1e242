"""/ausgang for staff: what the outbox holds per kind, the latest failures and broadcasts."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import broadcasts
from bot.callbacks import encode
from bot.context import AgendaContext
from bot.outbox_dispatch import NOTE_BLOCKED_PREFIX
from bot.outbox_kinds import KINDS
from handlers.common import Button, current_person, label, language_of, send
from handlers.staff import staff_only
from storage import broadcasts as broadcast_store
from storage import outbox


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """/ausgang (alias /outbox)."""
    return [CommandHandler(["ausgang", "outbox"], staff_only(outbox_command))]


async def outbox_command(update: Update, context: AgendaContext) -> None:
    """/ausgang: pending, sent, failed and dropped per kind; latest failures and broadcasts."""
    db = context.services.db
    lang = language_of(update, await current_person(update, context))
    reports = []
    for found in await broadcast_store.latest(db):
        report = await broadcasts.delivery(db, found.id, NOTE_BLOCKED_PREFIX)
        if report is not None:
            reports.append(report)
    buttons: list[list[Button]] = [
        [(label(context, lang, "broadcast_report_of", number=r.broadcast.id),
          encode("BC", "report", r.broadcast.id))]
        for r in reports
    ]  # fmt: skip
    await send(
        update, context, lang, "outbox_report", buttons,
        kinds=sorted(await outbox.counts(db), key=lambda k: _registered_order(k.kind)),
        failures=await outbox.latest_failures(db),
        broadcasts=reports,
    )  # fmt: skip


def _registered_order(kind: str) -> int:
    """Kinds as bot/outbox_kinds.py lists them; a kind no longer registered last."""
    return KINDS.index(kind) if kind in KINDS else len(KINDS)
