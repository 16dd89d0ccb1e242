"""Data protection in the chat: /meinedaten (a copy), /widerruf (withdraw consent), /loeschen
(erase everything after one confirmation). They work for anyone with stored data, also after a
withdrawal or when the privacy notice changed (current_person sees no one then)."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot import privacy
from bot.callbacks import CallbackData
from bot.context import AgendaContext
from bot.privacy_export import build_copy
from handlers.common import Button, answer_callback, label, language_of, send, text
from handlers.routes import Call, visitor_button
from storage import organisations, people
from storage.db import from_iso
from storage.people import Person


@dataclass(frozen=True)
class AskErase(CallbackData, prefix="PD:ask"):
    """Erase everything: ask once."""


@dataclass(frozen=True)
class EraseNow(CallbackData, prefix="PD:yes"):
    """Erase everything now (the confirmation)."""


@dataclass(frozen=True)
class KeepData(CallbackData, prefix="PD:no"):
    """Do not erase after all."""


@dataclass(frozen=True)
class Withdraw(CallbackData, prefix="PD:wd"):
    """Withdraw the consent."""


@dataclass(frozen=True)
class CopyData(CallbackData, prefix="PD:copy"):
    """A copy of everything stored."""


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The data protection commands and their buttons (for anyone: see the module docstring)."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler(["loeschen", "delete"], erase_command, filters=private),
        CommandHandler(["widerruf", "withdraw"], withdraw_command, filters=private),
        CommandHandler(["meinedaten", "mydata"], copy_command, filters=private),
        visitor_button(AskErase, on_ask_erase),
        visitor_button(EraseNow, on_erase),
        visitor_button(KeepData, on_keep),
        visitor_button(Withdraw, on_withdraw),
        visitor_button(CopyData, on_copy),
    ]


def buttons(context: AgendaContext, lang: str) -> list[list[Button]]:
    """The rows /profil and /hilfe show: copy, withdraw, erase."""
    return [
        [(label(context, lang, "my_data"), CopyData().pack())],
        [
            (label(context, lang, "withdraw"), Withdraw().pack()),
            (label(context, lang, "erase"), AskErase().pack()),
        ],
    ]


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
        update,
        context,
        lang,
        "erase_confirm",
        [
            [(label(context, lang, "erase_yes"), EraseNow().pack())],
            [(label(context, lang, "erase_no"), KeepData().pack())],
        ],
        organisation=person.organisation_name or "",
        shared=shared,
        keep_anonymised=context.services.consultation.retention.keep_anonymised,
    )


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
    local = since.astimezone(services.consultation.zone)
    await send(
        update,
        context,
        lang,
        "withdrawn",
        [
            [(label(context, lang, "erase"), AskErase().pack())],
            [(label(context, lang, "my_data"), CopyData().pack())],
        ],
        since=f"{local:%d.%m.%Y %H:%M}" if lang == "de" else f"{local:%Y-%m-%d %H:%M}",
        purge_after=services.consultation.purge_after,
    )


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
        context,
        person.language,
        "my_data_caption",
        purge_after=services.consultation.purge_after,
    )
    await context.bot.send_document(chat.id, copy.data, filename=copy.file_name, caption=caption)


async def _answered(call: Call[CallbackData], *, drop: bool = True) -> tuple[Person | None, str]:
    """Whoever has data stored (whatever their consent state) and their language; the button
    answered and, unless drop is False, removed."""
    person = await _stored(call.update, call.context)
    lang = language_of(call.update, person)
    await answer_callback(call.update, call.context, lang)
    if drop:
        await call.drop_buttons()
    return person, lang


async def on_copy(call: Call[CopyData]) -> None:
    """The copy of everything stored."""
    person, _ = await _answered(call, drop=False)
    await send_copy(call.update, call.context, person)


async def on_ask_erase(call: Call[AskErase]) -> None:
    """Ask once before erasing."""
    person, _ = await _answered(call)
    await ask_erase(call.update, call.context, person)


async def on_withdraw(call: Call[Withdraw]) -> None:
    """Withdraw the consent."""
    await _answered(call)
    await withdraw(call.update, call.context)


async def on_keep(call: Call[KeepData]) -> None:
    """Nothing erased."""
    person, lang = await _answered(call)
    await send(
        call.update, call.context, lang, "erase_kept" if person else "privacy_nothing_stored"
    )


async def on_erase(call: Call[EraseNow]) -> None:
    """Erase everything now; freed seats are offered on."""
    person, lang = await _answered(call)
    services = call.services
    erased = None
    if person is not None:
        erased = await privacy.erase(
            services.db, services.consultation, services.settings, person.id, services.clock()
        )
    if erased is None:
        await send(call.update, call.context, lang, "privacy_nothing_stored")
        return
    dispatcher = call.context.bot_data.dispatcher
    if erased.offered and dispatcher is not None:
        dispatcher.wake()  # the freed seats' offers
    await send(call.update, call.context, lang, "erase_done", erased=erased)
