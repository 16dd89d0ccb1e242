"""The profile: the questions onboarding asks (group, organisation, action fields, naming)
and the same questions when a part of the profile is changed later (/profil)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler

from bot.awaiting import OrgName, expect
from bot.callbacks import CallbackData, Chars
from bot.context import AgendaContext
from bot.keys import ActionFieldKey, GroupKey
from bot.texts import LANGUAGES
from handlers import members as member_flow
from handlers import privacy
from handlers.common import (
    Button,
    Menu,
    answer_callback,
    chunks,
    keyboard,
    label,
    lead_with,
    menu_buttons,
    send,
)
from handlers.routes import Expected, PersonCall, expects, profile_button
from storage import members, organisations, people
from storage.people import Person

ORG_NAME_LIMIT = 120

LanguageCode = Annotated[str, Chars(8)]  # one of bot.texts.LANGUAGES, checked by the handler


@dataclass(frozen=True)
class ChooseGroup(CallbackData, prefix="G"):
    """The stakeholder group the person speaks for."""

    group: GroupKey


@dataclass(frozen=True)
class ToggleField(CallbackData, prefix="F"):
    """One action field switched on or off. `on` is the state the button asks for, so a tap
    repeated after a lost reply (a crash, a slow network) does not switch it back; buttons sent
    before it existed (None) still toggle."""

    field: ActionFieldKey
    on: bool | None = None


@dataclass(frozen=True)
class FieldsDone(CallbackData, prefix="FD"):
    """The action fields confirmed."""


@dataclass(frozen=True)
class Naming(CallbackData, prefix="N"):
    """Whether workshop documents may name the organisation (y/n)."""

    choice: Literal["y", "n"]


@dataclass(frozen=True)
class ChangeProfile(CallbackData, prefix="PR"):
    """One part of the profile to change."""

    part: Literal["group", "org", "fields", "naming", "lang"]


@dataclass(frozen=True)
class ChangeLanguage(CallbackData, prefix="LANG"):
    """The language chosen from the profile."""

    lang: LanguageCode


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The profile's buttons."""
    return [
        profile_button(ChooseGroup, on_group),
        profile_button(ToggleField, on_field),
        profile_button(FieldsDone, on_fields_done),
        profile_button(Naming, on_naming),
        profile_button(ChangeProfile, on_profile_button),
        profile_button(ChangeLanguage, on_language_change),
    ]


def typed_steps() -> list[Expected]:
    """The organisation's name."""
    return [expects(OrgName, on_org_name_typed)]


async def resume(update: Update, context: AgendaContext, person: Person) -> None:
    """Ask for the first missing part of the profile, or finish onboarding."""
    if await member_flow.waiting(update, context, person):
        return
    if person.group_id is None:
        await ask_group(update, context, person)
    elif person.organisation_id is None and context.services.consultation.needs_organisation(
        person.group_id
    ):
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
    buttons: list[Button] = [(g.title.get(lang), ChooseGroup(g.id).pack()) for g in groups]
    await send(update, context, lang, "ask_group", chunks(buttons, 2))


async def on_group(call: PersonCall[ChooseGroup]) -> None:
    """Group chosen."""
    services, person, group_id = call.services, call.person, call.payload.group
    if services.consultation.group(group_id) is None:
        await call.stale()
        return
    async with services.db.transaction():  # stored before the person is told "saved"
        await people.set_group(services.db, person.id, group_id, now=services.clock())
        await organisations.sync_group(services.db, person.id)
    await call.answer("saved")
    call.move_on()
    await _after_change(call.update, call.context, person.telegram_id)


async def ask_org_name(update: Update, context: AgendaContext, person: Person) -> None:
    """The organisation's name, typed."""
    await expect(context.services.db, person.id, OrgName(), now=context.services.clock())
    await send(update, context, person.language, "ask_org_name", limit=ORG_NAME_LIMIT)


async def on_org_name_typed(call: PersonCall[OrgName]) -> None:
    """Typed while the organisation's name is awaited."""
    if call.typed is None:
        await call.send("org_name_not_text")
    else:
        await on_org_name(call.update, call.context, call.person, call.typed)


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
        await expect(db, person.id, None, now=now)
    lead_with(context, person.language, "org_name_saved", organisation=name)
    await _after_change(update, context, person.telegram_id)


def _field_buttons(context: AgendaContext, person: Person) -> list[list[Button]]:
    lang = person.language
    rows = [
        [
            (
                label(context, lang, "toggle", title=f.title.get(lang), on=f.id in person.fields),
                ToggleField(f.id, f.id not in person.fields).pack(),
            )
        ]
        for f in context.services.consultation.action_fields
    ]
    rows.append([(label(context, lang, "done"), FieldsDone().pack())])
    return rows


