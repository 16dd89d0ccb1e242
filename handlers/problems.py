"""Problem reports (/problem): field, title, description, optional photo; "affects us too".

This module owns /problem and writing a new report, with the offer to join a report alike
instead. Browsing the reports of a field and voting on them is handlers/problem_browse.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import BaseHandler

from bot import similar
from bot.awaiting import ProblemDescription, ProblemPhoto, ProblemTitle, expect
from bot.callbacks import CallbackData
from bot.context import AgendaContext
from bot.keys import ActionFieldKey as FieldKey
from handlers import problem_browse
from handlers.common import Button, label, menu_buttons, send
from handlers.problem_browse import BrowseReports, ReportsPage, field_buttons
from handlers.routes import Args, Expected, PersonCall, button, command, expects
from storage import problems as problem_store
from storage.people import Person
from storage.problems import Problem

TITLE_LIMIT = 80
DESCRIPTION_LIMIT = 1500


@dataclass(frozen=True)
class NewReport(CallbackData, prefix="PB:new"):
    """Report a problem: choose its action field."""


@dataclass(frozen=True)
class ReportIn(CallbackData, prefix="PB:field"):
    """The new report's action field (its title is typed next)."""

    field: FieldKey


@dataclass(frozen=True)
class JoinReport(CallbackData, prefix="PB:join"):
    """Instead of filing a report like this one: "affects us too" on it."""

    problem: int


@dataclass(frozen=True)
class NotTheSame(CallbackData, prefix="PB:other"):
    """The report that looked alike is another matter: go on with the description."""


@dataclass(frozen=True)
class NoPhoto(CallbackData, prefix="PB:nophoto"):
    """File the report without a photo."""


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The problem report handlers."""
    return [
        command("problem", problem_command),
        button(NewReport, on_new),
        button(ReportIn, on_field),
        button(JoinReport, on_join),
        button(NotTheSame, on_not_the_same),
        button(NoPhoto, on_no_photo),
        *problem_browse.handlers(),
    ]


def typed_steps() -> list[Expected]:
    """The title, the description and the photo of the report being written."""
    return [
        expects(ProblemTitle, on_title),
        expects(ProblemDescription, on_description),
        expects(ProblemPhoto, on_photo),
    ]


async def problem_command(call: PersonCall[Args]) -> None:
    """/problem: report a new problem or see those of others."""
    await show_start(call.update, call.context, call.person)


async def show_start(update: Update, context: AgendaContext, person: Person) -> None:
    """Choose: report, or look at reports in one's fields."""
    lang = person.language
    await send(
        update,
        context,
        lang,
        "problem_start",
        [
            [(label(context, lang, "problem_new"), NewReport().pack())],
            [(label(context, lang, "problem_list"), BrowseReports().pack())],
        ],
    )


async def on_new(call: PersonCall[NewReport]) -> None:
    """Report a problem: which action field."""
    await call.answer()
    call.move_on()
    await call.send("problem_ask_field", field_buttons(call.context, call.person, ReportIn))


async def on_field(call: PersonCall[ReportIn]) -> None:
    """The field of the new report: a draft is started, its title typed next."""
    services = call.services
    field = services.consultation.action_field(call.payload.field)
    if field is None:
        await call.stale()
        return
    await call.answer()
    call.move_on()
    draft = await problem_store.start_draft(
        services.db, call.person.id, field.id, now=services.clock()
    )
    await expect(services.db, call.person.id, ProblemTitle(draft.id), now=services.clock())
    await call.send("problem_ask_title", field=field.title.get(call.lang), limit=TITLE_LIMIT)


async def on_not_the_same(call: PersonCall[NotTheSame]) -> None:
    """Not the report that looked alike: type the description."""
    await call.answer()
    call.move_on()
    await call.send("problem_ask_description", limit=DESCRIPTION_LIMIT)


async def on_no_photo(call: PersonCall[NoPhoto]) -> None:
    """File the report being written without a photo."""
    pending = await problem_store.draft_of(call.services.db, call.person.id)
    if pending is None or pending.description is None:
        await call.stale()
        return
    await call.answer()
    call.move_on()
    await _submit(call.update, call.context, call.person, pending)


async def _typed_draft(
    call: PersonCall[ProblemTitle | ProblemDescription | ProblemPhoto],
) -> Problem | None:
    """The report being written that the awaited step names; None (and nothing awaited any
    more) when it was filed or discarded meanwhile."""
    services = call.services
    draft = await problem_store.draft_of(services.db, call.person.id)
    if draft is None or draft.id != call.payload.draft:
        await expect(services.db, call.person.id, None, now=services.clock())
        await call.send("nothing_expected", menu_buttons(call.context, call.lang))
        return None
    return draft


