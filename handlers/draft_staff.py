"""The draft for staff: a draft file sent in the chat is checked and previewed, then
published or discarded; /prioritaeten ranks the measures per action field and marks priorities
and adoptions. The participants' side is handlers/draft.py."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, MessageHandler, filters

from bot import draft
from bot.callbacks import CallbackData
from bot.context import AgendaContext
from handlers.common import (
    Button,
    current_person,
    keyboard,
    label,
    language_of,
    send,
    text,
)
from handlers.draft import field_title, local_time
from handlers.routes import Args, Call, staff_button, staff_command
from handlers.staff import audit_action, staff_only
from storage import draft as store

FILE_LIMIT = 256 * 1024  # bytes: a draft of 80 measures is far smaller


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
    """/prioritaeten and the draft file for staff, and their buttons."""
    private = filters.ChatType.PRIVATE
    yaml_file = filters.Document.FileExtension("yaml") | filters.Document.FileExtension("yml")
    return [
        staff_command(["prioritaeten", "priorities"], priorities_command),
        MessageHandler(private & yaml_file, staff_only(on_document)),
        staff_button(Publish, on_publish),
        staff_button(Discard, on_discard),
        staff_button(MarkPriority, on_mark),
        staff_button(MarkAdopted, on_mark),
    ]


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
        title = field_title(context, lang, m.action_field)
        fields[title] = fields.get(title, 0) + 1
    count = len(await draft.audience(services.db))
    previous = await store.current(services.db)
    buttons = [
        [(label(context, lang, "draft_publish", count=count), Publish(version_id).pack())],
        [(label(context, lang, "draft_discard"), Discard(version_id).pack())],
    ]
    until = local_time(context, parsed.review_until)
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
        until=local_time(context, version.review_until),
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
        field=field_title(context, lang, field_id),
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
