"""The draft action concept for participants: the notice of a new version, /entwurf, the
measures with their rating buttons, and comments by reply. Staff publish and prioritise in
handlers/draft_staff.py.

Each measure comes as its own message with three rows of five buttons, one row per dimension
(💡 wünschenswert, ❗ notwendig, 🔧 machbar): one tap rates, a second tap on another number
changes it, and the chosen number is marked. Five buttons a row still fit a phone's width; the
emoji tell the rows apart, and the message repeats the legend. A reply to a measure's message is a
comment on it. The notice of a new version goes through the outbox (kind ``draft_review``); the
measures follow when the person taps "show", answering their own request.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler

from bot import draft
from bot.callbacks import CallbackData, Chars
from bot.context import AgendaContext
from bot.outbox.dispatch import NOTE_NO_PERSON
from bot.outbox.policy import Decision, Dropped, KindPolicy, Outgoing
from handlers.common import (
    Button,
    answer_callback,
    drop_buttons,
    keyboard,
    label,
    send,
    text,
)
from handlers.routes import Args, PersonCall, button, command
from storage import draft as store
from storage.outbox import OutboxRow
from storage.people import Person
from storage.recipients import Recipient

COMMENT_LIMIT = 2000
NOTE_SUPERSEDED = "a newer version of the draft was published"


@dataclass(frozen=True)
class ShowDraft(CallbackData, prefix="DR:show"):
    """Show the measures of this version, each with its rating buttons."""

    version: int


@dataclass(frozen=True)
class Rate(CallbackData, prefix="DR:r"):
    """Rate one dimension (bot.draft.DIMENSIONS) of a measure, 1 to 5."""

    measure: int
    dimension: Annotated[str, Chars(1)]
    score: int


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """/entwurf and the rating buttons."""
    return [
        command(["entwurf", "draft"], draft_command),
        button(ShowDraft, on_show),
        button(Rate, on_rate),
    ]


def policies() -> dict[str, KindPolicy]:
    """How the dispatcher treats the notice of a new draft version."""
    return {
        draft.KIND: KindPolicy(
            build=build_notice,
            resend_interrupted=False,
            expired_note="the review period ended before it could be sent",
            interrupted_note="interrupted while sending: delivery unknown, not sent again",
        )
    }


def local_time(context: AgendaContext, moment: datetime) -> datetime:
    return moment.astimezone(context.services.consultation.zone)


def field_title(context: AgendaContext, lang: str, field_id: str) -> str:
    found = context.services.consultation.action_field(field_id)
    return found.title.get(lang) if found else field_id


def _intro(
    context: AgendaContext, lang: str, version: store.Version
) -> tuple[str, list[list[Button]]]:
    now = context.services.clock()
    until = local_time(context, version.review_until)
    body = text(
        context, lang, "draft_intro", version=version, until=until, open=draft.is_open(version, now)
    )
    return body, [[(label(context, lang, "draft_show"), ShowDraft(version.id).pack())]]


async def build_notice(
    context: AgendaContext, row: OutboxRow, recipient: Recipient | None
) -> Decision:
    """Just before sending: is this version still the current one? Then the notice."""
    if recipient is None:
        return Dropped(NOTE_NO_PERSON)
    services = context.services
    version = await store.current(services.db)
    if version is None or version.id != int(row.payload.get("version", 0)):
        return Dropped(NOTE_SUPERSEDED)
    body, buttons = _intro(context, recipient.language, version)
    return Outgoing(body, keyboard(buttons))


async def draft_command(call: PersonCall[Args]) -> None:
    """/entwurf: ask for the draft (now and every new version); shows the current one."""
    update, context, person = call.update, call.context, call.person
    services = context.services
    await store.opt_in(services.db, person.id, services.clock())
    version = await store.current(services.db)
    if version is None:
        await send(update, context, person.language, "draft_none")
        return
    body, buttons = _intro(context, person.language, version)
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, body, reply_markup=keyboard(buttons))


def _rating_rows(
    context: AgendaContext, lang: str, measure: int, scores: dict[str, int]
) -> list[list[Button]]:
    return [
        [
            (
                label(context, lang, "rate", dimension=d, score=n, chosen=scores.get(d) == n),
                Rate(measure, d, n).pack(),
            )
            for n in range(1, 6)
        ]
        for d in draft.DIMENSIONS
    ]


def _card(
    context: AgendaContext,
    lang: str,
    m: store.MeasureRow,
    version: store.Version,
    scores: dict[str, int],
) -> tuple[str, list[list[Button]]]:
    is_open = draft.is_open(version, context.services.clock())
    field = field_title(context, lang, m.action_field)
    body = text(context, lang, "measure_card", measure=m, field=field, scores=scores, open=is_open)
    return body, _rating_rows(context, lang, m.id, scores) if is_open else []


async def _show(update: Update, context: AgendaContext, person: Person, version_id: int) -> None:
    services = context.services
    version = await store.current(services.db)
    lang = person.language
    if version is None or version.id != version_id:
        await answer_callback(update, context, lang, "draft_superseded")
        return
    await answer_callback(update, context, lang)
    chat = update.effective_chat
    assert chat is not None
    for m in await store.measures(services.db, version.id):
        scores = await store.scores(services.db, m.id, person.id)
        body, buttons = _card(context, lang, m, version, scores)
        sent = await context.bot.send_message(chat.id, body, reply_markup=keyboard(buttons))
        await store.remember_message(services.db, chat.id, sent.message_id, m.id)
    if draft.is_open(version, services.clock()):
        await send(
            update, context, lang, "draft_how", until=local_time(context, version.review_until)
        )


async def on_show(call: PersonCall[ShowDraft]) -> None:
    """Show the measures of the current version."""
    await _show(call.update, call.context, call.person, call.payload.version)


async def on_rate(call: PersonCall[Rate]) -> None:
    """Rate one dimension of one measure; the card shows the new scores."""
    update, context, person, lang = call.update, call.context, call.person, call.lang
    services = context.services
    rate = call.payload
    valid = rate.dimension in draft.DIMENSIONS and 1 <= rate.score <= 5
    m = await store.measure(services.db, rate.measure) if valid else None
    version = await store.version(services.db, m.version_id) if m else None
    if m is None or version is None:
        await call.stale()
        return
    current = await store.current(services.db)
    if current is None or current.id != version.id:
        await answer_callback(update, context, lang, "draft_superseded")
        await drop_buttons(update)
        return
    if not draft.is_open(version, services.clock()):
        await answer_callback(update, context, lang, "draft_closed")
        await drop_buttons(update)
        return
    await store.rate(services.db, m.id, person.id, rate.dimension, rate.score, services.clock())
    await answer_callback(update, context, lang, "draft_rated")
    scores = await store.scores(services.db, m.id, person.id)
    body, buttons = _card(context, lang, m, version, scores)
    query = update.callback_query
    with contextlib.suppress(BadRequest):  # unchanged, or too old to edit
        if query is not None:
            await query.edit_message_text(body, reply_markup=keyboard(buttons))


async def on_reply(update: Update, context: AgendaContext, person: Person) -> bool:
    """A reply to a measure's message is a comment on it; False when it is not such a reply."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or message.reply_to_message is None:
        return False
    services = context.services
    found = await store.measure_of_message(
        services.db, chat.id, message.reply_to_message.message_id
    )
    m = await store.measure(services.db, found) if found is not None else None
    if m is None:
        return False
    lang = person.language
    version = await store.version(services.db, m.version_id)
    current = await store.current(services.db)
    if version is None or current is None or current.id != version.id:
        await send(update, context, lang, "draft_comment_superseded")
        return True
    if not draft.is_open(version, services.clock()):
        await send(update, context, lang, "draft_comment_closed")
        return True
    typed = (message.text or "").strip()
    if not typed:
        await send(update, context, lang, "draft_comment_not_text")
        return True
    if len(typed) > COMMENT_LIMIT:
        await send(update, context, lang, "draft_comment_too_long", limit=COMMENT_LIMIT)
        return True
    await store.comment(services.db, m.id, person.id, typed, services.clock())
    await send(update, context, lang, "draft_comment_saved", measure=m)
    return True
