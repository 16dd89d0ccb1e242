"""/ausgang for staff: what the outbox holds per kind, the latest failures and broadcasts."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from bot import broadcasts
from bot.context import AgendaContext
from bot.outbox.dispatch import NOTE_BLOCKED_PREFIX
from bot.outbox.kinds import KINDS
from handlers.broadcast import DeliveryReport
from handlers.common import Button, label
from handlers.routes import Args, Call, staff_command
from storage import broadcasts as broadcast_store
from storage import outbox


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """/ausgang (alias /outbox)."""
    return [staff_command(["ausgang", "outbox"], outbox_command)]


async def outbox_command(call: Call[Args]) -> None:
    """/ausgang: pending, sent, failed and dropped per kind; latest failures and broadcasts."""
    context, lang = call.context, call.lang
    db = context.services.db
    reports = []
    for found in await broadcast_store.latest(db):
        report = await broadcasts.delivery(db, found.id, NOTE_BLOCKED_PREFIX)
        if report is not None:
            reports.append(report)
    buttons: list[list[Button]] = [
        [
            (
                label(context, lang, "broadcast_report_of", number=r.broadcast.id),
                DeliveryReport(r.broadcast.id).pack(),
            )
        ]
        for r in reports
    ]
    await call.send(
        "outbox_report",
        buttons,
        kinds=sorted(await outbox.counts(db), key=lambda k: _registered_order(k.kind)),
        failures=await outbox.latest_failures(db),
        broadcasts=reports,
    )


def _registered_order(kind: str) -> int:
    """Kinds as bot/outbox/kinds.py lists them; a kind no longer registered last."""
    return KINDS.index(kind) if kind in KINDS else len(KINDS)
