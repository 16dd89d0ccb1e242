"""/ausbildung: schools report demand, firms report places, staff see supply against demand.

A dedicated flow rather than the ausb-* questionnaires: a teacher taps year and field and types
one number, a shop owner taps field, year and occupation and types the places; each figure can
be changed any time without walking a questionnaire again, and every figure is stored at once.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import training, training_notices
from bot.callbacks import decode, encode
from bot.context import AgendaContext
from handlers import onboarding, training_staff
from handlers.common import (
    Button,
    answer_callback,
    chunks,
    drop_buttons,
    label,
    send,
)
from handlers.staff import staff_only
from storage import people
from storage import training as store
from storage.people import Person

AWAITING_PREFIX = "tr"
CONTACT_LIMIT = 200
OCCUPATION_LIMIT = 80


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The training-places flow and its staff view."""
    return [
        CommandHandler(["ausbildung", "training"], training_command, filters.ChatType.PRIVATE),
        CallbackQueryHandler(on_button, pattern=r"^TR:"),
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
            [(label(context, lang, "training_report_demand"), encode("TR", "sd"))],
            [(label(context, lang, "training_notify", on=profile.notify_offers),
              encode("TR", "nt"))],
        ]  # fmt: skip
        await send(update, context, lang, "training_school_home", buttons, demand=demand,
                   fields=fields, titles=titles, notify=profile.notify_offers)  # fmt: skip
        return
    offers = await store.offers_of(services.db, org)
    lines = await training.table(services.db, services.catalogue, lang, services.consultation)
    profile = await store.profile(services.db, org)
    named = [(o, training.occupation_title(services.catalogue, o, lang)) for o in offers]
    buttons = [
        [(label(context, lang, "training_add_offer"), encode("TR", "fa"))],
        *[[(label(context, lang, "training_edit_offer", title=title, year=o.start_year),
            encode("TR", "fe", o.id))] for o, title in named],
        [(label(context, lang, "training_contact"), encode("TR", "fc"))],
    ]  # fmt: skip
    await send(update, context, lang, "training_firm_home", buttons, offers=named,
               lines=[x for x in lines if x.seeking or x.seeking_internship], profile=profile,
               named=person.may_be_named)  # fmt: skip


async def on_button(update: Update, context: AgendaContext) -> None:
    """Every TR: button; the arguments are checked against the catalogue and ownership."""
    person = await onboarding.ensure_onboarded(update, context)
    if person is None:
        return
    services = context.services
    lang = person.language
    query = update.callback_query
    payload = decode(query.data if query else None)
    role = training.role_of(services.consultation, person.group_id)
    org = person.organisation_id
    action = payload.arg(0) if payload else None
    args = payload.args[1:] if payload else ()
    catalogue = services.catalogue
    allowed_years = training.years(services.today().year)
    field = catalogue.field(args[0]) if args else None
    year = payload.number(2) if payload and len(args) > 1 else None
    first = payload.number(1) if payload else None  # a year (sy) or an offer id (fe)
    if org is None or role is None or year not in (None, *allowed_years):
        await answer_callback(update, context, lang, "stale_button")
        return
    await answer_callback(update, context, lang)
    await drop_buttons(update)
    db = services.db
    if action == "home":
        await people.set_awaiting(db, person.id, None, now=services.clock())
        await show_home(update, context, person)
    elif role == "school" and action == "sd":
        await _choose_year(update, context, lang, "sy")
    elif role == "school" and action == "sy" and first is not None and first in allowed_years:
        await _school_fields(update, context, person, first)
    elif role == "school" and action == "sf" and field and year:
        await people.set_awaiting(
            db, person.id, f"{AWAITING_PREFIX}:dt:{year}:{field.id}", now=services.clock()
        )
        await send(update, context, lang, "training_ask_seeking", title=field.title.get(lang),
                   year=year)  # fmt: skip
    elif role == "school" and action == "nt":
        profile = await store.profile(db, org)
        await store.update_profile(
            db, org, notify_offers=not profile.notify_offers, now=services.clock()
        )
        await show_home(update, context, person)
    elif role == "firm" and action == "fa":
        fields = [(f.title.get(lang), encode("TR", "ff", f.id)) for f in catalogue.fields]
        await send(update, context, lang, "training_choose_field", chunks(fields, 2))
    elif role == "firm" and action == "ff" and field:
        await _choose_year(update, context, lang, "fy", field.id)
    elif role == "firm" and action == "fy" and field and year:
        buttons = [
            [(o.title.get(lang), encode("TR", "fo", field.id, year, o.id))]
            for o in field.occupations
        ]
        other = label(context, lang, "training_other")
        buttons.append([(other, encode("TR", "fx", field.id, year))])
        await send(update, context, lang, "training_choose_occupation", buttons,
                   title=field.title.get(lang))  # fmt: skip
    elif role == "firm" and action == "fo" and field and year and len(args) > 2:
        occupation = field.occupation(args[2])
        if occupation is None:
            await send(update, context, lang, "training_stale")
            return
        offer_id = await store.save_offer(
            db, org, field.id, year, occupation_id=occupation.id, now=services.clock()
        )
        await _ask_places(update, context, person, offer_id, occupation.title.get(lang), year)
    elif role == "firm" and action == "fx" and field and year:
        await people.set_awaiting(
            db, person.id, f"{AWAITING_PREFIX}:ot:{year}:{field.id}", now=services.clock()
        )
        await send(update, context, lang, "training_ask_occupation", title=field.title.get(lang))
    elif role == "firm" and action == "fe" and first is not None:
        offer = await store.offer(db, first)
        if offer is None or offer.organisation_id != org:
            await send(update, context, lang, "training_stale")
            return
        title = training.occupation_title(catalogue, offer, lang)
        await _ask_places(update, context, person, offer.id, title, offer.start_year)
    elif role == "firm" and action == "fc":
        await _ask_contact(update, context, person)
    elif role == "firm" and action == "nc":
        await people.set_awaiting(db, person.id, None, now=services.clock())
        await store.update_profile(db, org, contact="", contact_consent=False, now=services.clock())
        await show_home(update, context, person)
    elif role == "firm" and action == "cc" and args and args[0] in ("0", "1"):
        await store.update_profile(db, org, contact_consent=args[0] == "1", now=services.clock())
        await show_home(update, context, person)
    else:
        await send(update, context, lang, "training_stale")


