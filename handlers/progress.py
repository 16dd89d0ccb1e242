"""Progress after adoption: /fortschritt (staff) records it, /folgen lets people follow measures.

/fortschritt lists the measures of the published plan and a "report" button (the progress report
as PDF and HTML). A measure's view shows its milestones and indicators with buttons: mark a
milestone reached, record an indicator value (typed next), add a note (typed next). Each entry
is told to the measure's followers through the outbox (kind ``measure_update``).
"""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import progress
from bot.awaiting import IndicatorValue, ProgressNote, expect
from bot.callbacks import decode, encode
from bot.context import AgendaContext
from bot.plan import NoPlan, PlanContext, PlanError, PlannedMeasure
from bot.progress import BadValue
from bot.progress_notices import enqueue_updates
from bot.progress_render import render_progress_in_worker
from handlers.common import (
    Button,
    answer_callback,
    current_person,
    drop_buttons,
    keyboard,
    label,
    language_of,
    send,
    send_rendered,
    text,
)
from handlers.onboarding import ensure_onboarded
from handlers.plan import ERRORS_SHOWN
from handlers.routes import Expected, PersonCall, expects
from handlers.staff import staff_only
from storage import draft as drafts
from storage import progress as store
from storage.people import Person


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """/fortschritt for staff, /folgen for everyone, and their buttons."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler(["fortschritt", "progress"], staff_only(progress_command)),
        CommandHandler(["folgen", "follow"], follow_command, filters=private),
        CallbackQueryHandler(staff_only(on_staff_button), pattern=r"^PG:"),
        CallbackQueryHandler(on_follow_button, pattern=r"^FO:"),
    ]


def typed_steps() -> list[Expected]:
    """Staff: a typed indicator value or note."""
    return [expects(IndicatorValue, on_value), expects(ProgressNote, on_note)]


# ------------------------------------------------------------------ staff


async def _plan(update: Update, context: AgendaContext, lang: str) -> PlanContext | None:
    """The published plan, or None after telling staff why there is none."""
    services = context.services
    try:
        return await progress.published_plan(services.db, services.consultation, services.today())
    except NoPlan:
        await send(update, context, lang, "plan_none")
    except PlanError as error:
        errors = error.errors[:ERRORS_SHOWN]
        await send(update, context, lang, "plan_invalid", errors=errors,
                   more=len(error.errors) - len(errors))  # fmt: skip
    return None


async def progress_command(update: Update, context: AgendaContext) -> None:
    """/fortschritt: the plan's measures to pick, and the report button."""
    lang = language_of(update, await current_person(update, context))
    plan = await _plan(update, context, lang)
    if plan is None:
        return
    buttons = [
        [(label(context, lang, "progress_measure", title=m.title), encode("PG", "m", m.measure_id))]
        for m in plan.measures
    ]
    buttons.append([(label(context, lang, "progress_report"), encode("PG", "rep"))])
    await send(update, context, lang, "progress_pick", buttons, count=len(plan.measures))


def _measure_buttons(
    context: AgendaContext, lang: str, measure: progress.MeasureProgress
) -> list[list[Button]]:
    mid = measure.measure_id
    rows: list[list[Button]] = [
        [(label(context, lang, "progress_milestone", title=x.title), encode("PG", "ms", mid, n))]
        for n, x in enumerate(measure.milestones)
        if x.reached is None
    ]
    rows += [
        [(label(context, lang, "progress_indicator", indicator=i.name), encode("PG", "in", mid, n))]
        for n, i in enumerate(measure.indicators)
    ]
    rows.append([(label(context, lang, "progress_note"), encode("PG", "no", mid))])
    return rows


async def _show_measure(
    update: Update, context: AgendaContext, lang: str, plan: PlanContext, measure_id: str
) -> None:
    report = await progress.build_progress(
        context.services.db, plan, context.services.settings.timezone
    )
    measure = report.measure(measure_id)
    if measure is None:
        await send(update, context, lang, "stale_button")
        return
    await send(update, context, lang, "progress_status",
               _measure_buttons(context, lang, measure), measure=measure)  # fmt: skip


