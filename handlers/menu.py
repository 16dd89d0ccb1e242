"""The menu, help and cancel: every way forward shown as buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    filters,
)

from bot.awaiting import expect
from bot.callbacks import is_forged
from bot.context import AgendaContext
from handlers import onboarding, privacy, problems, profile, questionnaire, training
from handlers.common import (
    Menu,
    answer_callback,
    current_person,
    language_of,
    menu_buttons,
    send,
    takes_part_in_training,
)
from handlers.routes import Call, visitor_button
from storage import people
from storage import problems as problem_store


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """Help, cancel and the menu buttons."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler(["hilfe", "help"], help_command, filters=private),
        CommandHandler(["abbrechen", "cancel"], cancel_command, filters=private),
        visitor_button(Menu, on_menu),
    ]


def fallback_handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """After every flow: any button payload nobody recognised (forged, or from an old version)."""
    return [CallbackQueryHandler(on_unknown_button)]


def guard_handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """Before every flow: a payload no class of ours could have built (forged, a number out of
    range) stops here, so no flow handler ever sees one."""
    return [CallbackQueryHandler(on_forged_button, pattern=is_forged)]


async def on_forged_button(update: Update, context: AgendaContext) -> None:
    """Answer as for a stale button and let no other handler see the payload."""
    await on_unknown_button(update, context)
    raise ApplicationHandlerStop


async def on_unknown_button(update: Update, context: AgendaContext) -> None:
    """Answer politely instead of leaving the spinner turning."""
    person = await current_person(update, context)
    await answer_callback(update, context, language_of(update, person), "stale_button")


async def help_command(update: Update, context: AgendaContext) -> None:
    """/hilfe: what the bot does and the commands, with the menu."""
    person = await current_person(update, context)
    lang = language_of(update, person)
    user = update.effective_user
    staff = user is not None and context.services.is_staff(user.id)
    await send(
        update,
        context,
        lang,
        "help",
        menu_buttons(context, lang, person) + privacy.buttons(context, lang) if person else [],
        registered=person is not None,
        staff=staff,
        training=person is not None and takes_part_in_training(context, person),
        title=context.services.consultation.title.get(lang),
    )


async def cancel_command(update: Update, context: AgendaContext) -> None:
    """/abbrechen: stop what is in progress; nothing already answered is lost."""
    person = await current_person(update, context)
    lang = language_of(update, person)
    if person is None:
        await send(update, context, lang, "cancelled_nothing")
        return
    discarded = await problem_store.discard_draft(context.services.db, person.id)
    await expect(context.services.db, person.id, None, now=context.services.clock())
    await send(update, context, lang, "cancelled", menu_buttons(context, lang), discarded=discarded)


async def show_menu(
    update: Update, context: AgendaContext, lang: str, person: people.Person | None = None
) -> None:
    """The main menu."""
    await send(update, context, lang, "menu", menu_buttons(context, lang, person))


async def on_menu(call: Call[Menu]) -> None:
    """A menu button (help for anyone, the rest once the profile is complete)."""
    update, context, choice = call.update, call.context, call.payload.choice
    if choice == "help":
        await answer_callback(update, context, language_of(update, None))
        await help_command(update, context)
        return
    person = await onboarding.ensure_onboarded(update, context)
    if person is None:
        return
    lang = person.language
    await answer_callback(update, context, lang)
    call.move_on()
    if choice == "survey":
        await questionnaire.show_list(update, context, person)
    elif choice == "resume":
        await questionnaire.resume_questionnaire(update, context, person)
    elif choice == "problem":
        await problems.show_start(update, context, person)
    elif choice == "profile":
        await profile.show_profile(update, context, person)
    elif choice == "training":
        await training.show_home(update, context, person)
    else:
        await show_menu(update, context, lang, person)