async def _typed_text(
    call: PersonCall[ProblemTitle | ProblemDescription], limit: int
) -> str | None:
    """The typed title or description, cleaned; None after saying what is wrong."""
    cleaned = (call.typed or "").strip()
    if call.typed is None or not cleaned:
        step = "title" if isinstance(call.payload, ProblemTitle) else "text"
        await call.send("problem_text_expected", step=step, limit=limit)
        return None
    if len(cleaned) > limit:
        await call.send("invalid_too_long", length=len(cleaned), limit=limit)
        return None
    return cleaned


async def on_photo(call: PersonCall[ProblemPhoto]) -> None:
    """The report's photo: the report is filed."""
    draft = await _typed_draft(call)
    if draft is None:
        return
    if call.photo is None:
        no_photo = label(call.context, call.lang, "no_photo")
        await call.send("problem_photo_expected", [[(no_photo, NoPhoto().pack())]])
        return
    await problem_store.update_draft(call.services.db, draft.id, photo_file_id=call.photo)
    await _submit(call.update, call.context, call.person, draft)


async def on_description(call: PersonCall[ProblemDescription]) -> None:
    """The report's description: a photo next (or the button without one)."""
    draft = await _typed_draft(call)
    cleaned = await _typed_text(call, DESCRIPTION_LIMIT) if draft is not None else None
    if draft is None or cleaned is None:
        return
    services = call.services
    await problem_store.update_draft(services.db, draft.id, description=cleaned)
    await expect(services.db, call.person.id, ProblemPhoto(draft.id), now=services.clock())
    no_photo = label(call.context, call.lang, "no_photo")
    await call.send("problem_ask_photo", [[(no_photo, NoPhoto().pack())]])


async def on_title(call: PersonCall[ProblemTitle]) -> None:
    """The report's title: the description next, with the offer to join a report alike."""
    draft = await _typed_draft(call)
    cleaned = await _typed_text(call, TITLE_LIMIT) if draft is not None else None
    if draft is None or cleaned is None:
        return
    services, person, lang, context = call.services, call.person, call.lang, call.context
    await problem_store.update_draft(services.db, draft.id, title=cleaned)
    await expect(services.db, person.id, ProblemDescription(draft.id), now=services.clock())
    match = await _resembling(context, draft.action_field, cleaned, person)
    if match is None:
        await call.send("problem_ask_description", limit=DESCRIPTION_LIMIT)
        return
    # Typing a description goes on as without the offer: the buttons only save typing.
    await call.send(
        "problem_duplicate_offer",
        [
            [(label(context, lang, "problem_join"), JoinReport(match.id).pack())],
            [(label(context, lang, "problem_other"), NotTheSame().pack())],
        ],
        problem=match,
        voted=await problem_store.voted(services.db, match.id, person.id),
        limit=DESCRIPTION_LIMIT,
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


async def on_join(call: PersonCall[JoinReport]) -> None:
    """ "Betrifft uns auch" on the existing report instead of filing a duplicate."""
    services, person = call.services, call.person
    problem = await problem_store.get(services.db, call.payload.problem)
    draft = await problem_store.draft_of(services.db, person.id)
    if problem is None or not problem.visible or problem.person_id == person.id or draft is None:
        await call.stale()
        return
    await call.answer()
    call.move_on()
    # Filing in this field says it concerns them: the vote counts even outside their fields.
    now = services.clock()
    added = await problem_store.add_vote(services.db, problem.id, person.id, now=now)
    await problem_store.discard_draft(services.db, person.id)
    await expect(services.db, person.id, None, now=now)
    problem = await problem_store.get(services.db, problem.id)
    assert problem is not None
    await call.send(
        "problem_joined", menu_buttons(call.context, call.lang), problem=problem, added=added
    )


async def _submit(update: Update, context: AgendaContext, person: Person, draft: Problem) -> None:
    services = context.services
    lang = person.language
    await problem_store.submit(services.db, draft.id, now=services.clock())
    await expect(services.db, person.id, None, now=services.clock())
    field = services.consultation.action_field(draft.action_field)
    others = await problem_store.count_open_in_field(services.db, draft.action_field) - 1
    rows: list[list[Button]] = []
    if others > 0:
        rows.append(
            [
                (
                    label(context, lang, "problem_see_others", count=others),
                    ReportsPage(draft.action_field).pack(),
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
