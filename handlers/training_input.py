"""/ausbildung, typed: the counts a school or firm types, a firm's own occupation and contact.

Each step is an awaited step of bot/awaiting.py that the buttons of handlers/training.py and
handlers/training_firm.py set; bad input is refused and asked again, every figure is stored at
once.
"""

from __future__ import annotations

from bot import training, training_notices
from bot.awaiting import (
    OccupationText,
    OfferInternships,
    OfferPlaces,
    SeekingInternship,
    SeekingTraining,
    TrainingContact,
    expect,
)
from handlers.common import label
from handlers.routes import Expected, PersonCall, expects
from handlers.training import school_fields, show_home
from handlers.training_firm import ContactConsent, ask_contact, ask_places
from storage import training as store

CONTACT_LIMIT = 200
OCCUPATION_LIMIT = 80


def typed_steps() -> list[Expected]:
    """The typed counts, occupation and contact."""
    return [
        expects(SeekingTraining, on_seeking_training),
        expects(SeekingInternship, on_seeking_internship),
        expects(OccupationText, on_occupation_text),
        expects(OfferPlaces, on_offer_places),
        expects(OfferInternships, on_offer_internships),
        expects(TrainingContact, on_contact),
    ]


async def _typed_organisation(call: PersonCall[object]) -> int | None:
    """The person's organisation; without one (left it meanwhile) the step is dropped."""
    org = call.person.organisation_id
    if org is None:
        services = call.services
        await expect(services.db, call.person.id, None, now=services.clock())
        await call.send("training_stale")
    return org


async def _typed_text(call: PersonCall[object], limit: int) -> str | None:
    """The typed text, stripped; None after asking again (not text, empty or too long)."""
    typed = call.typed
    if typed is None or not typed.strip() or len(typed) > limit:
        await call.send("training_bad_text", limit=limit, length=len(typed or ""))
        return None
    return typed.strip()


async def _typed_count(call: PersonCall[object]) -> int | None:
    """The typed count; None after asking again."""
    try:
        return training.parse_count(call.typed)
    except training.BadCount as error:
        await call.send("training_bad_count", reason=error.reason, limit=store.MAX_COUNT)
        return None


async def on_contact(call: PersonCall[TrainingContact]) -> None:
    """Firm: the contact is stored; may schools see it?"""
    org = await _typed_organisation(call)
    contact = await _typed_text(call, CONTACT_LIMIT) if org is not None else None
    if org is None or contact is None:
        return
    services = call.services
    await store.update_profile(services.db, org, contact=contact, now=services.clock())
    await expect(services.db, call.person.id, None, now=services.clock())
    buttons = [
        [
            (label(call.context, call.lang, "training_consent_yes"), ContactConsent(True).pack()),
            (label(call.context, call.lang, "training_consent_no"), ContactConsent(False).pack()),
        ]
    ]
    await call.send("training_ask_consent", buttons)


async def on_occupation_text(call: PersonCall[OccupationText]) -> None:
    """Firm: an occupation not in the catalogue; the offer is stored, its places come next."""
    org = await _typed_organisation(call)
    typed = await _typed_text(call, OCCUPATION_LIMIT) if org is not None else None
    if org is None or typed is None:
        return
    step = call.payload
    offer_id = await store.save_offer(
        call.services.db,
        org,
        step.field,
        step.year,
        occupation_text=typed,
        now=call.services.clock(),
    )
    await ask_places(call, offer_id, typed, step.year)


async def on_seeking_training(call: PersonCall[SeekingTraining]) -> None:
    """School: pupils seeking training stored; internships next."""
    org = await _typed_organisation(call)
    count = await _typed_count(call) if org is not None else None
    if org is None or count is None:
        return
    step, services = call.payload, call.services
    now = services.clock()
    await store.set_demand(services.db, org, step.year, step.field, training=count, now=now)
    await expect(services.db, call.person.id, SeekingInternship(step.year, step.field), now=now)
    await call.send("training_ask_internship", school=True)


async def on_seeking_internship(call: PersonCall[SeekingInternship]) -> None:
    """School: pupils seeking an internship stored; back to the year's fields."""
    org = await _typed_organisation(call)
    count = await _typed_count(call) if org is not None else None
    if org is None or count is None:
        return
    step, services = call.payload, call.services
    now = services.clock()
    await store.set_demand(services.db, org, step.year, step.field, internship=count, now=now)
    await expect(services.db, call.person.id, None, now=now)
    await call.send("training_saved")
    await school_fields(call.update, call.context, call.person, step.year)


async def on_offer_places(call: PersonCall[OfferPlaces]) -> None:
    """Firm: training places stored; internships next."""
    org = await _typed_organisation(call)
    count = await _typed_count(call) if org is not None else None
    if org is None or count is None:
        return
    offer, services = call.payload.offer, call.services
    await store.set_offer_counts(services.db, offer, org, places=count, now=services.clock())
    await expect(services.db, call.person.id, OfferInternships(offer), now=services.clock())
    await call.send("training_ask_internship", school=False)


async def on_offer_internships(call: PersonCall[OfferInternships]) -> None:
    """Firm: internships stored and schools told of the offer; the contact if none yet."""
    org = await _typed_organisation(call)
    count = await _typed_count(call) if org is not None else None
    if org is None or count is None:
        return
    offer, services = call.payload.offer, call.services
    db = services.db
    async with db.transaction():  # the offer and the schools' notices commit together
        await store.set_offer_counts(db, offer, org, internships=count, now=services.clock())
        await expect(db, call.person.id, None, now=services.clock())
        notified = await training_notices.enqueue_offer_notices(services, offer)
    await call.send("training_saved")
    if notified:
        dispatcher = call.context.bot_data.dispatcher
        if dispatcher is not None:
            dispatcher.wake()
    profile = await store.profile(db, org)
    if profile.contact is None:
        await ask_contact(call)
    else:
        await show_home(call.update, call.context, call.person)
