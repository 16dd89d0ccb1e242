"""Routes: a button or a command resolved once, before the flow's callback runs.

Every flow declares its buttons as `button(PayloadClass, callback)` (and its commands as
`command(names, callback)`): the guard finds the person and their language, applies the check the
route asks for (an onboarded person, a consented one, anyone, staff in a private chat) and unpacks
the typed payload. A payload that does not unpack (stale, forged, from an older version) is
answered here with the route's stale toast; the callback receives a `Call` whose `payload` is
the payload object and whose `person` is set as the check promises. Staff routes go through the
one staff check, `handlers.staff.staff_only`. Typed input is routed the same way by what the bot
awaits (`expects(StepClass, callback)`, bot/awaiting.py; handlers/input.py holds the table).

Adding a button: declare its payload class next to its flow, build it with `.pack()`, and list
`button(Class, callback)` (or `profile_button`, `visitor_button`, `staff_button`) in the flow's
`handlers()`; tests/test_payloads.py then checks it round-trips within 64 bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.awaiting import Awaiting
from bot.callbacks import CallbackData
from bot.context import AgendaContext, Services
from handlers.common import (
    Button,
    answer_callback,
    current_person,
    drop_buttons,
    language_of,
    move_on,
    send,
    settle,
)
from handlers.staff import staff_only
from storage.people import Person

P = TypeVar("P", covariant=True)
C = TypeVar("C", bound=CallbackData)
S = TypeVar("S", bound=Awaiting)
Args = tuple[str, ...]  # a command's words after its name
Handler = BaseHandler[Update, AgendaContext, object]
Done = Coroutine[Any, Any, None]
Callback = Callable[[Update, AgendaContext], Done]


@dataclass(frozen=True)
class Call(Generic[P]):
    """One button press or command, resolved: the update, who, their language, the payload."""

    update: Update
    context: AgendaContext
    payload: P
    person: Person | None
    lang: str
    stale_toast: str = "stale_button"

    @property
    def services(self) -> Services:
        """The running application's services."""
        return self.context.services

    @property
    def typed(self) -> str | None:
        """The text of the message (None for a photo, sticker, button press...)."""
        message = self.update.effective_message
        return message.text if message is not None and self.update.callback_query is None else None

    @property
    def photo(self) -> str | None:
        """The file id of the message's photo (its largest size), if it has one."""
        message = self.update.effective_message
        return message.photo[-1].file_id if message is not None and message.photo else None

    async def answer(self, name: str | None = None, **params: Any) -> None:
        """Answer the button press (stops the spinner), with a short toast if name is given."""
        await answer_callback(self.update, self.context, self.lang, name, **params)

    async def stale(self) -> None:
        """Answer a button whose payload no longer applies (the route's stale toast)."""
        await self.answer(self.stale_toast)

    async def drop_buttons(self) -> None:
        """Remove the keyboard of the message whose button was pressed, keeping its text (a
        notice worth keeping, e.g. a workshop's invitation)."""
        await drop_buttons(self.update)

    def move_on(self) -> None:
        """Done with the message whose button was pressed: the next reply takes its place
        (handlers/common.py `move_on`)."""
        move_on(self.context)

    async def send(
        self, name: str, buttons: Sequence[Sequence[Button]] = (), **params: Any
    ) -> Message:
        """Send a rendered message to the chat of the update."""
        return await send(self.update, self.context, self.lang, name, buttons, **params)


@dataclass(frozen=True)
class PersonCall(Call[P]):
    """A Call whose person is known (consented; onboarded where the route asks for it)."""

    person: Person


def button(
    cls: type[C], callback: Callable[[PersonCall[C]], Done], *, stale: str = "stale_button"
) -> Handler:
    """A button for onboarded people; anyone else is led on through onboarding first."""

    async def guarded(update: Update, context: AgendaContext) -> None:
        person = await _onboarded(update, context)
        if person is not None:
            await _tap(cls, callback, update, context, person, person.language, stale)

    return _on(cls, guarded, callback)


