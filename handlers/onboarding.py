"""Onboarding: language, consent, group, organisation, action fields, naming; and the profile."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.callbacks import decode, encode
from bot.context import AgendaContext
from bot.texts import LANGUAGES
from handlers import privacy
from handlers.common import (
    Button,
    answer_callback,
    chunks,
    current_person,
    drop_buttons,
    keyboard,
    label,
    language_of,
    menu_buttons,
    send,
)
from storage import organisations, people
from storage.people import Person

AWAITING_ORG_NAME = "org_name"
ORG_NAME_LIMIT = 120
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
NO_ORGANISATION_GROUPS = frozenset({"citizen"})


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The onboarding and profile handlers."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("start", start, filters=private),
        CommandHandler(["profil", "profile"], profile_command, filters=private),
        CallbackQueryHandler(on_language, pattern=r"^L:"),
        CallbackQueryHandler(on_consent, pattern=r"^C:"),
        CallbackQueryHandler(on_group, pattern=r"^G:"),
        CallbackQueryHandler(on_field, pattern=r"^F:"),
        CallbackQueryHandler(on_fields_done, pattern=r"^FD$"),
        CallbackQueryHandler(on_naming, pattern=r"^N:"),
        CallbackQueryHandler(on_profile_button, pattern=r"^PR:"),
        CallbackQueryHandler(on_language_change, pattern=r"^LANG:"),
    ]


async def start(update: Update, context: AgendaContext) -> None:
    """/start [token]: begin, or come back and change the profile."""
    services = context.services
    person = await current_person(update, context)
    token = context.args[0] if context.args else None
    invited = None
    if token is not None:
        invited = await organisations.by_token(services.db, token) if _TOKEN.match(token) else None
        if invited is None:
            await send(update, context, language_of(update, person), "invite_unknown")
    if person is None:
        user = update.effective_user
        stored = await people.by_telegram_id(services.db, user.id) if user else None
        if stored is not None and not stored.withdrawn:  # the privacy notice changed
            await send(update, context, stored.language, "consent_again")
        await ask_language(update, context, invited.invite_token if invited else None)
        return
    if invited is not None:
        await organisations.bind_person(
            services.db, person.id, invited.id, invited.group_id, now=services.clock()
        )
        await send(update, context, person.language, "invite_bound", organisation=invited.name)
        person = await people.by_telegram_id(services.db, person.telegram_id)
        assert person is not None
    if person.onboarded:
        await show_profile(update, context, person, greeting=True)
    else:
        await resume(update, context, person)


async def ask_language(update: Update, context: AgendaContext, token: str | None) -> None:
    """The first question: which language (before anything is stored)."""
    extra = (token,) if token else ()
    await send(
        update,
        context,
        "de",
        "choose_language",
        [[(label(context, code, "language"), encode("L", code, *extra)) for code in LANGUAGES]],
    )


async def on_language(update: Update, context: AgendaContext) -> None:
    """Language chosen: show the privacy notice and ask for consent."""
    payload = decode(update.callback_query.data if update.callback_query else None)
    lang = payload.arg(0) if payload else None
    if payload is None or lang not in ("de", "en"):
        await answer_callback(update, context, "de", "stale_button")
        return
    await answer_callback(update, context, lang)
    await drop_buttons(update)
    extra = payload.args[1:2]
    consultation = context.services.consultation
    await send(
        update,
        context,
        lang,
        "privacy_notice",
        [
            [(label(context, lang, "consent_yes"), encode("C", "y", lang, *extra))],
            [(label(context, lang, "consent_no"), encode("C", "n", lang))],
        ],
        consultation=consultation,
        title=consultation.title.get(lang),
    )


async def on_consent(update: Update, context: AgendaContext) -> None:
    """Consent given (store the person now) or refused (store nothing)."""
    services = context.services
    payload = decode(update.callback_query.data if update.callback_query else None)
    choice, lang = (payload.arg(0), payload.arg(1)) if payload else (None, None)
    if payload is None or choice not in ("y", "n") or lang not in ("de", "en"):
        await answer_callback(update, context, "de", "stale_button")
        return
    user = update.effective_user
    assert user is not None
    if choice == "n":
        await answer_callback(update, context, lang)
        await drop_buttons(update)
        existing = await people.by_telegram_id(services.db, user.id)
        if existing is None:
            await send(update, context, lang, "consent_refused")
        else:  # declining after consenting withdraws the consent
            await privacy.withdraw(update, context)
        return
    token, now = payload.arg(2), services.clock()
    async with services.db.transaction():  # consent and invitation together, then the reply
        person = await people.record_consent(
            services.db, user.id, lang, services.consultation.consent_version, now=now
        )
        invited = await organisations.by_token(services.db, token) if token else None
        if invited is not None:
            await organisations.bind_person(
                services.db, person.id, invited.id, invited.group_id, now=now
            )
    await answer_callback(update, context, lang)
    await drop_buttons(update)
    if invited is not None:
        await send(update, context, lang, "invite_bound", organisation=invited.name)
    else:
        await send(update, context, lang, "consent_thanks")
    refreshed = await people.by_telegram_id(services.db, user.id)
    assert refreshed is not None
    await resume(update, context, refreshed)


async def resume(update: Update, context: AgendaContext, person: Person) -> None:
    """Ask for the first missing part of the profile, or finish onboarding."""
    if person.group_id is None:
        await ask_group(update, context, person)
    elif person.organisation_id is None and person.group_id not in NO_ORGANISATION_GROUPS:
        await ask_org_name(update, context, person)
    elif not person.fields:
        await ask_fields(update, context, person)
    elif not person.onboarded and person.organisation_id is not None:
        await ask_naming(update, context, person)
    else:
        await finish(update, context, person)


async def ask_group(update: Update, context: AgendaContext, person: Person) -> None:
    """Which kind of organisation the person speaks for."""
    lang = person.language
    groups = context.services.consultation.groups
    buttons: list[Button] = [(g.title.get(lang), encode("G", g.id)) for g in groups]
    await send(update, context, lang, "ask_group", chunks(buttons, 2))


async def on_group(update: Update, context: AgendaContext) -> None:
    """Group chosen."""
    services = context.services
    person = await current_person(update, context)
    payload = decode(update.callback_query.data if update.callback_query else None)
    group_id = payload.arg(0) if payload else None
    lang = language_of(update, person)
    if person is None or group_id is None or services.consultation.group(group_id) is None:
        await answer_callback(update, context, lang, "stale_button")
        return
    async with services.db.transaction():  # stored before the person is told "saved"
        await people.set_group(services.db, person.id, group_id, now=services.clock())
        await organisations.sync_group(services.db, person.id)
    await answer_callback(update, context, lang, "saved")
    await drop_buttons(update)
    await _after_change(update, context, person.telegram_id)


async def ask_org_name(update: Update, context: AgendaContext, person: Person) -> None:
    """The organisation's name, typed."""
    await people.set_awaiting(
        context.services.db, person.id, AWAITING_ORG_NAME, now=context.services.clock()
    )
    await send(update, context, person.language, "ask_org_name", limit=ORG_NAME_LIMIT)


