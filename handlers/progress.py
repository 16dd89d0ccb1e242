"""Progress after adoption: /fortschritt, where staff record it.

/fortschritt lists the measures of the published plan and a "report" button (the progress report
as PDF and HTML). A measure's view shows its milestones and indicators with buttons: mark a
milestone reached, record an indicator value (typed next), add a note (typed next). Each entry
is told to the measure's followers through the outbox (kind ``measure_update``). The report and
/folgen, where people follow measures, are handlers/progress_report.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import BaseHandler

from bot import progress
from bot.awaiting import IndicatorValue, ProgressNote, expect
from bot.callbacks import CallbackData
from bot.context import AgendaContext
from bot.keys import MeasureKey
from bot.plan import PlanContext, PlannedMeasure
from bot.progress import BadValue
from bot.progress_notices import enqueue_updates
from handlers import progress_report
from handlers.common import Button, label, send
from handlers.progress_report import ProgressReport, plan_or_why
from handlers.routes import (
    Args,
    Call,
    Expected,
    PersonCall,
    expects,
    staff_button,
    staff_command,
)
from handlers.staff import audit_action, refuse
from storage import progress as store


@dataclass(frozen=True)
class PickMeasure(CallbackData, prefix="PG:m"):
    """Staff: a measure's milestones and indicators, with buttons."""

    measure: MeasureKey


@dataclass(frozen=True)
class MilestoneReached(CallbackData, prefix="PG:ms"):
    """Staff: the measure's milestone number `index` is reached."""

    measure: MeasureKey
    index: int


@dataclass(frozen=True)
class RecordValue(CallbackData, prefix="PG:in"):
    """Staff: a value of the measure's indicator number `index` (typed next)."""

    measure: MeasureKey
    index: int


@dataclass(frozen=True)
class AddNote(CallbackData, prefix="PG:no"):
    """Staff: a note on the measure (typed next)."""

    measure: MeasureKey


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """/fortschritt and its buttons for staff; the report and /folgen of progress_report.py."""
    return [
        staff_command(["fortschritt", "progress"], progress_command),
        staff_button(PickMeasure, on_pick_measure),
        staff_button(MilestoneReached, on_milestone),
        staff_button(RecordValue, on_record_value),
        staff_button(AddNote, on_add_note),
        *progress_report.handlers(),
    ]


def typed_steps() -> list[Expected]:
    """Staff: a typed indicator value or note."""
    return [expects(IndicatorValue, on_value), expects(ProgressNote, on_note)]


async def progress_command(call: Call[Args]) -> None:
    """/fortschritt: the plan's measures to pick, and the report button."""
    context, lang = call.context, call.lang
    plan = await plan_or_why(call.update, context, lang)
    if plan is None:
        return
    buttons = [
        [
            (
                label(context, lang, "progress_measure", title=m.title),
                PickMeasure(m.measure_id).pack(),
            )
        ]
        for m in plan.measures
    ]
    buttons.append([(label(context, lang, "progress_report"), ProgressReport().pack())])
    await call.send("progress_pick", buttons, count=len(plan.measures))


def _measure_buttons(
    context: AgendaContext, lang: str, measure: progress.MeasureProgress
) -> list[list[Button]]:
    mid = measure.measure_id
    rows: list[list[Button]] = [
        [
            (
                label(context, lang, "progress_milestone", title=x.title),
                MilestoneReached(mid, n).pack(),
            )
        ]
        for n, x in enumerate(measure.milestones)
        if x.reached is None
    ]
    rows += [
        [(label(context, lang, "progress_indicator", indicator=i.name), RecordValue(mid, n).pack())]
        for n, i in enumerate(measure.indicators)
    ]
    rows.append([(label(context, lang, "progress_note"), AddNote(mid).pack())])
    return rows


async def _show_measure(
    update: Update, context: AgendaContext, lang: str, plan: PlanContext, measure_id: str
) -> None:
    report = await progress.build_progress(
        context.services.db, plan, context.services.consultation.zone
    )
    measure = report.measure(measure_id)
    if measure is None:
        await send(update, context, lang, "stale_button")
        return
    await send(
        update,
        context,
        lang,
        "progress_status",
        _measure_buttons(context, lang, measure),
        measure=measure,
    )


