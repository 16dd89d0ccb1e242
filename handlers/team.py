"""/team (admins, private chat): add and remove staff by numeric Telegram id.

An id is typed (``/team 123456789``) or taken from a message the admin forwards from the person;
either way a button confirms it, so nothing changes by accident. Staff from AGENDA_STAFF_IDS are
listed but change only in the settings. Every change is audited; everyone else is refused (and
audited) by the one staff check's refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from telegram import MessageOriginUser, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.callbacks import CallbackData, Chars
from bot.context import AgendaContext
from handlers.common import Button, current_person, label, language_of, send
from handlers.routes import Call, visitor_button
from handlers.staff import audit_action, private_user, refuse
from storage import staff as staff_store

LARGEST_ID = 2**53  # Telegram's user ids fit in 52 bits


@dataclass(frozen=True)
class TeamChange(CallbackData, prefix="TM"):
    """Add or remove a staff member; the id as 'u<digits>' (it may exceed the payload numbers)."""

    action: Literal["add", "rm"]
    user: Annotated[str, Chars(20)]


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """/team and its buttons."""
    return [CommandHandler("team", team_command), visitor_button(TeamChange, on_change)]


def early_handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """A message an admin forwards: offer to add its sender (anyone else's passes on)."""
    return [MessageHandler(filters.FORWARDED & filters.ChatType.PRIVATE, on_forward)]


def is_admin_chat(update: Update, context: AgendaContext) -> bool:
    """Whether the update comes from an admin in their private chat with the bot."""
    admin = private_user(update)
    return admin is not None and context.services.is_admin(admin)


def user_id(text: str) -> int | None:
    """A numeric Telegram user id as typed or packed ('u123'), or None."""
    digits = text.strip().removeprefix("u")
    if not (digits.isascii() and digits.isdigit()):
        return None
    number = int(digits)
    return number if 0 < number < LARGEST_ID else None


async def team_command(update: Update, context: AgendaContext) -> None:
    """/team [id]: the staff with remove buttons; with an id, a button to add it."""
    if not is_admin_chat(update, context):
        await refuse(update, context)
        return
    lang = language_of(update, await current_person(update, context))
    if context.args:
        new = user_id(context.args[0])
        if new is None:
            await send(update, context, lang, "team_bad_id")
        else:
            await offer_add(update, context, lang, new)
        return
    await show_team(update, context, lang)


async def offer_add(update: Update, context: AgendaContext, lang: str, new: int) -> None:
    """Ask the admin to confirm adding this id."""
    if context.services.is_staff(new):
        await send(update, context, lang, "team_already", telegram_id=new)
        return
    button = (
        label(context, lang, "team_add", telegram_id=new),
        TeamChange("add", f"u{new}").pack(),
    )
    await send(update, context, lang, "team_confirm_add", [[button]], telegram_id=new)


async def show_team(update: Update, context: AgendaContext, lang: str) -> None:
    """The staff: from the settings (fixed) and added in the chat (with remove buttons)."""
    services = context.services
    added = sorted(services.stored_staff)
    buttons: list[list[Button]] = [
        [(label(context, lang, "team_remove", telegram_id=i), TeamChange("rm", f"u{i}").pack())]
        for i in added
    ]
    await send(
        update,
        context,
        lang,
        "team_list",
        buttons,
        configured=sorted(services.settings.staff_ids),
        added=added,
        admins=sorted(services.settings.admin_ids),
    )


async def on_forward(update: Update, context: AgendaContext) -> None:
    """An admin forwarded someone's message: offer to add the sender as staff."""
    if not is_admin_chat(update, context):
        return  # not ours: the usual handlers take it
    message = update.effective_message
    lang = language_of(update, await current_person(update, context))
    origin = message.forward_origin if message else None
    if isinstance(origin, MessageOriginUser) and not origin.sender_user.is_bot:
        await offer_add(update, context, lang, origin.sender_user.id)
    else:
        await send(update, context, lang, "team_forward_hidden")
    raise ApplicationHandlerStop


async def on_change(call: Call[TeamChange]) -> None:
    """TM:add:u<id> / TM:rm:u<id>: change the staff, audited."""
    update, context, services = call.update, call.context, call.services
    if not is_admin_chat(update, context):
        await refuse(update, context)
        return
    target = user_id(call.payload.user)
    if target is None:
        await call.stale()
        return
    user = update.effective_user
    assert user is not None
    adding = call.payload.action == "add"
    async with services.db.transaction():  # the change and its audit entry together
        if adding:
            changed = await staff_store.add(services.db, target, by=user.id, now=services.clock())
        else:
            changed = await staff_store.remove(services.db, target)
        if changed:
            await audit_action(
                update, context, "staff_add" if adding else "staff_remove", f"staff:{target}"
            )
    services.stored_staff = await staff_store.ids(services.db)
    await call.answer()
    await call.drop_buttons()
    if changed:
        await call.send("team_added" if adding else "team_removed", telegram_id=target)
    await show_team(update, context, call.lang)