def _planned(plan: PlanContext, measure_id: str) -> PlannedMeasure | None:
    return next((m for m in plan.measures if m.measure_id == measure_id), None)


async def on_staff_button(update: Update, context: AgendaContext) -> None:
    """Pick a measure, mark a milestone, ask for a value or a note, send the report."""
    services = context.services
    person = await current_person(update, context)
    lang = language_of(update, person)
    payload = decode(update.callback_query.data if update.callback_query else None)
    args = payload.args if payload else ()
    if args == ("rep",):
        await answer_callback(update, context, lang)
        await _send_report(update, context, lang)
        return
    plan = await _plan(update, context, lang) if len(args) >= 2 else None
    planned = _planned(plan, args[1]) if plan is not None else None
    number = payload.number(2) if payload is not None and len(args) == 3 else None
    index = -1 if number is None else number
    if plan is None or planned is None:
        await answer_callback(update, context, lang, "stale_button")
    elif args[0] == "m" and len(args) == 2:
        await answer_callback(update, context, lang)
        await _show_measure(update, context, lang, plan, planned.measure_id)
    elif args[0] == "ms" and 0 <= index < len(planned.milestones):
        await answer_callback(update, context, lang)
        await drop_buttons(update)
        milestone = planned.milestones[index]
        reached = await store.reached(services.db)
        if (planned.measure_id, milestone.title) not in reached:
            await _record(update, context, planned, store.MILESTONE, subject=milestone.title)
        await send(update, context, lang, "progress_milestone_saved", title=milestone.title)
        await _show_measure(update, context, lang, plan, planned.measure_id)
    elif args[0] == "in" and 0 <= index < len(planned.indicators) and person is not None:
        await answer_callback(update, context, lang)
        indicator = planned.indicators[index]
        step = IndicatorValue(planned.measure_id, index)
        await expect(services.db, person.id, step, now=services.clock())
        await send(update, context, lang, "progress_ask_value", indicator=indicator)
    elif args[0] == "no" and len(args) == 2 and person is not None:
        await answer_callback(update, context, lang)
        note = ProgressNote(planned.measure_id)
        await expect(services.db, person.id, note, now=services.clock())
        await send(update, context, lang, "progress_ask_note", title=planned.title,
                   limit=progress.NOTE_LIMIT)  # fmt: skip
    else:
        await answer_callback(update, context, lang, "stale_button")


async def _record(
    update: Update,
    context: AgendaContext,
    planned: PlannedMeasure,
    kind: str,
    *,
    subject: str = "",
    value: float | None = None,
    note: str = "",
) -> None:
    """Store an entry and tell the measure's followers through the outbox."""
    services = context.services
    user = update.effective_user
    async with services.db.transaction():  # the entry and its notices commit together
        entry_id = await store.record(
            services.db, planned.measure_id, kind, services.clock(), subject=subject,
            value=value, note=note, recorded_by=user.id if user else None,
        )  # fmt: skip
        planned_any = await enqueue_updates(
            services, entry_id, planned.title, user.id if user else None
        )
    if planned_any:
        dispatcher = context.bot_data.dispatcher
        if dispatcher is not None:
            dispatcher.wake()


async def _typed_measure(call: PersonCall[IndicatorValue | ProgressNote]) -> (
    PlannedMeasure | None
):
    """The planned measure a staff member's typed entry is for; None after dropping the step
    (not staff any more, no plan, the measure gone) or asking again (not text)."""
    services, person = call.services, call.person
    user = call.update.effective_user
    if user is None or not services.is_staff(user.id):
        await expect(services.db, person.id, None, now=services.clock())
        await call.send("staff_only", private=True)
        return None
    plan = await _plan(call.update, call.context, call.lang)
    planned = _planned(plan, call.payload.measure) if plan is not None else None
    if plan is None or planned is None:
        await expect(services.db, person.id, None, now=services.clock())
        if plan is not None:
            await call.send("stale_button")
        return None
    if call.typed is None or not call.typed.strip():
        await call.send("progress_not_text")
        return None
    return planned