async def on_org_name(update: Update, context: AgendaContext, person: Person, typed: str) -> None:
    """A typed organisation name (called by the input router)."""
    name = " ".join(typed.split())
    if not name:
        await send(update, context, person.language, "org_name_empty")
        return
    if len(name) > ORG_NAME_LIMIT:
        await send(
            update,
            context,
            person.language,
            "org_name_too_long",
            length=len(name),
            limit=ORG_NAME_LIMIT,
        )
        return
    db = context.services.db
    async with db.transaction():  # the name and "no longer waiting for it" together
        now = context.services.clock()
        await organisations.set_own_name(db, person.id, name, now=now)
        await people.set_awaiting(db, person.id, None, now=now)
    await send(update, context, person.language, "org_name_saved", organisation=name)
    await _after_change(update, context, person.telegram_id)


def _field_buttons(context: AgendaContext, person: Person) -> list[list[Button]]:
    lang = person.language
    rows = [
        [
            (
                label(context, lang, "toggle", title=f.title.get(lang), on=f.id in person.fields),
                encode("F", f.id),
            )
        ]
        for f in context.services.consultation.action_fields
    ]
    rows.append([(label(context, lang, "done"), "FD")])
    return rows


async def ask_fields(update: Update, context: AgendaContext, person: Person) -> None:
    """Which action fields the person cares about (several allowed)."""
    await send(update, context, person.language, "ask_fields", _field_buttons(context, person))


async def on_field(update: Update, context: AgendaContext) -> None:
    """Switch one action field on or off; saved at once."""
    services = context.services
    person = await current_person(update, context)
    payload = decode(update.callback_query.data if update.callback_query else None)
    field_id = payload.arg(0) if payload else None
    lang = language_of(update, person)
    if person is None or field_id is None or services.consultation.action_field(field_id) is None:
        await answer_callback(update, context, lang, "stale_button")
        return
    await people.toggle_field(services.db, person.id, field_id)
    person = await people.by_id(services.db, person.id)
    assert person is not None
    await answer_callback(update, context, lang)
    query = update.callback_query
    assert query is not None
    await query.edit_message_reply_markup(reply_markup=keyboard(_field_buttons(context, person)))


async def on_fields_done(update: Update, context: AgendaContext) -> None:
    """Action fields confirmed."""
    person = await current_person(update, context)
    lang = language_of(update, person)
    if person is None:
        await answer_callback(update, context, lang, "stale_button")
        return
    if not person.fields:
        await answer_callback(update, context, lang, "pick_one_field")
        return
    await answer_callback(update, context, lang, "saved")
    await drop_buttons(update)
    await _after_change(update, context, person.telegram_id)


