"""Small pieces shared by the flows: who is writing, replying in their language, keyboards."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.callbacks import CallbackData
from bot.context import AgendaContext
from bot.documents.pipeline import DocumentKind, render_in_worker
from bot.documents.worker import Queued, RenderFailed
from bot.languages import from_client
from bot.texts import split_message
from bot.training import role_of
from storage import people
from storage.people import Person

C = TypeVar("C")

Button = tuple[str, str]  # (label, callback payload)


@dataclass(frozen=True)
class Menu(CallbackData, prefix="M"):
    """A button of the main menu (handlers/menu.py), shown by many flows."""

    choice: Literal["survey", "resume", "problem", "profile", "training", "help", "menu"]


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """Inline keyboard from rows of (label, payload); None for no rows."""
    built = [
        [InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows
    ]
    built = [row for row in built if row]
    return InlineKeyboardMarkup(built) if built else None


def chunks(buttons: Sequence[Button], width: int) -> list[list[Button]]:
    """Buttons laid out in rows of `width`."""
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


async def current_person(update: Update, context: AgendaContext) -> Person | None:
    """The person behind this update, or None before consent - and after a withdrawal, or
    when the privacy notice changed since they agreed (they are asked again; handlers/privacy.py
    reaches the stored data of such a person for access and erasure)."""
    user = update.effective_user
    if user is None:
        return None
    person = await people.by_telegram_id(context.services.db, user.id)
    if person is None or person.withdrawn:
        return None
    if person.consent_version != context.services.consultation.consent_version:
        return None
    return person


def language_of(update: Update, person: Person | None) -> str:
    """The person's language; before consent, a guess from Telegram's client language."""
    if person is not None:
        return person.language
    user = update.effective_user
    return from_client(user.language_code if user else None)


def text(context: AgendaContext, lang: str, name: str, **params: Any) -> str:
    """A rendered message."""
    return context.services.texts.render(lang, name, **params)


def label(context: AgendaContext, lang: str, name: str, **params: Any) -> str:
    """A rendered button label (the macro `btn_<name>`); Telegram shows labels as plain text."""
    return context.services.texts.render_plain(lang, f"btn_{name}", **params)


async def send(
    update: Update,
    context: AgendaContext,
    lang: str,
    name: str,
    buttons: Sequence[Sequence[Button]] = (),
    **params: Any,
) -> Message:
    """Send a rendered message to the chat of the update; long texts are split."""
    return await send_text(update, context, text(context, lang, name, **params), buttons)


async def send_text(
    update: Update, context: AgendaContext, body: str, buttons: Sequence[Sequence[Button]] = ()
) -> Message:
    """Send an already rendered text to the chat of the update; long texts are split. After
    `move_on`, the first reply takes the place of the message whose button was pressed; after
    `lead_with`, it starts with the note."""
    if context.lead is not None:
        body, context.lead = (f"{context.lead}\n\n{body}" if body else context.lead), None
    if context.replace_tapped and update.callback_query is not None:
        context.replace_tapped = False
        return await show_in_place(update, context, body, buttons)
    return await _send_new(update, context, body, buttons)


async def _send_new(
    update: Update, context: AgendaContext, body: str, buttons: Sequence[Sequence[Button]]
) -> Message:
    chat = update.effective_chat
    assert chat is not None
    parts = split_message(body)
    message: Message | None = None
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        message = await context.bot.send_message(
            chat.id, part, reply_markup=keyboard(buttons) if last else None
        )
    assert message is not None
    return message


async def show_in_place(
    update: Update, context: AgendaContext, body: str, buttons: Sequence[Sequence[Button]] = ()
) -> Message:
    """One Bot API message per tap: turn the message whose button was pressed into `body`
    (editMessageText); a typed message, a media message or a text too long for one message
    gets a new message instead (and the pressed message loses its buttons)."""
    query = update.callback_query
    tapped = query.message if query is not None else None
    if (
        query is not None
        and isinstance(tapped, Message)
        and tapped.text is not None
        and len(split_message(body)) == 1
    ):
        try:
            edited = await query.edit_message_text(body, reply_markup=keyboard(buttons))
        except BadRequest as error:
            if "not modified" in str(error):
                return tapped
            # e.g. the message is too old to edit: the person gets it as a new one
        else:
            return edited if isinstance(edited, Message) else tapped
    elif query is not None:
        await drop_buttons(update)  # a media message, or a text that needs several messages
    return await _send_new(update, context, body, buttons)


def move_on(context: AgendaContext) -> None:
    """The flow is done with the message whose button was pressed: its buttons go, and the
    next reply (`send`) takes its place - one editMessageText instead of an edit and a new
    message. Without a reply, `settle` removes the buttons when the callback is done."""
    context.replace_tapped = True


def lead_with(context: AgendaContext, lang: str, name: str, **params: Any) -> None:
    """The next reply starts with this short note (one message, not two); `settle` sends it
    alone if no reply follows."""
    context.lead = text(context, lang, name, **params)


async def settle(update: Update, context: AgendaContext) -> None:
    """After a callback: a note still waiting (`lead_with`), buttons still waiting to go
    (`move_on` without a reply)."""
    if context.lead is not None:
        await send_text(update, context, "")
    if context.replace_tapped:
        context.replace_tapped = False
        await drop_buttons(update)


async def answer_callback(
    update: Update, context: AgendaContext, lang: str, name: str | None = None, **params: Any
) -> None:
    """Answer the button press (stops the spinner), with a short toast if name is given."""
    query = update.callback_query
    if query is None:
        return
    toast = text(context, lang, name, **params) if name else None
    # An expired query (e.g. the bot was down) cannot be answered; the reply that follows helps.
    with contextlib.suppress(BadRequest):
        await query.answer(toast[:200] if toast else None)


async def drop_buttons(update: Update) -> None:
    """Remove the keyboard of the message whose button was pressed."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(reply_markup=None)


