"""/ausbildung: schools report demand, firms report places, staff see supply against demand.

A dedicated flow rather than the ausb-* questionnaires: a teacher taps year and field and types
one number, a shop owner taps field, year and occupation and types the places; each figure can
be changed any time without walking a questionnaire again, and every figure is stored at once.
Each button is a payload class with its own small handler; the typed figures are awaited steps
(handlers/training_input.py).

This module owns the command, the view a school or firm lands on, and the school's side (the
pupils seeking, by leaving year and field). The firm's side, its offers and contact, is
handlers/training_firm.py; the staff view handlers/training_staff.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot import training
from bot.awaiting import SeekingTraining, expect
from bot.callbacks import CallbackData
from bot.context import AgendaContext
from bot.keys import TrainingFieldKey as FieldKey
from handlers import onboarding, training_firm, training_staff
from handlers.common import Button, chunks, label, send
from handlers.routes import PersonCall, button
from handlers.staff import staff_only
from handlers.training_firm import choose_year, organisation
from storage import training as store
from storage.people import Person


@dataclass(frozen=True)
class Home(CallbackData, prefix="TR:home"):
    """Back to one's own view."""


@dataclass(frozen=True)
class ReportDemand(CallbackData, prefix="TR:sd"):
    """School: report pupils seeking (choose the leaving year first)."""


@dataclass(frozen=True)
class DemandYear(CallbackData, prefix="TR:sy"):
    """School: the leaving year whose fields to show."""

    year: int


@dataclass(frozen=True)
class DemandField(CallbackData, prefix="TR:sf"):
    """School: the field whose counts to type."""

    field: FieldKey
    year: int


@dataclass(frozen=True)
class NotifyOffers(CallbackData, prefix="TR:nt"):
    """School: switch notices of new offers on or off."""


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The training-places flow: the school's and the firm's side, and the staff view."""
    return [
        CommandHandler(["ausbildung", "training"], training_command, filters.ChatType.PRIVATE),
        button(Home, on_home),
        button(ReportDemand, on_report_demand),
        button(DemandYear, on_demand_year),
        button(DemandField, on_demand_field),
        button(NotifyOffers, on_notify_offers),
        *training_firm.handlers(),
        *training_staff.handlers(),
    ]


async def training_command(update: Update, context: AgendaContext) -> None:
    """/ausbildung: staff get the table; schools and firms their own view."""
    user = update.effective_user
    if user is not None and context.services.is_staff(user.id):
        await staff_only(training_staff.staff_view)(update, context)
        return
    person = await onboarding.ensure_onboarded(update, context)
    if person is not None:
        await show_home(update, context, person)


async def show_home(update: Update, context: AgendaContext, person: Person) -> None:
    """A school's demand and matching offers, or a firm's offers and the pupils seeking."""
    services = context.services
    lang = person.language
    role = training.role_of(services.consultation, person.group_id)
    if role is None or person.organisation_id is None:
        await send(update, context, lang, "training_not_for_you")
        return
    org = person.organisation_id
    if role == "school":
        demand, fields = await training.school_view(services.db, services.catalogue, org, lang)
        profile = await store.profile(services.db, org)
        titles = {f.id: f.title.get(lang) for f in services.catalogue.fields}
        buttons = [
            [(label(context, lang, "training_report_demand"), ReportDemand().pack())],
            [
                (
                    label(context, lang, "training_notify", on=profile.notify_offers),
                    NotifyOffers().pack(),
                )
            ],
        ]
        await send(
            update,
            context,
            lang,
            "training_school_home",
            buttons,
            demand=demand,
            fields=fields,
            titles=titles,
            notify=profile.notify_offers,
        )
        return
    await training_firm.show_firm_home(update, context, person, org)


# ------------------------------------------------------------------ buttons


async def on_home(call: PersonCall[Home]) -> None:
    """Back to one's own view; nothing typed is awaited any more."""
    if await organisation(call, None) is not None:
        await expect(call.services.db, call.person.id, None, now=call.services.clock())
        await show_home(call.update, call.context, call.person)


async def on_report_demand(call: PersonCall[ReportDemand]) -> None:
    """School: which leaving year."""
    if await organisation(call, "school") is not None:
        await choose_year(call, DemandYear, school=True)


async def on_demand_year(call: PersonCall[DemandYear]) -> None:
    """School: the fields of that leaving year with the figures given so far."""
    if await organisation(call, "school") is None:
        return
    if call.payload.year not in training.years(call.services.today().year):
        await call.send("training_stale")
        return
    await school_fields(call.update, call.context, call.person, call.payload.year)


async def on_demand_field(call: PersonCall[DemandField]) -> None:
    """School: type the pupils seeking training in this field and year."""
    year = call.payload.year
    if await organisation(call, "school", year) is None:
        return
    field = call.services.catalogue.field(call.payload.field)
    if field is None:
        await call.send("training_stale")
        return
    services = call.services
    await expect(services.db, call.person.id, SeekingTraining(year, field.id), now=services.clock())
    await call.send("training_ask_seeking", title=field.title.get(call.lang), year=year)


async def on_notify_offers(call: PersonCall[NotifyOffers]) -> None:
    """School: notices of new offers on or off."""
    org = await organisation(call, "school")
    if org is None:
        return
    db = call.services.db
    profile = await store.profile(db, org)
    await store.update_profile(
        db, org, notify_offers=not profile.notify_offers, now=call.services.clock()
    )
    await show_home(call.update, call.context, call.person)


async def school_fields(update: Update, context: AgendaContext, person: Person, year: int) -> None:
    """The fields of one leaving year with the figures given so far, as buttons."""
    lang = person.language
    services = context.services
    assert person.organisation_id is not None
    given = {
        d.field_id: d
        for d in await store.demand_of(services.db, person.organisation_id)
        if d.school_year == year
    }
    buttons: list[Button] = []
    for f in services.catalogue.fields:
        d = given.get(f.id)
        buttons.append(
            (
                label(
                    context,
                    lang,
                    "training_field_count",
                    title=f.title.get(lang),
                    training=d.seeking_training if d else None,
                    internship=d.seeking_internship if d else None,
                ),
                DemandField(f.id, year).pack(),
            )
        )
    rows = [*chunks(buttons, 1), [(label(context, lang, "done"), Home().pack())]]
    await send(update, context, lang, "training_school_fields", rows, year=year)
