"""The draft action concept in the chat: publishing (staff), review with ratings and comments
by reply, and the prioritisation (staff).

Each measure comes as its own message with three rows of five buttons, one row per dimension
(💡 wünschenswert, ❗ notwendig, 🔧 machbar): one tap rates, a second tap on another number
changes it, and the chosen number is marked. Five buttons a row still fit a phone's width; the
emoji tell the rows apart, and the message repeats the legend. A reply to a measure's message is a
comment on it. The notice of a new version goes through the outbox (kind ``draft_review``); the
measures follow when the person taps "show", answering their own request.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, MessageHandler, filters

from bot import draft
from bot.callbacks import CallbackData, Chars
from bot.context import AgendaContext
from bot.outbox.dispatch import NOTE_NO_PERSON, Decision, Dropped, KindPolicy, Outgoing
from handlers.common import (
    Button,
    answer_callback,
    current_person,
    drop_buttons,
    keyboard,
    label,
    language_of,
    send,
    text,
)
from handlers.routes import Args, Call, PersonCall, button, command, staff_button, staff_command
from handlers.staff import audit_action, staff_only
from storage import draft as store
from storage.outbox import OutboxRow
from storage.people import Person
from storage.recipients import Recipient

FILE_LIMIT = 256 * 1024  # bytes: a draft of 80 measures is far smaller
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


@dataclass(frozen=True)
class Publish(CallbackData, prefix="DP:pub"):
    """Staff: publish the checked draft version."""

    version: int


@dataclass(frozen=True)
class Discard(CallbackData, prefix="DP:drop"):
    """Staff: discard the checked draft version."""

    version: int


@dataclass(frozen=True)
class MarkPriority(CallbackData, prefix="DP:p"):
    """Staff: mark a measure as priority, or no longer."""

    measure: int


@dataclass(frozen=True)
class MarkAdopted(CallbackData, prefix="DP:a"):
    """Staff: mark a measure as adopted, or no longer."""

    measure: int


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """/entwurf for everyone, /prioritaeten and the draft file for staff, and their buttons."""
    private = filters.ChatType.PRIVATE
    yaml_file = filters.Document.FileExtension("yaml") | filters.Document.FileExtension("yml")
    return [
        command(["entwurf", "draft"], draft_command),
        staff_command(["prioritaeten", "priorities"], priorities_command),
        MessageHandler(private & yaml_file, staff_only(on_document)),
        button(ShowDraft, on_show),
        button(Rate, on_rate),
        staff_button(Publish, on_publish),
        staff_button(Discard, on_discard),
        staff_button(MarkPriority, on_mark),
        staff_button(MarkAdopted, on_mark),
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


def _local(context: AgendaContext, moment: datetime) -> datetime:
    return moment.astimezone(context.services.consultation.zone)


def _field_title(context: AgendaContext, lang: str, field_id: str) -> str:
    found = context.services.consultation.action_field(field_id)
    return found.title.get(lang) if found else field_id


def _intro(
    context: AgendaContext, lang: str, version: store.Version
) -> tuple[str, list[list[Button]]]:
    now = context.services.clock()
    until = _local(context, version.review_until)
    body = text(
        context, lang, "draft_intro", version=version, until=until, open=draft.is_open(version, now)
    )
    return body, [[(label(context, lang, "draft_show"), ShowDraft(version.id).pack())]]


# ------------------------------------------------------------------ participants


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
    field = _field_title(context, lang, m.action_field)
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
        await send(update, context, lang, "draft_how", until=_local(context, version.review_until))


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


# ------------------------------------------------------------------ staff


async def on_document(update: Update, context: AgendaContext) -> None:
    """A draft file sent by staff: validate it, show the errors or a preview to publish."""
    services = context.services
    lang = language_of(update, await current_person(update, context))
    message = update.effective_message
    user = update.effective_user
    assert message is not None and message.document is not None and user is not None
    document = message.document
    name = document.file_name or "entwurf.yaml"
    if (document.file_size or 0) > FILE_LIMIT:
        await send(update, context, lang, "draft_file_unreadable", file=name)
        return
    data = await (await context.bot.get_file(document.file_id)).download_as_bytearray()
    try:
        source = bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        await send(update, context, lang, "draft_file_unreadable", file=name)
        return
    try:
        # Off the event loop: within the limits of bot/consultation/yaml_syntax.py (size, depth,
        # aliases written out) the largest file takes milliseconds, and a worse one is refused
        # before it is built; meanwhile everybody else's buttons keep answering.
        parsed = await asyncio.to_thread(draft.load_draft, source, services.consultation, name)
    except draft.DraftError as error:
        await send(update, context, lang, "draft_errors", file=name, errors=error.errors)
        return
    same = await draft.unchanged(services.db, source)
    if same is not None:  # publishing it would only message everybody again
        await send(update, context, lang, "draft_unchanged", file=name, version=same)
        return
    now = services.clock()
    async with services.db.transaction():
        version_id = await draft.store_draft(services.db, parsed, source, user.id, now)
        await audit_action(update, context, "draft_upload", f"draft:{version_id}")
    fields: dict[str, int] = {}
    for m in parsed.measures:
        title = _field_title(context, lang, m.action_field)
        fields[title] = fields.get(title, 0) + 1
    count = len(await draft.audience(services.db))
    previous = await store.current(services.db)
    buttons = [
        [(label(context, lang, "draft_publish", count=count), Publish(version_id).pack())],
        [(label(context, lang, "draft_discard"), Discard(version_id).pack())],
    ]
    until = _local(context, parsed.review_until)
    await send(
        update,
        context,
        lang,
        "draft_preview",
        buttons,
        draft=parsed,
        fields=fields,
        until=until,
        count=count,
        previous=previous,
    )


async def priorities_command(call: Call[Args]) -> None:
    """/prioritaeten: per action field the ranking, with buttons for priority and adoption."""
    update, context, lang = call.update, call.context, call.lang
    services = context.services
    version = await store.current(services.db)
    if version is None:
        await send(update, context, lang, "priorities_none")
        return
    await send(
        update,
        context,
        lang,
        "priorities_method",
        version=version,
        until=_local(context, version.review_until),
    )
    chat = update.effective_chat
    assert chat is not None
    for field in services.consultation.action_fields:
        body, buttons = await _field_view(context, lang, version.id, field.id)
        if body:
            await context.bot.send_message(chat.id, body, reply_markup=keyboard(buttons))


async def _field_view(
    context: AgendaContext, lang: str, version_id: int, field_id: str
) -> tuple[str, list[list[Button]]]:
    """One action field's ranking and its mark buttons ('' when it has no measures)."""
    db = context.services.db
    ranking = draft.rank(await store.measures(db, version_id), await store.stats(db, version_id))
    ranked = ranking.get(field_id, [])
    if not ranked:
        return "", []
    body = text(
        context,
        lang,
        "priorities_field",
        field=_field_title(context, lang, field_id),
        ranked=ranked,
    )
    buttons = [
        [
            (
                label(context, lang, "priority", measure=r.measure),
                MarkPriority(r.measure.id).pack(),
            ),
            (label(context, lang, "adopt", measure=r.measure), MarkAdopted(r.measure.id).pack()),
        ]
        for r in ranked
    ]
    return body, buttons