def menu_buttons(
    context: AgendaContext, lang: str, person: Person | None = None
) -> list[list[Button]]:
    """The main menu: everything a participant can do, as buttons (schools and firms also
    get the training-places exchange, when the person is known)."""
    rows = [
        [(label(context, lang, "surveys"), Menu("survey").pack())],
        [(label(context, lang, "resume"), Menu("resume").pack())],
        [(label(context, lang, "problem"), Menu("problem").pack())],
    ]
    if person is not None and takes_part_in_training(context, person):
        rows.append([(label(context, lang, "training"), Menu("training").pack())])
    rows.append(
        [
            (label(context, lang, "profile"), Menu("profile").pack()),
            (label(context, lang, "help"), Menu("help").pack()),
        ]
    )
    return rows


def takes_part_in_training(context: AgendaContext, person: Person) -> bool:
    """Whether the person reports to the training-places exchange (a school or a firm)."""
    return role_of(context.services.consultation, person.group_id) is not None


def queued(update: Update, context: AgendaContext, lang: str) -> Queued:
    """Tells the staff member the place of their document in the render queue."""

    async def tell(place: int) -> None:
        await send(update, context, lang, "render_queued", place=place)

    return tell


async def send_rendered(
    update: Update,
    context: AgendaContext,
    lang: str,
    document: DocumentKind[C],
    ctx: C,
    caption: Callable[[str], str],
    failed: str,
    **failed_params: Any,
) -> None:
    """Render the document in the worker pool (the person is told their place while it waits),
    then send its PDF and HTML under the kind's file name (caption(kind) labels each); when the
    worker fails or runs out of time, the message `failed` says so instead."""
    try:
        rendered = await render_in_worker(
            context.renders, document, ctx, queued=queued(update, context, lang)
        )
    except RenderFailed:
        await send(update, context, lang, failed, **failed_params)
        return
    chat = update.effective_chat
    assert chat is not None
    for kind, data in (("pdf", rendered.pdf), ("html", rendered.html.encode("utf-8"))):
        await context.bot.send_document(
            chat.id, data, filename=f"{document.stem(ctx)}.{kind}", caption=caption(kind)
        )
