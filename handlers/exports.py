"""/export (staff, private chat): every answer, report and participant as one XLSX workbook."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import BaseHandler

from bot.context import AgendaContext
from bot.documents.worker import RENDER_TIMEOUT, RenderFailed
from bot.documents.xlsx import xlsx_bytes
from bot.exports import Export, build_export, export_file_name
from handlers.common import queued, send, text
from handlers.routes import Args, Call, staff_command
from handlers.staff import audit_action

TELEGRAM_UPLOAD_LIMIT = 50 * 1024 * 1024  # bytes a bot may send with sendDocument


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The export command."""
    return [staff_command("export", export_command)]


async def export_command(call: Call[Args]) -> None:
    """/export: the workbook of all tables, built and sent in a task so others get answers."""
    sending = _build_and_send(call.update, call.context, call.lang)
    call.context.application.create_task(sending, update=call.update)


async def _build_and_send(update: Update, context: AgendaContext, lang: str) -> None:
    """Read the tables, write the workbook in the render worker, send it as a document.

    The worker, not a thread: writing a large workbook holds the interpreter for seconds, and
    in a thread of the bot's process that would slow every other reply.
    """
    services = context.services
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    export = await build_export(
        services.db, services.consultation, services.clock(), services.consultation.zone
    )
    await audit_action(update, context, "export", detail="xlsx")
    try:
        data = await context.renders.run(
            xlsx_bytes, export, RENDER_TIMEOUT, "export", queued=queued(update, context, lang)
        )
    except RenderFailed:
        await send(update, context, lang, "export_failed")
        return
    if len(data) > TELEGRAM_UPLOAD_LIMIT:
        await send(update, context, lang, "export_too_large", megabytes=len(data) // 2**20)
        return
    await context.bot.send_document(
        chat.id, data, filename=export_file_name(export), caption=_caption(context, lang, export)
    )


def _caption(context: AgendaContext, lang: str, export: Export) -> str:
    return text(
        context,
        lang,
        "export_caption",
        title=export.title,
        exported_at=export.exported_at,
        answers=len(export.table("Antworten").rows),
        problems=len(export.table("Probleme").rows),
        participants=len(export.table("Teilnehmende").rows),
    )
