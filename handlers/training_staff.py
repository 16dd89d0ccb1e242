"""/ausbildung for staff: supply against demand with a chart, and mapping typed occupations.

An occupation a firm typed ("Anderer Beruf") is listed with a button; staff pick the field and
the catalogue occupation, and from then on every offer with those words counts there.
"""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import training
from bot.callbacks import decode, encode
from bot.context import AgendaContext
from handlers.common import (
    Button,
    answer_callback,
    chunks,
    current_person,
    drop_buttons,
    send,
    text,
)
from handlers.common import label as button_label
from handlers.staff import staff_only
from storage import training as store


def handlers() -> list[BaseHandler[Update, AgendaContext, object]]:
    """The mapping buttons of the staff view (staff only)."""
    return [CallbackQueryHandler(staff_only(on_map_button), pattern=r"^TS:")]


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
    await send(update, context, lang, "training_staff_table", lines=lines,
               **training.summary_sums(lines))  # fmt: skip
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
        (button_label(context, lang, "training_map", text=by_id[offer_id].occupation_text),
         encode("TS", "f", offer_id))
        for offer_id in first.values()
    ]  # fmt: skip
    await send(update, context, lang, "training_staff_free_text", chunks(buttons, 1),
               offers=free, titles=titles)  # fmt: skip


async def on_map_button(update: Update, context: AgendaContext) -> None:
    """TS:f:<offer> picks the field, TS:o:<offer>:<field> the occupation, TS:m:<offer>:<occ>
    stores the mapping; every argument is looked up again (button data is untrusted)."""
    services = context.services
    catalogue = services.catalogue
    lang = await _lang(update, context)
    query = update.callback_query
    payload = decode(query.data if query else None)
    action = payload.arg(0) if payload else None
    offer_id = payload.number(1) if payload else None
    offer = await store.offer(services.db, offer_id) if offer_id is not None else None
    if payload is None or offer is None or offer.occupation_id is not None:
        await answer_callback(update, context, lang, "stale_button")
        return
    typed = offer.occupation_text or ""
    field = catalogue.field(payload.arg(2) or "") if action == "o" else None
    occupation_id = payload.arg(2) if action == "m" else None
    owner = next((f for f in catalogue.fields if f.occupation(occupation_id or "")), None)
    if action == "f":
        await answer_callback(update, context, lang)
        await drop_buttons(update)
        fields = [(f.title.get(lang), encode("TS", "o", offer.id, f.id)) for f in catalogue.fields]
        await send(update, context, lang, "training_map_field", chunks(fields, 2), text=typed)
    elif field is not None:
        await answer_callback(update, context, lang)
        await drop_buttons(update)
        buttons = [[(o.title.get(lang), encode("TS", "m", offer.id, o.id))]
                   for o in field.occupations]  # fmt: skip
        await send(update, context, lang, "training_map_occupation", buttons, text=typed,
                   field=field.title.get(lang))  # fmt: skip
    elif owner is not None and occupation_id is not None:
        await answer_callback(update, context, lang)
        await drop_buttons(update)
        user = update.effective_user
        assert user is not None
        count = await store.map_occupation(
            services.db, typed, owner.id, occupation_id, user.id, now=services.clock()
        )
        occupation = owner.occupation(occupation_id)
        assert occupation is not None
        await send(update, context, lang, "training_mapped", text=typed, count=count,
                   occupation=occupation.title.get(lang), field=owner.title.get(lang))  # fmt: skip
        await show_free_text(update, context, lang)
    else:
        await answer_callback(update, context, lang, "stale_button")
