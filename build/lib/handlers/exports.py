"""/export (staff, private chat): every answer, report and participant as one XLSX workbook."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import BaseHandler, CommandHandler

from bot.context import AgendaContext
from bot.export_xlsx import xlsx_bytes
from bot.exports import Export, build_export, export_file_name
from bot.render_worker import RENDER_TIMEOUT, RenderFailed
from handlers.common import current_person, language_of, queued, send, text
from handlers.staff import audit_action, staff_only

TELEGRAM_UPLOAD_LIMIT = 50 * 1024 * 1024  # bytes a bot may send with sendDocument


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The export command."""
    return [CommandHandler("export", staff_only(export_command))]


async def export_command(update: Update, context: AgendaContext) -> None:
    """/export: the workbook of all tables, built and sent in a task so others get answers."""
    context.application.create_task(_build_and_send(update, context), update=update)


async def _build_and_send(update: Update, context: AgendaContext) -> None:
    """Read the tables, write the workbook in the render worker, send it as a document.

    The worker, not a thread: writing a large workbook holds the interpreter for seconds, and
    in a thread of the bot's process that would slow every other reply.
    """
    services = context.services
    lang = language_of(update, await current_person(update, context))
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
