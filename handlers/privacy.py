"""Data protection in the chat: /meinedaten (a copy), /widerruf (withdraw consent), /loeschen
(erase everything after one confirmation). They work for anyone with stored data, also after a
withdrawal or when the privacy notice changed (current_person sees no one then)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import privacy
from bot.callbacks import decode, encode
from bot.context import AgendaContext
from bot.privacy_export import build_copy
from handlers.common import (
    Button,
    answer_callback,
    drop_buttons,
    label,
    language_of,
    send,
    text,
)
from storage import organisations, people
from storage.db import from_iso
from storage.people import Person

KIND = "PD"  # PD:ask, PD:yes, PD:no, PD:wd, PD:copy


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The data protection commands and their buttons."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler(["loeschen", "delete"], erase_command, filters=private),
        CommandHandler(["widerruf", "withdraw"], withdraw_command, filters=private),
        CommandHandler(["meinedaten", "mydata"], copy_command, filters=private),
        CallbackQueryHandler(on_button, pattern=rf"^{KIND}:"),
    ]


def buttons(context: AgendaContext, lang: str) -> list[list[Button]]:
    """The rows /profil and /hilfe show: copy, withdraw, erase."""
    return [
        [(label(context, lang, "my_data"), encode(KIND, "copy"))],
        [(label(context, lang, "withdraw"), encode(KIND, "wd")),
         (label(context, lang, "erase"), encode(KIND, "ask"))],
    ]  # fmt: skip


async def _stored(update: Update, context: AgendaContext) -> Person | None:
    """Whoever has data stored, whatever their consent state."""
    user = update.effective_user
    return await people.by_telegram_id(context.services.db, user.id) if user else None


async def erase_command(update: Update, context: AgendaContext) -> None:
    """/loeschen: say what will go and ask once."""
    await ask_erase(update, context, await _stored(update, context))


async def ask_erase(update: Update, context: AgendaContext, person: Person | None) -> None:
    """The one confirmation before erasing."""
    if person is None:
        await send(update, context, language_of(update, None), "privacy_nothing_stored")
        return
    lang, shared = person.language, False
    if person.organisation_id is not None:
        shared = await organisations.member_count(context.services.db, person.organisation_id) > 1
    await send(
        update, context, lang, "erase_confirm",
        [[(label(context, lang, "erase_yes"), encode(KIND, "yes"))],
         [(label(context, lang, "erase_no"), encode(KIND, "no"))]],
        organisation=person.organisation_name or "", shared=shared,
        keep_anonymised=context.services.consultation.retention.keep_anonymised,
    )  # fmt: skip


async def withdraw_command(update: Update, context: AgendaContext) -> None:
    """/widerruf: stop all processing now, then offer the erasure."""
    await withdraw(update, context)


async def withdraw(update: Update, context: AgendaContext) -> None:
    """Withdraw consent (also the "decline" button after consenting), say so, offer erasure."""
    services = context.services
    person = await _stored(update, context)
    if person is None:
        await send(update, context, language_of(update, None), "privacy_nothing_stored")
        return
    await privacy.withdraw(services.db, person.telegram_id, services.clock())
    refreshed = await people.withdrawn_at(services.db, person.telegram_id)
    since = from_iso(refreshed) if refreshed else services.clock()
    lang = person.language
    local = since.astimezone(services.settings.timezone)
    await send(
        update, context, lang, "withdrawn",
        [[(label(context, lang, "erase"), encode(KIND, "ask"))],
         [(label(context, lang, "my_data"), encode(KIND, "copy"))]],
        since=f"{local:%d.%m.%Y %H:%M}" if lang == "de" else f"{local:%Y-%m-%d %H:%M}",
        purge_after=services.consultation.purge_after,
    )  # fmt: skip


async def copy_command(update: Update, context: AgendaContext) -> None:
    """/meinedaten: everything stored, as a ZIP (HTML to read, JSON for programs)."""
    await send_copy(update, context, await _stored(update, context))


async def send_copy(update: Update, context: AgendaContext, person: Person | None) -> None:
    """Send the person their copy."""
    services = context.services
    if person is None:
        await send(update, context, language_of(update, None), "privacy_nothing_stored")
        return
    copy = await build_copy(services.db, services.consultation, person.id, services.clock())
    chat = update.effective_chat
    if copy is None or chat is None:
        await send(update, context, person.language, "privacy_nothing_stored")
        return
    caption = text(
        context, person.language, "my_data_caption",
        purge_after=services.consultation.purge_after,
    )  # fmt: skip
    await context.bot.send_document(chat.id, copy.data, filename=copy.file_name, caption=caption)


async def on_button(update: Update, context: AgendaContext) -> None:
    """PD buttons: ask, yes (erase now), no, wd (withdraw), copy."""
    services = context.services
    payload = decode(update.callback_query.data if update.callback_query else None)
    choice = payload.arg(0) if payload else None
    person = await _stored(update, context)
    lang = language_of(update, person)
    if choice not in ("ask", "yes", "no", "wd", "copy"):
        await answer_callback(update, context, lang, "stale_button")
        return
    await answer_callback(update, context, lang)
    if choice == "copy":
        await send_copy(update, context, person)
        return
    await drop_buttons(update)
    if choice == "ask":
        await ask_erase(update, context, person)
    elif choice == "wd":
        await withdraw(update, context)
    elif choice == "no":
        await send(update, context, lang, "erase_kept" if person else "privacy_nothing_stored")
    elif person is None:
        await send(update, context, lang, "privacy_nothing_stored")
    else:
        erased = await privacy.erase(
            services.db, services.consultation, services.settings, person.id, services.clock()
        )
        if erased is None:
            await send(update, context, lang, "privacy_nothing_stored")
            return
        dispatcher = context.bot_data.dispatcher
        if erased.offered and dispatcher is not None:
            dispatcher.wake()  # the freed seats' offers
        await send(update, context, lang, "erase_done", erased=erased)
