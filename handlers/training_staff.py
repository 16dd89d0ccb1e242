"""/ausbildung for staff: supply against demand with a chart, and mapping typed occupations.

An occupation a firm typed ("Anderer Beruf") is listed with a button; staff pick the field and
the catalogue occupation, and from then on every offer with those words counts there.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler

from bot import training
from bot.callbacks import CallbackData
from bot.context import AgendaContext
from bot.keys import OccupationKey, TrainingFieldKey
from handlers.common import Button, chunks, current_person, send, text
from handlers.common import label as button_label
from handlers.routes import Call, staff_button
from handlers.staff import audit_action
from storage import training as store
from storage.training import Offer


@dataclass(frozen=True)
class MapField(CallbackData, prefix="TS:f"):
    """Map a typed occupation: pick its field first."""

    offer: int


@dataclass(frozen=True)
class MapOccupation(CallbackData, prefix="TS:o"):
    """Map a typed occupation: the field is picked, pick the occupation."""

    offer: int
    field: TrainingFieldKey


@dataclass(frozen=True)
class MapTo(CallbackData, prefix="TS:m"):
    """Map a typed occupation to this catalogue occupation."""

    offer: int
    occupation: OccupationKey


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The mapping buttons of the staff view (staff only)."""
    return [
        staff_button(MapField, on_map_field),
        staff_button(MapOccupation, on_map_occupation),
        staff_button(MapTo, on_map_to),
    ]


async def _lang(update: Update, context: AgendaContext) -> str:
    person = await current_person(update, context)
    return person.language if person else "de"


async def staff_view(update: Update, context: AgendaContext) -> None:
    """Staff: the supply-and-demand table as text, a chart, and free-text occupations to map."""
    services = context.services
    lang = await _lang(update, context)
    lines = await training.table(services.db, services.catalogue, lang, services.consultation)
    chat = update.effective_chat
    assert chat is not None and chat.type == ChatType.PRIVATE
    if any(x.seeking or x.places for x in lines):
        png = await asyncio.to_thread(
            training.chart_png,
            lines,
            text(context, lang, "training_chart_seeking"),
            text(context, lang, "training_chart_places"),
        )
        await context.bot.send_photo(
            chat.id, png, caption=text(context, lang, "training_chart_caption")
        )
    await send(
        update, context, lang, "training_staff_table", lines=lines, **training.summary_sums(lines)
    )
    await show_free_text(update, context, lang)


async def show_free_text(update: Update, context: AgendaContext, lang: str) -> None:
    """The typed occupations not mapped yet, one mapping button per distinct text."""
    services = context.services
    free = await store.free_text_offers(services.db)
    titles = {f.id: f.title.get(lang) for f in services.catalogue.fields}
    first: dict[str, int] = {}
    for offer in free:
        first.setdefault((offer.occupation_text or "").casefold(), offer.id)
    by_id = {o.id: o for o in free}
    buttons: list[Button] = [
        (
            button_label(context, lang, "training_map", text=by_id[offer_id].occupation_text),
            MapField(offer_id).pack(),
        )
        for offer_id in first.values()
    ]
    await send(
        update,
        context,
        lang,
        "training_staff_free_text",
        chunks(buttons, 1),
        offers=free,
        titles=titles,
    )


async def _unmapped(call: Call[MapField | MapOccupation | MapTo]) -> Offer | None:
    """The typed offer a mapping button names, still unmapped (button data is untrusted:
    every argument is looked up again); None after answering the button as stale."""
    offer = await store.offer(call.services.db, call.payload.offer)
    if offer is None or offer.occupation_id is not None:
        await call.stale()
        return None
    return offer


async def on_map_field(call: Call[MapField]) -> None:
    """Which field the typed occupation belongs to."""
    offer = await _unmapped(call)
    if offer is None:
        return
    await call.answer()
    await call.drop_buttons()
    lang = call.lang
    fields = [
        (f.title.get(lang), MapOccupation(offer.id, f.id).pack())
        for f in call.services.catalogue.fields
    ]
    await call.send("training_map_field", chunks(fields, 2), text=offer.occupation_text or "")


async def on_map_occupation(call: Call[MapOccupation]) -> None:
    """Which occupation of the field the typed one is."""
    offer = await _unmapped(call)
    field = call.services.catalogue.field(call.payload.field) if offer else None
    if offer is None:
        return
    if field is None:
        await call.stale()
        return
    await call.answer()
    await call.drop_buttons()
    lang = call.lang
    buttons = [[(o.title.get(lang), MapTo(offer.id, o.id).pack())] for o in field.occupations]
    await call.send(
        "training_map_occupation",
        buttons,
        text=offer.occupation_text or "",
        field=field.title.get(lang),
    )


async def on_map_to(call: Call[MapTo]) -> None:
    """Store the mapping: every offer with these words counts there from now on."""
    offer = await _unmapped(call)
    if offer is None:
        return
    services = call.services
    wanted = call.payload.occupation
    owner = next((f for f in services.catalogue.fields if f.occupation(wanted)), None)
    occupation = owner.occupation(wanted) if owner else None
    if owner is None or occupation is None:
        await call.stale()
        return
    await call.answer()
    await call.drop_buttons()
    user = call.update.effective_user
    assert user is not None
    typed = offer.occupation_text or ""
    async with services.db.transaction():
        count = await store.map_occupation(
            services.db, typed, owner.id, occupation.id, user.id, now=services.clock()
        )
        await audit_action(
            call.update,
            call.context,
            "mapping",
            f"offer:{offer.id}",
            f"occupation={occupation.id},offers={count}",
        )
    lang = call.lang
    await call.send(
        "training_mapped",
        text=typed,
        count=count,
        occupation=occupation.title.get(lang),
        field=owner.title.get(lang),
    )
    await show_free_text(call.update, call.context, lang)