async def ask_fields(update: Update, context: AgendaContext, person: Person) -> None:
    """Which action fields the person cares about (several allowed)."""
    await send(update, context, person.language, "ask_fields", _field_buttons(context, person))


async def on_field(call: PersonCall[ToggleField]) -> None:
    """Switch one action field on or off; saved at once."""
    services, field_id = call.services, call.payload.field
    if services.consultation.action_field(field_id) is None:
        await call.stale()
        return
    if call.payload.on is None:
        await people.toggle_field(services.db, call.person.id, field_id)
    else:
        await people.set_field(services.db, call.person.id, field_id, on=call.payload.on)
    person = await people.by_id(services.db, call.person.id)
    assert person is not None
    await call.answer()
    query = call.update.callback_query
    assert query is not None
    try:
        await query.edit_message_reply_markup(
            reply_markup=keyboard(_field_buttons(call.context, person))
        )
    except BadRequest as error:  # a repeated tap: the buttons show the stored choice already
        if "not modified" not in str(error):
            raise


async def on_fields_done(call: PersonCall[FieldsDone]) -> None:
    """Action fields confirmed."""
    if not call.person.fields:
        await call.answer("pick_one_field")
        return
    await call.answer("saved")
    call.move_on()
    await _after_change(call.update, call.context, call.person.telegram_id)


async def ask_naming(update: Update, context: AgendaContext, person: Person) -> None:
    """May workshop documents name the organisation? Only its contact decides."""
    lang = person.language
    if not await members.is_contact(context.services.db, person.id, person.organisation_id):
        if person.onboarded:
            await send(
                update,
                context,
                lang,
                "naming_contact_only",
                organisation=person.organisation_name or "",
            )
        else:
            await finish(update, context, person)
        return
    await send(
        update,
        context,
        lang,
        "ask_naming",
        [
            [(label(context, lang, "naming_yes"), Naming("y").pack())],
            [(label(context, lang, "naming_no"), Naming("n").pack())],
        ],
        organisation=person.organisation_name or "",
    )


async def on_naming(call: PersonCall[Naming]) -> None:
    """Naming decided."""
    person = call.person
    if person.organisation_id is None:
        await call.stale()
        return
    if not await members.is_contact(call.services.db, person.id, person.organisation_id):
        await call.answer()
        await call.send("naming_contact_only", organisation=person.organisation_name or "")
        return
    await organisations.set_may_be_named(
        call.services.db, person.organisation_id, call.payload.choice == "y"
    )
    await call.answer("saved")
    call.move_on()
    if person.onboarded:
        await _after_change(call.update, call.context, person.telegram_id)
    else:
        await finish(call.update, call.context, person)


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
        and (
            person.organisation_id is not None
            or not context.services.consultation.needs_organisation(person.group_id)
        )
    ):
        await show_profile(update, context, person)
    else:
        await resume(update, context, person)


async def show_profile(
    update: Update, context: AgendaContext, person: Person, *, greeting: bool = False
) -> None:
    """The profile with a button for each part that can change."""
    lang = person.language
    consultation = context.services.consultation
    group = consultation.group(person.group_id) if person.group_id else None
    fields = [f.title.get(lang) for f in consultation.action_fields if f.id in person.fields]
    rows: list[list[Button]] = [
        [(label(context, lang, "change_group"), ChangeProfile("group").pack())],
    ]
    if (
        context.services.consultation.needs_organisation(person.group_id)
        and not person.organisation_invited
    ):
        rows.append([(label(context, lang, "change_org"), ChangeProfile("org").pack())])
    rows.append([(label(context, lang, "change_fields"), ChangeProfile("fields").pack())])
    if await members.is_contact(context.services.db, person.id, person.organisation_id):
        rows.append([(label(context, lang, "change_naming"), ChangeProfile("naming").pack())])
    rows.append([(label(context, lang, "change_language"), ChangeProfile("lang").pack())])
    rows += privacy.buttons(context, lang)
    rows.append([(label(context, lang, "menu"), Menu("menu").pack())])
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


async def on_profile_button(call: PersonCall[ChangeProfile]) -> None:
    """One part of the profile is to change."""
    update, context, person, lang = call.update, call.context, call.person, call.lang
    what = call.payload.part
    await call.answer()
    call.move_on()
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
            [
                [
                    (label(context, code, "language"), ChangeLanguage(code).pack())
                    for code in LANGUAGES
                ]
            ],
        )


async def on_language_change(call: PersonCall[ChangeLanguage]) -> None:
    """Language changed from the profile."""
    lang, services = call.payload.lang, call.services
    if lang not in LANGUAGES:
        await call.stale()
        return
    await people.set_language(services.db, call.person.id, lang, now=services.clock())
    await answer_callback(call.update, call.context, lang, "saved")
    call.move_on()
    await _after_change(call.update, call.context, call.person.telegram_id)
