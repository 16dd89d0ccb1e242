"""Problem reports (/problem): field, title, description, optional photo; "affects us too"."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import similar
from bot.callbacks import decode, encode
from bot.context import AgendaContext
from handlers import problem_merge
from handlers.common import (
    Button,
    answer_callback,
    drop_buttons,
    keyboard,
    label,
    menu_buttons,
    send,
    text,
)
from handlers.onboarding import ensure_onboarded
from storage import people
from storage import problems as problem_store
from storage.people import Person
from storage.problems import Problem

TITLE_LIMIT = 80
DESCRIPTION_LIMIT = 1500
PAGE_SIZE = 5
AWAITING_PREFIX = "p"


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The problem report handlers."""
    return [
        CommandHandler("problem", problem_command, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(on_menu, pattern=r"^PB:"),
        CallbackQueryHandler(on_vote, pattern=r"^PV:"),
        *problem_merge.handlers(),
    ]


async def problem_command(update: Update, context: AgendaContext) -> None:
    """/problem: report a new problem or see those of others."""
    person = await ensure_onboarded(update, context)
    if person is not None:
        await show_start(update, context, person)


async def show_start(update: Update, context: AgendaContext, person: Person) -> None:
    """Choose: report, or look at reports in one's fields."""
    lang = person.language
    await send(
        update,
        context,
        lang,
        "problem_start",
        [
            [(label(context, lang, "problem_new"), encode("PB", "new"))],
            [(label(context, lang, "problem_list"), encode("PB", "list"))],
        ],
    )


def _field_buttons(context: AgendaContext, person: Person, action: str) -> list[list[Button]]:
    lang = person.language
    fields = context.services.consultation.action_fields
    # Own fields first; reports can concern any field.
    ordered = sorted(fields, key=lambda f: f.id not in person.fields)
    return [[(f.title.get(lang), encode("PB", action, f.id))] for f in ordered]


async def on_menu(update: Update, context: AgendaContext) -> None:
    """Buttons of the problem flow: PB:new, PB:list, PB:field:<f>, PB:page:<f>:<n>, PB:nophoto,
    and after a title like an existing report's: PB:join:<id> or PB:other."""
    person = await ensure_onboarded(update, context)
    if person is None:
        return
    services = context.services
    lang = person.language
    payload = decode(update.callback_query.data if update.callback_query else None)
    action = payload.arg(0) if payload else None
    field_id = payload.arg(1) if payload else None
    field = services.consultation.action_field(field_id) if field_id else None
    if action == "new":
        await answer_callback(update, context, lang)
        await drop_buttons(update)
        await send(
            update, context, lang, "problem_ask_field", _field_buttons(context, person, "field")
        )
    elif action == "list":
        await answer_callback(update, context, lang)
        await drop_buttons(update)
        await send(
            update, context, lang, "problem_ask_list_field", _field_buttons(context, person, "page")
        )
    elif action == "field" and field is not None:
        await answer_callback(update, context, lang)
        await drop_buttons(update)
        draft = await problem_store.start_draft(
            services.db, person.id, field.id, now=services.clock()
        )
        await people.set_awaiting(
            services.db, person.id, f"{AWAITING_PREFIX}:title:{draft.id}", now=services.clock()
        )
        await send(
            update,
            context,
            lang,
            "problem_ask_title",
            field=field.title.get(lang),
            limit=TITLE_LIMIT,
        )
    elif action == "page" and field is not None:
        offset = (payload.number(2) if payload else None) or 0
        await answer_callback(update, context, lang)
        await drop_buttons(update)
        await show_page(update, context, person, field.id, offset)
    elif action == "join" and (joined := payload.number(1) if payload else None) is not None:
        await _join(update, context, person, joined)
    elif action == "other":
        await answer_callback(update, context, lang)
        await drop_buttons(update)
        await send(update, context, lang, "problem_ask_description", limit=DESCRIPTION_LIMIT)
    elif action == "nophoto":
        pending = await problem_store.draft_of(services.db, person.id)
        if pending is None or pending.description is None:
            await answer_callback(update, context, lang, "stale_button")
            return
        await answer_callback(update, context, lang)
        await drop_buttons(update)
        await _submit(update, context, person, pending)
    else:
        await answer_callback(update, context, lang, "stale_button")


async def on_typed(
    update: Update,
    context: AgendaContext,
    person: Person,
    awaiting: str,
    typed: str | None,
    photo_file_id: str | None,
) -> None:
    """Typed text or a photo while a report is being written."""
    services = context.services
    lang = person.language
    parts = awaiting.split(":")
    draft = await problem_store.draft_of(services.db, person.id)
    step = parts[1] if len(parts) == 3 else ""
    if draft is None or str(draft.id) != parts[-1]:
        await people.set_awaiting(services.db, person.id, None, now=services.clock())
        await send(update, context, lang, "nothing_expected", menu_buttons(context, lang))
        return
    if step == "photo":
        if photo_file_id is None:
            await send(
                update,
                context,
                lang,
                "problem_photo_expected",
                [[(label(context, lang, "no_photo"), encode("PB", "nophoto"))]],
            )
            return
        await problem_store.update_draft(services.db, draft.id, photo_file_id=photo_file_id)
        await _submit(update, context, person, draft)
        return
    limit = TITLE_LIMIT if step == "title" else DESCRIPTION_LIMIT
    cleaned = (typed or "").strip()
    if typed is None or not cleaned:
        await send(update, context, lang, "problem_text_expected", step=step, limit=limit)
        return
    if len(cleaned) > limit:
        await send(update, context, lang, "invalid_too_long", length=len(cleaned), limit=limit)
        return
    if step == "title":
        await problem_store.update_draft(services.db, draft.id, title=cleaned)
        await people.set_awaiting(
            services.db, person.id, f"{AWAITING_PREFIX}:text:{draft.id}", now=services.clock()
        )
        match = await _resembling(context, draft.action_field, cleaned, person)
        if match is None:
            await send(update, context, lang, "problem_ask_description", limit=DESCRIPTION_LIMIT)
            return
        # Typing a description goes on as without the offer: the buttons only save typing.
        await send(
            update,
            context,
            lang,
            "problem_duplicate_offer",
            [
                [(label(context, lang, "problem_join"), encode("PB", "join", match.id))],
                [(label(context, lang, "problem_other"), encode("PB", "other"))],
            ],
            problem=match,
            voted=await problem_store.voted(services.db, match.id, person.id),
            limit=DESCRIPTION_LIMIT,
        )
    else:
        await problem_store.update_draft(services.db, draft.id, description=cleaned)
        await people.set_awaiting(
            services.db, person.id, f"{AWAITING_PREFIX}:photo:{draft.id}", now=services.clock()
        )
        await send(
            update,
            context,
            lang,
            "problem_ask_photo",
            [[(label(context, lang, "no_photo"), encode("PB", "nophoto"))]],
        )


async def _resembling(
    context: AgendaContext, field_id: str, title: str, person: Person
) -> Problem | None:
    """Someone else's shown report in the field whose title resembles title (bot.similar)."""
    others = [
        p
        for p in await problem_store.visible_in_field(context.services.db, field_id)
        if p.person_id != person.id and p.title
    ]
    return similar.best_match(title, others, lambda p: p.title or "")


async def _join(update: Update, context: AgendaContext, person: Person, problem_id: int) -> None:
    """ "Betrifft uns auch" on the existing report instead of filing a duplicate."""
    services = context.services
    lang = person.language
    problem = await problem_store.get(services.db, problem_id)
    draft = await problem_store.draft_of(services.db, person.id)
    if problem is None or not problem.visible or problem.person_id == person.id or draft is None:
        await answer_callback(update, context, lang, "stale_button")
        return
    await answer_callback(update, context, lang)
    await drop_buttons(update)
    # Filing in this field says it concerns them: the vote counts even outside their fields.
    now = services.clock()
    added = await problem_store.add_vote(services.db, problem.id, person.id, now=now)
    await problem_store.discard_draft(services.db, person.id)
    await people.set_awaiting(services.db, person.id, None, now=now)
    problem = await problem_store.get(services.db, problem.id)
    assert problem is not None
    await send(
        update, context, lang, "problem_joined", menu_buttons(context, lang),
        problem=problem, added=added,
    )  # fmt: skip


async def _submit(update: Update, context: AgendaContext, person: Person, draft: Problem) -> None:
    services = context.services
    lang = person.language
    await problem_store.submit(services.db, draft.id, now=services.clock())
    await people.set_awaiting(services.db, person.id, None, now=services.clock())
    field = services.consultation.action_field(draft.action_field)
    others = await problem_store.count_open_in_field(services.db, draft.action_field) - 1
    rows: list[list[Button]] = []
    if others > 0:
        rows.append(
            [
                (
                    label(context, lang, "problem_see_others", count=others),
                    encode("PB", "page", draft.action_field),
                )
            ]
        )
    rows.extend(menu_buttons(context, lang))
    await send(
        update,
        context,
        lang,
        "problem_thanks",
        rows,
        field=field.title.get(lang) if field else draft.action_field,
    )


def _vote_row(
    context: AgendaContext, lang: str, problem: Problem, person: Person, already: bool
) -> list[list[Button]]:
    if problem.person_id == person.id or already or problem.action_field not in person.fields:
        return []
    return [[(label(context, lang, "affects_us", count=problem.votes), encode("PV", problem.id))]]


def _card_rows(
    update: Update,
    context: AgendaContext,
    lang: str,
    problem: Problem,
    person: Person,
    already: bool,
    total: int,
) -> list[list[Button]]:
    """The card's "affects us too" button; for staff, also "merge a duplicate"."""
    rows = _vote_row(context, lang, problem, person, already)
    if total > 1 and problem_merge.may_merge(update, context):
        rows.append(problem_merge.merge_row(context, lang, problem))
    return rows


async def show_page(
    update: Update, context: AgendaContext, person: Person, field_id: str, offset: int
) -> None:
    """Reports of one field, most shared first, each with its "affects us too" button."""
    services = context.services
    lang = person.language
    field = services.consultation.action_field(field_id)
    title = field.title.get(lang) if field else field_id
    total = await problem_store.count_open_in_field(services.db, field_id)
    page = await problem_store.open_in_field(services.db, field_id, limit=PAGE_SIZE, offset=offset)
    if not page:
        await send(update, context, lang, "problem_none", menu_buttons(context, lang), field=title)
        return
    await send(
        update,
        context,
        lang,
        "problem_page_head",
        field=title,
        first=offset + 1,
        last=offset + len(page),
        total=total,
    )
    for problem in page:
        already = await problem_store.voted(services.db, problem.id, person.id)
        await send(
            update,
            context,
            lang,
            "problem_card",
            _card_rows(update, context, lang, problem, person, already, total),
            problem=problem,
            own=problem.person_id == person.id,
            voted=already,
        )
    rows: list[list[Button]] = []
    if offset + PAGE_SIZE < total:
        rows.append(
            [(label(context, lang, "more"), encode("PB", "page", field_id, offset + PAGE_SIZE))]
        )
    rows.extend(menu_buttons(context, lang))
    await send(update, context, lang, "problem_page_foot", rows)


async def on_vote(update: Update, context: AgendaContext) -> None:
    """ "Betrifft uns auch": counted once per person, only within one's action fields."""
    person = await ensure_onboarded(update, context)
    if person is None:
        return
    services = context.services
    lang = person.language
    payload = decode(update.callback_query.data if update.callback_query else None)
    number = payload.number(0) if payload else None
    problem = await problem_store.get(services.db, number) if number is not None else None
    if problem is not None and problem.merged_into is not None:
        # A card shown before staff merged it: the vote goes to the report it now belongs to.
        problem = await problem_store.get(services.db, problem.merged_into)
    if problem is None or not problem.visible:
        await answer_callback(update, context, lang, "stale_button")
        return
    if problem.person_id == person.id:
        await answer_callback(update, context, lang, "vote_own")
        return
    if problem.action_field not in person.fields:
        await answer_callback(update, context, lang, "vote_other_field")
        return
    added = await problem_store.add_vote(services.db, problem.id, person.id, now=services.clock())
    problem = await problem_store.get(services.db, problem.id)
    assert problem is not None
    await answer_callback(
        update, context, lang, "vote_added" if added else "vote_again", count=problem.votes
    )
    query = update.callback_query
    assert query is not None
    with contextlib.suppress(BadRequest):
        await query.edit_message_text(
            text(context, lang, "problem_card", problem=problem, own=False, voted=True),
            reply_markup=keyboard([]),
        )