async def ask_naming(update: Update, context: AgendaContext, person: Person) -> None:
    """May workshop documents name the organisation?"""
    lang = person.language
    await send(
        update,
        context,
        lang,
        "ask_naming",
        [
            [(label(context, lang, "naming_yes"), encode("N", "y"))],
            [(label(context, lang, "naming_no"), encode("N", "n"))],
        ],
        organisation=person.organisation_name or "",
    )


async def on_naming(update: Update, context: AgendaContext) -> None:
    """Naming decided."""
    services = context.services
    person = await current_person(update, context)
    payload = decode(update.callback_query.data if update.callback_query else None)
    choice = payload.arg(0) if payload else None
    lang = language_of(update, person)
    if person is None or person.organisation_id is None or choice not in ("y", "n"):
        await answer_callback(update, context, lang, "stale_button")
        return
    await organisations.set_may_be_named(services.db, person.organisation_id, choice == "y")
    await answer_callback(update, context, lang, "saved")
    await drop_buttons(update)
    if person.onboarded:
        await _after_change(update, context, person.telegram_id)
    else:
        await finish(update, context, person)


async def finish(update: Update, context: AgendaContext, person: Person) -> None:
    """Profile complete: say what comes next and show the menu."""
    if not person.onboarded:
        await people.mark_onboarded(context.services.db, person.id, now=context.services.clock())
    await send(
        update,
        context,
        person.language,
        "onboarding_done",
        menu_buttons(context, person.language, person),
    )


async def _after_change(update: Update, context: AgendaContext, telegram_id: int) -> None:
    """After a profile step: continue onboarding, or show the profile when it was an edit."""
    person = await people.by_telegram_id(context.services.db, telegram_id)
    assert person is not None
    if (
        person.onboarded
        and person.fields
        and (person.organisation_id is not None or person.group_id in NO_ORGANISATION_GROUPS)
    ):
        await show_profile(update, context, person)
    else:
        await resume(update, context, person)


async def profile_command(update: Update, context: AgendaContext) -> None:
    """/profil: show and change the profile."""
    person = await current_person(update, context)
    if person is None:
        await ask_language(update, context, None)
    elif not person.onboarded:
        await resume(update, context, person)
    else:
        await show_profile(update, context, person)


async def show_profile(
    update: Update, context: AgendaContext, person: Person, *, greeting: bool = False
) -> None:
    """The profile with a button for each part that can change."""
    lang = person.language
    consultation = context.services.consultation
    group = consultation.group(person.group_id) if person.group_id else None
    fields = [f.title.get(lang) for f in consultation.action_fields if f.id in person.fields]
    rows: list[list[Button]] = [
        [(label(context, lang, "change_group"), encode("PR", "group"))],
    ]
    if person.group_id not in NO_ORGANISATION_GROUPS and not person.organisation_invited:
        rows.append([(label(context, lang, "change_org"), encode("PR", "org"))])
    rows.append([(label(context, lang, "change_fields"), encode("PR", "fields"))])
    if person.organisation_id is not None:
        rows.append([(label(context, lang, "change_naming"), encode("PR", "naming"))])
    rows.append([(label(context, lang, "change_language"), encode("PR", "lang"))])
    rows += privacy.buttons(context, lang)
    rows.append([(label(context, lang, "menu"), encode("M", "menu"))])
    await send(
        update,
        context,
        lang,
        "profile",
        rows,
        greeting=greeting,
        group=group.title.get(lang) if group else "",
        organisation=person.organisation_name or "",
        fields=fields,
        may_be_named=person.may_be_named,
        has_organisation=person.organisation_id is not None,
    )


async def on_profile_button(update: Update, context: AgendaContext) -> None:
    """One part of the profile is to change."""
    person = await current_person(update, context)
    payload = decode(update.callback_query.data if update.callback_query else None)
    what = payload.arg(0) if payload else None
    lang = language_of(update, person)
    if person is None or what not in ("group", "org", "fields", "naming", "lang"):
        await answer_callback(update, context, lang, "stale_button")
        return
    await answer_callback(update, context, lang)
    await drop_buttons(update)
    if what == "group":
        await ask_group(update, context, person)
    elif what == "org":
        await ask_org_name(update, context, person)
    elif what == "fields":
        await ask_fields(update, context, person)
    elif what == "naming" and person.organisation_id is not None:
        await ask_naming(update, context, person)
    else:
        await send(
            update,
            context,
            lang,
            "choose_language_again",
            [[(label(context, code, "language"), encode("LANG", code)) for code in LANGUAGES]],
        )


async def on_language_change(update: Update, context: AgendaContext) -> None:
    """Language changed from the profile."""
    person = await current_person(update, context)
    payload = decode(update.callback_query.data if update.callback_query else None)
    lang = payload.arg(0) if payload else None
    if person is None or lang not in ("de", "en"):
        await answer_callback(update, context, language_of(update, person), "stale_button")
        return
    await people.set_language(context.services.db, person.id, lang, now=context.services.clock())
    await answer_callback(update, context, lang, "saved")
    await drop_buttons(update)
    await _after_change(update, context, person.telegram_id)


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