def profile_button(
    cls: type[C], callback: Callable[[PersonCall[C]], Done], *, stale: str = "stale_button"
) -> Handler:
    """A button for people who consented, whether or not their profile is complete."""

    async def guarded(update: Update, context: AgendaContext) -> None:
        person = await current_person(update, context)
        if person is None:
            await answer_callback(update, context, language_of(update, None), stale)
            return
        await _tap(cls, callback, update, context, person, person.language, stale)

    return _on(cls, guarded, callback)


def visitor_button(
    cls: type[C], callback: Callable[[Call[C]], Done], *, stale: str = "stale_button"
) -> Handler:
    """A button anyone may press, before consent too (the person may be None)."""

    async def guarded(update: Update, context: AgendaContext) -> None:
        person = await current_person(update, context)
        payload = cls.unpack(_data(update))
        lang = language_of(update, person)
        if payload is None:
            await answer_callback(update, context, lang, stale)
            return
        await callback(Call(update, context, payload, person, lang, stale))

    return _on(cls, guarded, callback)


def staff_button(
    cls: type[C], callback: Callable[[Call[C]], Done], *, stale: str = "stale_button"
) -> Handler:
    """A button for staff in a private chat (the one staff check refuses everyone else)."""

    async def guarded(update: Update, context: AgendaContext) -> None:
        person = await current_person(update, context)
        lang = language_of(update, person)
        payload = cls.unpack(_data(update))
        if payload is None:
            await answer_callback(update, context, lang, stale)
            return
        await callback(Call(update, context, payload, person, lang, stale))

    return _on(cls, staff_only(guarded), callback)


def command(names: str | list[str], callback: Callable[[PersonCall[Args]], Done]) -> Handler:
    """A command for onboarded people in a private chat."""

    async def guarded(update: Update, context: AgendaContext) -> None:
        person = await _onboarded(update, context)
        if person is not None:
            args = tuple(context.args or ())
            await callback(PersonCall(update, context, args, person, person.language))

    guarded.__doc__ = callback.__doc__
    return CommandHandler(names, guarded, filters=filters.ChatType.PRIVATE)


def staff_command(names: str | list[str], callback: Callable[[Call[Args]], Done]) -> Handler:
    """A staff command (refused outside staff's private chats by the one staff check)."""

    async def guarded(update: Update, context: AgendaContext) -> None:
        person = await current_person(update, context)
        args = tuple(context.args or ())
        await callback(Call(update, context, args, person, language_of(update, person)))

    guarded.__doc__ = callback.__doc__
    return CommandHandler(names, staff_only(guarded))


@dataclass(frozen=True)
class Expected:
    """A typed message's route: the awaited step (bot/awaiting.py) and what handles it."""

    step: type[Awaiting]
    run: Callable[[Update, AgendaContext, Person, Awaiting], Done]


def expects(cls: type[S], callback: Callable[[PersonCall[S]], Done]) -> Expected:
    """The callback for typed input while `people.awaiting` holds a step of class cls."""

    async def run(update: Update, context: AgendaContext, person: Person, step: Awaiting) -> None:
        assert isinstance(step, cls)
        await callback(PersonCall(update, context, step, person, person.language))

    return Expected(cls, run)


async def _tap(
    cls: type[C],
    callback: Callable[[PersonCall[C]], Done],
    update: Update,
    context: AgendaContext,
    person: Person,
    lang: str,
    stale: str,
) -> None:
    payload = cls.unpack(_data(update))
    if payload is None:
        await answer_callback(update, context, lang, stale)
        return
    await callback(PersonCall(update, context, payload, person, lang, stale))


def _data(update: Update) -> object:
    return update.callback_query.data if update.callback_query else None


def _on(cls: type[CallbackData], guarded: Callback, callback: Any) -> Handler:
    async def settled(update: Update, context: AgendaContext) -> None:
        await guarded(update, context)
        await settle(update, context)

    settled.__doc__ = callback.__doc__
    return CallbackQueryHandler(settled, pattern=cls.pattern)


async def _onboarded(update: Update, context: AgendaContext) -> Person | None:
    # Imported here: onboarding's own buttons are routes too.
    from handlers.onboarding import ensure_onboarded

    return await ensure_onboarded(update, context)
