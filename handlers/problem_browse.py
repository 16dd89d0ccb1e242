"""Browsing problem reports and "affects us too": a field's reports, page by page, as cards.

Separate from handlers/problems.py, where a new report is written (field, title, description,
photo), because reading and voting touch no report being written: a card's vote counts once per
person within their action fields, and staff see a merge button on it (handlers/problem_merge.py).
The field picker both flows start with lives here, the lower module handlers/problems.py imports.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler

from bot.callbacks import CallbackData
from bot.context import AgendaContext
from bot.keys import ActionFieldKey as FieldKey
from handlers import problem_merge
from handlers.common import Button, keyboard, label, menu_buttons, send, text
from handlers.routes import PersonCall, button
from storage import problems as problem_store
from storage.people import Person
from storage.problems import Problem

PAGE_SIZE = 5


@dataclass(frozen=True)
class BrowseReports(CallbackData, prefix="PB:list"):
    """See the reports of others: choose the action field."""


@dataclass(frozen=True)
class ReportsPage(CallbackData, prefix="PB:page"):
    """A page of the reports in an action field."""

    field: FieldKey
    offset: int | None = None


@dataclass(frozen=True)
class Vote(CallbackData, prefix="PV"):
    """ "Betrifft uns auch" on a report's card."""

    problem: int


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """Browsing, voting, and the staff's merge buttons on the cards."""
    return [
        button(BrowseReports, on_browse),
        button(ReportsPage, on_page),
        button(Vote, on_vote),
        *problem_merge.handlers(),
    ]


def field_buttons(
    context: AgendaContext, person: Person, payload: Callable[[FieldKey], CallbackData]
) -> list[list[Button]]:
    """The action fields as `payload` buttons, the person's own first."""
    lang = person.language
    fields = context.services.consultation.action_fields
    # Own fields first; reports can concern any field.
    ordered = sorted(fields, key=lambda f: f.id not in person.fields)
    return [[(f.title.get(lang), payload(f.id).pack())] for f in ordered]


async def on_browse(call: PersonCall[BrowseReports]) -> None:
    """See reports: which action field."""
    await call.answer()
    call.move_on()
    buttons = field_buttons(call.context, call.person, ReportsPage)
    await call.send("problem_ask_list_field", buttons)


async def on_page(call: PersonCall[ReportsPage]) -> None:
    """A page of the reports in a field."""
    field = call.services.consultation.action_field(call.payload.field)
    if field is None:
        await call.stale()
        return
    await call.answer()
    call.move_on()
    await show_page(call.update, call.context, call.person, field.id, call.payload.offset or 0)


def _vote_row(
    context: AgendaContext, lang: str, problem: Problem, person: Person, already: bool
) -> list[list[Button]]:
    if problem.person_id == person.id or already or problem.action_field not in person.fields:
        return []
    return [[(label(context, lang, "affects_us", count=problem.votes), Vote(problem.id).pack())]]


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
            [(label(context, lang, "more"), ReportsPage(field_id, offset + PAGE_SIZE).pack())]
        )
    rows.extend(menu_buttons(context, lang))
    await send(update, context, lang, "problem_page_foot", rows)


async def on_vote(call: PersonCall[Vote]) -> None:
    """ "Betrifft uns auch": counted once per person, only within one's action fields."""
    services, person = call.services, call.person
    problem = await problem_store.get(services.db, call.payload.problem)
    if problem is not None and problem.merged_into is not None:
        # A card shown before staff merged it: the vote goes to the report it now belongs to.
        problem = await problem_store.get(services.db, problem.merged_into)
    if problem is None or not problem.visible:
        await call.stale()
        return
    if problem.person_id == person.id:
        await call.answer("vote_own")
        return
    if problem.action_field not in person.fields:
        await call.answer("vote_other_field")
        return
    added = await problem_store.add_vote(services.db, problem.id, person.id, now=services.clock())
    problem = await problem_store.get(services.db, problem.id)
    assert problem is not None
    await call.answer("vote_added" if added else "vote_again", count=problem.votes)
    query = call.update.callback_query
    assert query is not None
    with contextlib.suppress(BadRequest):
        await query.edit_message_text(
            text(call.context, call.lang, "problem_card", problem=problem, own=False, voted=True),
            reply_markup=keyboard([]),
        )
