"""Onboarding: /start and /profil, the language, consent to the privacy notice, an invitation
link carried along; then the profile's questions (handlers/profile.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.callbacks import CallbackData, Chars
from bot.context import AgendaContext
from bot.texts import LANGUAGES
from handlers import members as member_flow
from handlers import privacy
from handlers.common import answer_callback, current_person, label, language_of, lead_with, send
from handlers.profile import LanguageCode, resume, show_profile
from handlers.routes import Call, visitor_button
from storage import members, people
from storage.people import Person

INVITE_PATTERN = r"^[A-Za-z0-9_-]{1,40}$"
_TOKEN = re.compile(INVITE_PATTERN)

InviteToken = Annotated[str, Chars.of(INVITE_PATTERN)]


@dataclass(frozen=True)
class ChooseLanguage(CallbackData, prefix="L"):
    """The first question's answer, with the invitation of /start <token> carried along."""

    lang: LanguageCode
    token: InviteToken | None = None


@dataclass(frozen=True)
class Consent(CallbackData, prefix="C"):
    """Consent given (y) or refused (n) to the privacy notice in that language."""

    choice: Literal["y", "n"]
    lang: LanguageCode
    token: InviteToken | None = None


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The onboarding handlers: /start, /profil, language and consent."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("start", start, filters=private),
        CommandHandler(["profil", "profile"], profile_command, filters=private),
        visitor_button(ChooseLanguage, on_language),
        visitor_button(Consent, on_consent),
    ]


async def start(update: Update, context: AgendaContext) -> None:
    """/start [token]: begin, or come back and change the profile."""
    services = context.services
    person = await current_person(update, context)
    token = context.args[0] if context.args else None
    invited = None
    if token is not None:
        invited = await members.link(services.db, token) if _TOKEN.match(token) else None
        if invited is None:
            await send(update, context, language_of(update, person), "invite_unknown")
        elif invited.outcome == "revoked":
            await member_flow.tell(update, context, language_of(update, person), invited)
            invited = None
    if person is None:
        user = update.effective_user
        stored = await people.by_telegram_id(services.db, user.id) if user else None
        if stored is not None and not stored.withdrawn:  # the privacy notice changed
            await send(update, context, stored.language, "consent_again")
        await ask_language(update, context, token if invited else None)
        return
    redeemed = await member_flow.use_link(context, person.id, token) if invited and token else None
    if redeemed is not None:
        await member_flow.tell(update, context, person.language, redeemed)
        person = await people.by_telegram_id(services.db, person.telegram_id)
        assert person is not None
        if redeemed.outcome == "waiting" and not person.onboarded:
            return  # told to wait; nothing else to ask meanwhile
    if person.onboarded:
        await show_profile(update, context, person, greeting=True)
    else:
        await resume(update, context, person)


async def ask_language(update: Update, context: AgendaContext, token: str | None) -> None:
    """The first question: which language (before anything is stored)."""
    await send(
        update,
        context,
        "de",
        "choose_language",
        [
            [
                (label(context, code, "language"), ChooseLanguage(code, token).pack())
                for code in LANGUAGES
            ]
        ],
    )


async def on_language(call: Call[ChooseLanguage]) -> None:
    """Language chosen: show the privacy notice and ask for consent."""
    update, context = call.update, call.context
    lang, token = call.payload.lang, call.payload.token
    if lang not in LANGUAGES:
        await answer_callback(update, context, "de", "stale_button")
        return
    await answer_callback(update, context, lang)
    call.move_on()
    consultation = context.services.consultation
    await send(
        update,
        context,
        lang,
        "privacy_notice",
        [
            [(label(context, lang, "consent_yes"), Consent("y", lang, token).pack())],
            [(label(context, lang, "consent_no"), Consent("n", lang).pack())],
        ],
        consultation=consultation,
        title=consultation.title.get(lang),
    )


async def on_consent(call: Call[Consent]) -> None:
    """Consent given (store the person now) or refused (store nothing)."""
    update, context, services = call.update, call.context, call.services
    choice, lang = call.payload.choice, call.payload.lang
    if lang not in LANGUAGES:
        await answer_callback(update, context, "de", "stale_button")
        return
    user = update.effective_user
    assert user is not None
    if choice == "n":
        await answer_callback(update, context, lang)
        call.move_on()
        existing = await people.by_telegram_id(services.db, user.id)
        if existing is None:
            await send(update, context, lang, "consent_refused")
        else:  # declining after consenting withdraws the consent
            await privacy.withdraw(update, context)
        return
    token, now = call.payload.token, services.clock()
    async with services.db.transaction():  # consent and invitation together, then the reply
        person = await people.record_consent(
            services.db, user.id, lang, services.consultation.consent_version, now=now
        )
        redeemed = await member_flow.use_link(context, person.id, token) if token else None
    await answer_callback(update, context, lang)
    call.move_on()
    if redeemed is not None:
        await member_flow.tell(update, context, lang, redeemed)
    else:
        lead_with(context, lang, "consent_thanks")
    refreshed = await people.by_telegram_id(services.db, user.id)
    assert refreshed is not None
    if redeemed is not None and redeemed.outcome == "waiting" and not refreshed.onboarded:
        return  # told to wait; nothing else to ask meanwhile
    await resume(update, context, refreshed)


async def profile_command(update: Update, context: AgendaContext) -> None:
    """/profil: show and change the profile."""
    person = await current_person(update, context)
    if person is None:
        await ask_language(update, context, None)
    elif not person.onboarded:
        await resume(update, context, person)
    else:
        await show_profile(update, context, person)


async def ensure_onboarded(update: Update, context: AgendaContext) -> Person | None:
    """The person if their profile is complete; otherwise continue onboarding and return None."""
    person = await current_person(update, context)
    if person is not None and person.onboarded:
        return person
    lang = language_of(update, person)
    if update.callback_query is not None:
        await answer_callback(update, context, lang, "profile_first")
    if person is None:
        await ask_language(update, context, None)
    else:
        await resume(update, context, person)
    return None