async def _refuse_publish(
    update: Update, context: AgendaContext, lang: str, version_id: int
) -> bool:
    """Say why a preview's publish button does nothing: discarded, published already, or a newer
    version was published since the preview (it would put an old draft over a newer one)."""
    db = context.services.db
    version = await store.version(db, version_id)
    if version is None:
        await send(update, context, lang, "draft_publish_gone")
    elif version.published_at is not None:
        await send(update, context, lang, "draft_publish_already", version=version)
    elif (newer := await store.superseding(db, version_id)) is not None:
        await send(update, context, lang, "draft_publish_superseded", newer=newer)
    else:
        return False
    return True


async def on_publish(call: Call[Publish]) -> None:
    """Publish a checked draft (unless discarded, published or superseded meanwhile)."""
    services, version_id = call.services, call.payload.version
    await call.answer()
    await call.drop_buttons()
    if await _refuse_publish(call.update, call.context, call.lang, version_id):
        return
    async with services.db.transaction():  # published together with its audit entry
        count = await draft.publish(services.db, version_id, services.clock())
        await audit_action(
            call.update, call.context, "publish_draft", f"draft:{version_id}", f"recipients={count}"
        )
    version = await store.version(services.db, version_id)
    await call.send("draft_published", version=version, count=count)
    dispatcher = call.context.bot_data.dispatcher
    if dispatcher is not None:
        dispatcher.wake()


async def on_discard(call: Call[Discard]) -> None:
    """Discard a checked draft."""
    await call.answer()
    await call.drop_buttons()
    async with call.services.db.transaction():
        await store.discard(call.services.db, call.payload.version)
        await audit_action(
            call.update, call.context, "discard_draft", f"draft:{call.payload.version}"
        )
    await call.send("draft_discarded")


async def on_mark(call: Call[MarkPriority | MarkAdopted]) -> None:
    """Mark a measure as priority or adopted (or no longer); the ranking shows the marks."""
    db = call.services.db
    m = await store.measure(db, call.payload.measure)
    if m is None:
        await call.stale()
        return
    priority = isinstance(call.payload, MarkPriority)
    what = "priority" if priority else "adopted"
    value = not (m.priority if priority else m.adopted)
    async with db.transaction():  # the mark and its audit entry together
        await store.mark(db, m.id, what, value)
        await audit_action(
            call.update,
            call.context,
            "priority" if priority else "adopt",
            f"measure:{m.measure_id}",
            "on" if value else "off",
        )
    await call.answer("measure_marked", what=what, value=value)
    body, buttons = await _field_view(call.context, call.lang, m.version_id, m.action_field)
    query = call.update.callback_query
    with contextlib.suppress(BadRequest):
        if query is not None:
            await query.edit_message_text(body, reply_markup=keyboard(buttons))