async def on_value(call: PersonCall[IndicatorValue]) -> None:
    """Staff: a typed value of an indicator, recorded and told to the followers."""
    planned = await _typed_measure(call)
    if planned is None:
        return
    services, person = call.services, call.person
    if call.payload.index >= len(planned.indicators):
        await expect(services.db, person.id, None, now=services.clock())
        await call.send("stale_button")
        return
    indicator = planned.indicators[call.payload.index]
    try:
        value = progress.parse_value(call.typed or "")
    except BadValue:
        await call.send("progress_bad_value", indicator=indicator)
        return
    await expect(services.db, person.id, None, now=services.clock())
    await _record(call.update, call.context, planned, store.INDICATOR, subject=indicator.name,
                  value=value)  # fmt: skip
    await call.send("progress_value_saved", indicator=indicator, value=value)


async def on_note(call: PersonCall[ProgressNote]) -> None:
    """Staff: a typed note on a measure, recorded and told to the followers."""
    planned = await _typed_measure(call)
    if planned is None:
        return
    note = (call.typed or "").strip()
    if len(note) > progress.NOTE_LIMIT:
        await call.send("progress_note_too_long", limit=progress.NOTE_LIMIT, length=len(note))
        return
    services = call.services
    await expect(services.db, call.person.id, None, now=services.clock())
    await _record(call.update, call.context, planned, store.NOTE, note=note)
    await call.send("progress_note_saved", title=planned.title)


async def _send_report(update: Update, context: AgendaContext, lang: str) -> None:
    """Build the report now, render and send it in a task."""
    plan = await _plan(update, context, lang)
    if plan is None:
        return
    services = context.services
    report = await progress.build_progress(services.db, plan, services.settings.timezone)
    await send(update, context, lang, "progress_sending")
    sending = send_rendered(
        update, context, lang, render_progress_in_worker(report), report.key,
        lambda kind: text(context, lang, "progress_caption", kind=kind, day=report.generated),
        "progress_failed",
    )  # fmt: skip
    context.application.create_task(sending, update=update)


# ------------------------------------------------------------------ followers


async def _follow_buttons(
    context: AgendaContext, lang: str, person: Person
) -> list[list[Button]] | None:
    """One toggle button per adopted measure of the current draft (None: none adopted)."""
    db = context.services.db
    version = await drafts.current(db)
    adopted = [m for m in await drafts.measures(db, version.id) if m.adopted] if version else []
    if not adopted:
        return None
    following = await store.followed(db, person.id)
    return [
        [(label(context, lang, "follow", title=m.title, on=m.measure_id in following),
          encode("FO", m.measure_id))]
        for m in adopted
    ]  # fmt: skip


async def follow_command(update: Update, context: AgendaContext) -> None:
    """/folgen: the adopted measures as toggle buttons."""
    person = await ensure_onboarded(update, context)
    if person is None:
        return
    buttons = await _follow_buttons(context, person.language, person)
    if buttons is None:
        await send(update, context, person.language, "follow_none")
        return
    await send(update, context, person.language, "follow_pick", buttons)


async def on_follow_button(update: Update, context: AgendaContext) -> None:
    """Follow or unfollow one adopted measure; the buttons show the new state."""
    person = await current_person(update, context)
    lang = language_of(update, person)
    payload = decode(update.callback_query.data if update.callback_query else None)
    measure_id = payload.arg(0) if payload else None
    db = context.services.db
    version = await drafts.current(db)
    adopted = {m.measure_id: m for m in await drafts.measures(db, version.id) if m.adopted} \
        if version else {}  # fmt: skip
    if person is None or not person.onboarded or measure_id is None or measure_id not in adopted:
        await answer_callback(update, context, lang, "stale_button")
        return
    on = await store.toggle_follow(db, person.id, measure_id, context.services.clock())
    await answer_callback(update, context, lang, "follow_toggled",
                          title=adopted[measure_id].title, on=on)  # fmt: skip
    buttons = await _follow_buttons(context, lang, person)
    query = update.callback_query
    if query is not None and buttons is not None:
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(reply_markup=keyboard(buttons))
