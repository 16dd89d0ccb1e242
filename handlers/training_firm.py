"""/ausbildung, the firm's side: its offers (field, year, occupation, places) and its contact.

Separate from handlers/training.py (the command, the view a person lands on, the school's side)
because a firm's offers are a flow of their own: four taps to a new offer, its places typed next
(handlers/training_input.py), the contact asked once. The guard every training button passes
(`organisation`) and the year picker both sides use live here, the lower of the two modules:
handlers/training.py imports this one for the firm's view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from telegram import Update
from telegram.ext import BaseHandler

from bot import training
from bot.awaiting import OccupationText, OfferPlaces, TrainingContact, expect
from bot.callbacks import CallbackData
from bot.context import AgendaContext
from bot.keys import OccupationKey
from bot.keys import TrainingFieldKey as FieldKey
from handlers.common import chunks, label, send
from handlers.routes import PersonCall, button
from storage import training as store
from storage.people import Person


@dataclass(frozen=True)
class AddOffer(CallbackData, prefix="TR:fa"):
    """Firm: a new offer (choose the field first)."""


@dataclass(frozen=True)
class OfferField(CallbackData, prefix="TR:ff"):
    """Firm: the new offer's field (choose the year next)."""

    field: FieldKey


@dataclass(frozen=True)
class OfferYear(CallbackData, prefix="TR:fy"):
    """Firm: the new offer's starting year (choose the occupation next)."""

    field: FieldKey
    year: int


@dataclass(frozen=True)
class OfferOccupation(CallbackData, prefix="TR:fo"):
    """Firm: the new offer's occupation from the catalogue (type the places next)."""

    field: FieldKey
    year: int
    occupation: OccupationKey


@dataclass(frozen=True)
class OtherOccupation(CallbackData, prefix="TR:fx"):
    """Firm: an occupation not in the catalogue (type it next)."""

    field: FieldKey
    year: int


@dataclass(frozen=True)
class EditOffer(CallbackData, prefix="TR:fe"):
    """Firm: change the places of one of its offers."""

    offer: int


@dataclass(frozen=True)
class AskContact(CallbackData, prefix="TR:fc"):
    """Firm: give or change the contact for schools."""


@dataclass(frozen=True)
class NoContact(CallbackData, prefix="TR:nc"):
    """Firm: no contact for schools."""


@dataclass(frozen=True)
class ContactConsent(CallbackData, prefix="TR:cc"):
    """Firm: whether schools may see the contact."""

    given: bool


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The firm's buttons."""
    return [
        button(AddOffer, on_add_offer),
        button(OfferField, on_offer_field),
        button(OfferYear, on_offer_year),
        button(OfferOccupation, on_offer_occupation),
        button(OtherOccupation, on_other_occupation),
        button(EditOffer, on_edit_offer),
        button(AskContact, onask_contact),
        button(NoContact, on_no_contact),
        button(ContactConsent, on_contact_consent),
    ]


async def show_firm_home(update: Update, context: AgendaContext, person: Person, org: int) -> None:
    """A firm's offers and the pupils seeking."""
    services = context.services
    lang = person.language
    offers = await store.offers_of(services.db, org)
    lines = await training.table(services.db, services.catalogue, lang, services.consultation)
    profile = await store.profile(services.db, org)
    named = [(o, training.occupation_title(services.catalogue, o, lang)) for o in offers]
    buttons = [
        [(label(context, lang, "training_add_offer"), AddOffer().pack())],
        *[
            [
                (
                    label(context, lang, "training_edit_offer", title=title, year=o.start_year),
                    EditOffer(o.id).pack(),
                )
            ]
            for o, title in named
        ],
        [(label(context, lang, "training_contact"), AskContact().pack())],
    ]
    await send(
        update,
        context,
        lang,
        "training_firm_home",
        buttons,
        offers=named,
        lines=[x for x in lines if x.seeking or x.seeking_internship],
        profile=profile,
        named=person.may_be_named,
    )


# ------------------------------------------------------------------ buttons


async def organisation(
    call: PersonCall[CallbackData], role: training.Role | None, year: int | None = None
) -> int | None:
    """The organisation of the school or firm (`role`; None: either) behind a training button,
    with the button answered; None when the button is stale (answered so)."""
    services = call.services
    actual = training.role_of(services.consultation, call.person.group_id)
    org = call.person.organisation_id
    if org is None or actual is None:
        await call.stale()
        return None
    if year is not None and year not in training.years(services.today().year):
        await call.stale()
        return None
    await call.answer()
    call.move_on()
    if role is not None and actual != role:
        await call.send("training_stale")  # e.g. a school's button pressed by a firm
        return None
    return org


