"""Staff merge a duplicate problem report into another (buttons on the /problem cards).

PM:pick:<gone> lists the field's other reports, alike titles first; PM:into:<gone>:<keep> asks
to confirm; PM:ok:<gone>:<keep> merges (``storage.problems.merge``: votes and the reporter move,
nobody twice); PM:no cancels. Staff only, private chats only (``handlers.staff.staff_only``).
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import similar
from bot.callbacks import Payload, decode, encode
from bot.context import AgendaContext
from handlers.common import (
    Button,
    answer_callback,
    current_person,
    drop_buttons,
    label,
    language_of,
    send,
)
from handlers.staff import staff_only
from storage import problems as problem_store
from storage.problems import MergeRefused, Problem

CANDIDATES = 6  # reports offered to merge into: the likest titles first


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The staff's merge buttons."""
    return [CallbackQueryHandler(staff_only(on_merge), pattern=r"^PM:")]


def may_merge(update: Update, context: AgendaContext) -> bool:
    """Whether this chat is a staff member's private chat (so the merge button is shown)."""
    user, chat = update.effective_user, update.effective_chat
    return (
        user is not None
        and chat is not None
        and chat.type == ChatType.PRIVATE
        and context.services.is_staff(user.id)
    )


def merge_row(context: AgendaContext, lang: str, problem: Problem) -> list[Button]:
    """The staff's button under a report's card."""
    return [(label(context, lang, "problem_merge"), encode("PM", "pick", problem.id))]


def _ids(payload: Payload | None) -> tuple[int, int | None] | None:
    """(gone, keep) from PM:<action>:<gone>[:<keep>]; None when gone is no number."""
    gone = payload.number(1) if payload else None
    if payload is None or gone is None:
        return None
    return gone, payload.number(2)


async def on_merge(update: Update, context: AgendaContext) -> None:
    """PM:pick / PM:into / PM:ok / PM:no."""
    db = context.services.db
    person = await current_person(update, context)
    lang = language_of(update, person)
    payload = decode(update.callback_query.data if update.callback_query else None)
    action = payload.arg(0) if payload else None
    ids = _ids(payload)
    if action == "no":
        await answer_callback(update, context, lang)
        await drop_buttons(update)
        await send(update, context, lang, "problem_merge_cancelled")
        return
    gone = await problem_store.get(db, ids[0]) if ids else None
    keep = await problem_store.get(db, ids[1]) if ids and ids[1] is not None else None
    if gone is None or not gone.visible or (action != "pick" and keep is None):
        await answer_callback(update, context, lang, "stale_button")
        return
    await answer_callback(update, context, lang)
    await drop_buttons(update)
    if action == "pick":
        others = [
            p
            for p in await problem_store.visible_in_field(db, gone.action_field)
            if p.id != gone.id
        ]
        others.sort(key=lambda p: -similar.likeness(p.title or "", gone.title or ""))
        rows: list[list[Button]] = [
            [
                (
                    label(context, lang, "problem_merge_into", problem=p),
                    encode("PM", "into", gone.id, p.id),
                )
            ]
            for p in others[:CANDIDATES]
        ]
        rows.append([(label(context, lang, "problem_merge_no"), encode("PM", "no"))])
        await send(update, context, lang, "problem_merge_pick", rows, gone=gone, count=len(others))
    elif action == "into" and keep is not None:
        await send(
            update,
            context,
            lang,
            "problem_merge_confirm",
            [
                [(label(context, lang, "problem_merge_ok"), encode("PM", "ok", gone.id, keep.id))],
                [(label(context, lang, "problem_merge_no"), encode("PM", "no"))],
            ],
            gone=gone,
            keep=keep,
        )
    elif action == "ok" and keep is not None:
        try:
            merged = await problem_store.merge(db, keep.id, gone.id, now=context.services.clock())
        except MergeRefused as refused:
            await send(update, context, lang, "problem_merge_refused", reason=refused.reason)
            return
        await send(update, context, lang, "problem_merged", merged=merged)