async def _choose_year(
    update: Update, context: AgendaContext, lang: str, action: str, *prefix: str
) -> None:
    buttons = [
        (label(context, lang, "training_year", year=year), encode("TR", action, *prefix, year))
        for year in training.years(context.services.today().year)
    ]
    await send(update, context, lang, "training_choose_year", [buttons], school=action == "sy")


async def _school_fields(
    update: Update, context: AgendaContext, person: Person, year: int
) -> None:
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
        buttons.append((
            label(context, lang, "training_field_count", title=f.title.get(lang),
                  training=d.seeking_training if d else None,
                  internship=d.seeking_internship if d else None),
            encode("TR", "sf", f.id, year),
        ))  # fmt: skip
    rows = [*chunks(buttons, 1), [(label(context, lang, "done"), encode("TR", "home"))]]
    await send(update, context, lang, "training_school_fields", rows, year=year)


async def _ask_places(
    update: Update, context: AgendaContext, person: Person, offer_id: int, title: str, year: int
) -> None:
    await people.set_awaiting(
        context.services.db, person.id, f"{AWAITING_PREFIX}:op:{offer_id}",
        now=context.services.clock(),
    )
    await send(update, context, person.language, "training_ask_places", title=title, year=year)


async def _ask_contact(update: Update, context: AgendaContext, person: Person) -> None:
    await people.set_awaiting(
        context.services.db, person.id, f"{AWAITING_PREFIX}:ct", now=context.services.clock()
    )
    buttons = [[(label(context, person.language, "training_no_contact"), encode("TR", "nc"))]]
    await send(update, context, person.language, "training_ask_contact", buttons)


async def on_typed(
    update: Update, context: AgendaContext, person: Person, awaiting: str, typed: str | None
) -> None:
    """A typed count, occupation or contact; bad input is refused and asked again."""
    services = context.services
    db = services.db
    lang = person.language
    org = person.organisation_id
    parts = awaiting.split(":")
    step = parts[1] if len(parts) > 1 else ""
    if org is None:
        await people.set_awaiting(db, person.id, None, now=services.clock())
        await send(update, context, lang, "training_stale")
        return
    if step in ("ot", "ct"):
        limit = OCCUPATION_LIMIT if step == "ot" else CONTACT_LIMIT
        if typed is None or not typed.strip() or len(typed) > limit:
            length = len(typed or "")
            await send(update, context, lang, "training_bad_text", limit=limit, length=length)
            return
        if step == "ct":
            await store.update_profile(db, org, contact=typed.strip(), now=services.clock())
            await people.set_awaiting(db, person.id, None, now=services.clock())
            buttons = [[
                (label(context, lang, "training_consent_yes"), encode("TR", "cc", 1)),
                (label(context, lang, "training_consent_no"), encode("TR", "cc", 0)),
            ]]
            await send(update, context, lang, "training_ask_consent", buttons)
            return
        year, field_id = int(parts[2]), parts[3]
        offer_id = await store.save_offer(
            db, org, field_id, year, occupation_text=typed.strip(), now=services.clock()
        )
        await _ask_places(update, context, person, offer_id, typed.strip(), year)
        return
    try:
        count = training.parse_count(typed)
    except training.BadCount as error:
        await send(update, context, lang, "training_bad_count", reason=error.reason,
                   limit=store.MAX_COUNT)  # fmt: skip
        return
    if step == "dt":
        year, field_id = int(parts[2]), parts[3]
        await store.set_demand(db, org, year, field_id, training=count, now=services.clock())
        await people.set_awaiting(
            db, person.id, f"{AWAITING_PREFIX}:di:{year}:{field_id}", now=services.clock()
        )
        await send(update, context, lang, "training_ask_internship", school=True)
    elif step == "di":
        year, field_id = int(parts[2]), parts[3]
        await store.set_demand(db, org, year, field_id, internship=count, now=services.clock())
        await people.set_awaiting(db, person.id, None, now=services.clock())
        await send(update, context, lang, "training_saved")
        await _school_fields(update, context, person, year)
    elif step == "op":
        offer_id = int(parts[2])
        await store.set_offer_counts(db, offer_id, org, places=count, now=services.clock())
        await people.set_awaiting(
            db, person.id, f"{AWAITING_PREFIX}:oi:{offer_id}", now=services.clock()
        )
        await send(update, context, lang, "training_ask_internship", school=False)
    elif step == "oi":
        offer_id = int(parts[2])
        async with db.transaction():  # the offer and the schools' notices commit together
            await store.set_offer_counts(db, offer_id, org, internships=count, now=services.clock())
            await people.set_awaiting(db, person.id, None, now=services.clock())
            notified = await training_notices.enqueue_offer_notices(services, offer_id)
        await send(update, context, lang, "training_saved")
        if notified:
            dispatcher = context.bot_data.dispatcher
            if dispatcher is not None:
                dispatcher.wake()
        profile = await store.profile(db, org)
        if profile.contact is None:
            await _ask_contact(update, context, person)
        else:
            await show_home(update, context, person)
    else:
        await people.set_awaiting(db, person.id, None, now=services.clock())
        await send(update, context, lang, "training_stale")