def _planned(plan: PlanContext, measure_id: str) -> PlannedMeasure | None:
    return next((m for m in plan.measures if m.measure_id == measure_id), None)


async def _measure(
    call: Call[PickMeasure | MilestoneReached | RecordValue | AddNote],
) -> tuple[PlanContext, PlannedMeasure] | None:
    """The published plan and the measure a staff button names; None when there is no plan
    (said so) or the measure is not in it (answered as stale)."""
    plan = await plan_or_why(call.update, call.context, call.lang)
    planned = _planned(plan, call.payload.measure) if plan is not None else None
    if plan is None or planned is None:
        await call.stale()
        return None
    return plan, planned


async def on_pick_measure(call: Call[PickMeasure]) -> None:
    """A measure's milestones and indicators."""
    found = await _measure(call)
    if found is None:
        return
    plan, planned = found
    await call.answer()
    await _show_measure(call.update, call.context, call.lang, plan, planned.measure_id)


async def on_milestone(call: Call[MilestoneReached]) -> None:
    """A milestone reached: recorded once and told to the followers."""
    found = await _measure(call)
    if found is None:
        return
    plan, planned = found
    if call.payload.index >= len(planned.milestones):
        await call.stale()
        return
    await call.answer()
    await call.drop_buttons()
    milestone = planned.milestones[call.payload.index]
    reached = await store.reached(call.services.db)
    if (planned.measure_id, milestone.title) not in reached:
        await _record(call.update, call.context, planned, store.MILESTONE, subject=milestone.title)
    await call.send("progress_milestone_saved", title=milestone.title)
    await _show_measure(call.update, call.context, call.lang, plan, planned.measure_id)


async def on_record_value(call: Call[RecordValue]) -> None:
    """Ask for an indicator's value (typed next)."""
    found = await _measure(call)
    person = call.person
    if found is None:
        return
    _, planned = found
    if call.payload.index >= len(planned.indicators) or person is None:
        await call.stale()
        return
    await call.answer()
    services = call.services
    step = IndicatorValue(planned.measure_id, call.payload.index)
    await expect(services.db, person.id, step, now=services.clock())
    await call.send("progress_ask_value", indicator=planned.indicators[call.payload.index])


async def on_add_note(call: Call[AddNote]) -> None:
    """Ask for a note on the measure (typed next)."""
    found = await _measure(call)
    person = call.person
    if found is None:
        return
    _, planned = found
    if person is None:
        await call.stale()
        return
    await call.answer()
    services = call.services
    await expect(services.db, person.id, ProgressNote(planned.measure_id), now=services.clock())
    await call.send("progress_ask_note", title=planned.title, limit=progress.NOTE_LIMIT)


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
            services.db,
            planned.measure_id,
            kind,
            services.clock(),
            subject=subject,
            value=value,
            note=note,
            recorded_by=user.id if user else None,
        )
        planned_any = await enqueue_updates(
            services, entry_id, planned.title, user.id if user else None
        )
        await audit_action(update, context, "progress", f"measure:{planned.measure_id}", kind)
    if planned_any:
        dispatcher = context.bot_data.dispatcher
        if dispatcher is not None:
            dispatcher.wake()


async def _typed_measure(call: PersonCall[IndicatorValue | ProgressNote]) -> PlannedMeasure | None:
    """The planned measure a staff member's typed entry is for; None after dropping the step
    (not staff any more, no plan, the measure gone) or asking again (not text)."""
    services, person = call.services, call.person
    user = call.update.effective_user
    if user is None or not services.is_staff(user.id):
        await expect(services.db, person.id, None, now=services.clock())
        await refuse(call.update, call.context)
        return None
    plan = await plan_or_why(call.update, call.context, call.lang)
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
    await _record(
        call.update, call.context, planned, store.INDICATOR, subject=indicator.name, value=value
    )
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