async def on_add_offer(call: PersonCall[AddOffer]) -> None:
    """Firm: which field."""
    if await organisation(call, "firm") is None:
        return
    lang = call.lang
    fields = [(f.title.get(lang), OfferField(f.id).pack()) for f in call.services.catalogue.fields]
    await call.send("training_choose_field", chunks(fields, 2))


async def on_offer_field(call: PersonCall[OfferField]) -> None:
    """Firm: which starting year."""
    if await organisation(call, "firm") is None:
        return
    field = call.services.catalogue.field(call.payload.field)
    if field is None:
        await call.send("training_stale")
        return
    await choose_year(call, lambda year: OfferYear(field.id, year), school=False)


async def on_offer_year(call: PersonCall[OfferYear]) -> None:
    """Firm: which occupation (or another one, typed)."""
    year = call.payload.year
    if await organisation(call, "firm", year) is None:
        return
    field = call.services.catalogue.field(call.payload.field)
    if field is None:
        await call.send("training_stale")
        return
    lang = call.lang
    buttons = [
        [(o.title.get(lang), OfferOccupation(field.id, year, o.id).pack())]
        for o in field.occupations
    ]
    other = label(call.context, lang, "training_other")
    buttons.append([(other, OtherOccupation(field.id, year).pack())])
    await call.send("training_choose_occupation", buttons, title=field.title.get(lang))


async def on_offer_occupation(call: PersonCall[OfferOccupation]) -> None:
    """Firm: the offer is stored; type its places next."""
    payload = call.payload
    org = await organisation(call, "firm", payload.year)
    if org is None:
        return
    field = call.services.catalogue.field(payload.field)
    occupation = field.occupation(payload.occupation) if field else None
    if field is None or occupation is None:
        await call.send("training_stale")
        return
    offer_id = await store.save_offer(
        call.services.db,
        org,
        field.id,
        payload.year,
        occupation_id=occupation.id,
        now=call.services.clock(),
    )
    await ask_places(call, offer_id, occupation.title.get(call.lang), payload.year)


async def on_other_occupation(call: PersonCall[OtherOccupation]) -> None:
    """Firm: type the occupation."""
    year = call.payload.year
    if await organisation(call, "firm", year) is None:
        return
    field = call.services.catalogue.field(call.payload.field)
    if field is None:
        await call.send("training_stale")
        return
    services = call.services
    await expect(services.db, call.person.id, OccupationText(year, field.id), now=services.clock())
    await call.send("training_ask_occupation", title=field.title.get(call.lang))


async def on_edit_offer(call: PersonCall[EditOffer]) -> None:
    """Firm: type the places of one of its own offers again."""
    org = await organisation(call, "firm")
    if org is None:
        return
    offer = await store.offer(call.services.db, call.payload.offer)
    if offer is None or offer.organisation_id != org:
        await call.send("training_stale")
        return
    title = training.occupation_title(call.services.catalogue, offer, call.lang)
    await ask_places(call, offer.id, title, offer.start_year)


async def onask_contact(call: PersonCall[AskContact]) -> None:
    """Firm: type the contact for schools."""
    if await organisation(call, "firm") is not None:
        await ask_contact(call)


async def on_no_contact(call: PersonCall[NoContact]) -> None:
    """Firm: no contact for schools."""
    org = await organisation(call, "firm")
    if org is None:
        return
    services = call.services
    await expect(services.db, call.person.id, None, now=services.clock())
    await store.update_profile(
        services.db, org, contact="", contact_consent=False, now=services.clock()
    )
    await show_firm_home(call.update, call.context, call.person, org)


async def on_contact_consent(call: PersonCall[ContactConsent]) -> None:
    """Firm: schools may see the contact, or not."""
    org = await organisation(call, "firm")
    if org is None:
        return
    services = call.services
    await store.update_profile(
        services.db, org, contact_consent=call.payload.given, now=services.clock()
    )
    await show_firm_home(call.update, call.context, call.person, org)


async def choose_year(
    call: PersonCall[CallbackData], payload: Callable[[int], CallbackData], *, school: bool
) -> None:
    """The starting years (a firm) or leaving years (a school) to pick, as `payload` buttons."""
    lang = call.lang
    buttons = [
        (label(call.context, lang, "training_year", year=year), payload(year).pack())
        for year in training.years(call.services.today().year)
    ]
    await call.send("training_choose_year", [buttons], school=school)


async def ask_places(call: PersonCall[object], offer_id: int, title: str, year: int) -> None:
    services = call.services
    await expect(services.db, call.person.id, OfferPlaces(offer_id), now=services.clock())
    await call.send("training_ask_places", title=title, year=year)


async def ask_contact(call: PersonCall[object]) -> None:
    services = call.services
    await expect(services.db, call.person.id, TrainingContact(), now=services.clock())
    buttons = [[(label(call.context, call.lang, "training_no_contact"), NoContact().pack())]]
    await call.send("training_ask_contact", buttons)
