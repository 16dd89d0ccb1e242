"""Schule und Wirtschaft: who reports what, the matching figures, what each side may see.

Plain functions over storage, so the rules are tested without Telegram: a school sees firms only
where they agreed to be named, and their contact only where they agreed to pass it on; a firm
sees per field how many pupils are seeking, never which school.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Literal

from telegram import Bot
from telegram.error import TelegramError

from bot.catalogue import Catalogue
from bot.consultation import Consultation
from bot.context import Services
from storage import outbox
from storage import training as store
from storage.db import Database

log = logging.getLogger(__name__)

Role = Literal["school", "firm"]
KIND_OFFER = "training_offer"
KIND_SUMMARY = "training_summary"
SUMMARY_HOUR = 8  # local time on the 1st of each month


class BadCount(ValueError):
    """A typed count that is not a whole number between 0 and MAX_COUNT; ``reason`` says why."""

    def __init__(self, reason: Literal["not_number", "negative", "too_many"]) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_count(typed: str | None) -> int:
    """A typed count of pupils, places or internships; raises BadCount."""
    cleaned = (typed or "").strip().replace(".", "").replace(" ", "")
    try:
        value = int(cleaned)
    except ValueError:
        raise BadCount("not_number") from None
    if value < 0:
        raise BadCount("negative")
    if value > store.MAX_COUNT:
        raise BadCount("too_many")
    return value


def role_of(consultation: Consultation, group_id: str | None) -> Role | None:
    """Schools report demand, firms supply: the groups of the training questionnaires decide."""
    for questionnaire in consultation.questionnaires:
        if group_id is not None and group_id in questionnaire.groups:
            if questionnaire.kind == "training_demand":
                return "school"
            if questionnaire.kind == "training_supply":
                return "firm"
    return None


def years(today_year: int, count: int = 3) -> list[int]:
    """The leaving / start years offered as buttons."""
    return [today_year + n for n in range(count)]


@dataclass(frozen=True)
class FieldLine:
    """One field of the supply-and-demand table."""

    field_id: str
    title: str
    seeking: int
    seeking_internship: int
    places: int
    internships: int
    schools: int
    firms: int

    @property
    def gap(self) -> int:
        """Places offered minus pupils seeking: negative where places are missing."""
        return self.places - self.seeking


async def table(db: Database, catalogue: Catalogue, lang: str) -> list[FieldLine]:
    """The supply-and-demand table, one line per catalogue field."""
    by_field = {t.field_id: t for t in await store.totals(db)}
    lines = []
    for field in catalogue.fields:
        t = by_field.get(field.id)
        lines.append(
            FieldLine(
                field.id,
                field.title.get(lang),
                t.seeking_training if t else 0,
                t.seeking_internship if t else 0,
                t.places if t else 0,
                t.internships if t else 0,
                t.schools if t else 0,
                t.firms if t else 0,
            )
        )
    return lines


def occupation_title(catalogue: Catalogue, offer: store.Offer, lang: str) -> str:
    """The occupation's catalogue title, or the firm's own words."""
    field = catalogue.field(offer.field_id)
    occupation = field.occupation(offer.occupation_id or "") if field else None
    return occupation.title.get(lang) if occupation else (offer.occupation_text or "")


@dataclass(frozen=True)
class OfferLine:
    """A named firm's offer as a school sees it."""

    firm: str
    occupation: str
    start_year: int
    places: int
    internships: int
    contact: str | None


@dataclass(frozen=True)
class SchoolField:
    """For one field the school's pupils seek: the named offers and how many unnamed firms."""

    title: str
    seeking: int
    seeking_internship: int
    offers: tuple[OfferLine, ...]
    unnamed_firms: int


async def school_view(
    db: Database, catalogue: Catalogue, organisation_id: int, lang: str
) -> tuple[list[store.Demand], list[SchoolField]]:
    """A school's own figures, and per sought field the firms offering (named ones only)."""
    demand = await store.demand_of(db, organisation_id)
    sought: dict[str, tuple[int, int]] = {}
    for d in demand:
        training, internship = sought.get(d.field_id, (0, 0))
        sought[d.field_id] = (training + d.seeking_training, internship + d.seeking_internship)
    sought = {f: counts for f, counts in sought.items() if sum(counts)}
    offers = await store.offers_in_fields(db, list(sought))
    fields = []
    for field in catalogue.fields:
        if field.id not in sought:
            continue
        here = [o for o in offers if o.field_id == field.id]
        named = tuple(
            OfferLine(
                o.organisation_name, occupation_title(catalogue, o, lang), o.start_year,
                o.places, o.internships, o.contact,
            )
            for o in here
            if o.may_be_named
        )  # fmt: skip
        unnamed = len({o.organisation_id for o in here if not o.may_be_named})
        fields.append(SchoolField(field.title.get(lang), *sought[field.id], named, unnamed))
    return demand, fields


def chart_png(lines: list[FieldLine], seeking_label: str, places_label: str) -> bytes:
    """Grouped horizontal bars per field: pupils seeking against places offered (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    positions = range(len(lines))
    fig, ax = plt.subplots(figsize=(6, 0.45 * len(lines) + 1))
    try:
        seeking = ax.barh([p - 0.2 for p in positions], [x.seeking for x in lines], 0.4,
                          label=seeking_label, color="#c0504d")  # fmt: skip
        offered = ax.barh([p + 0.2 for p in positions], [x.places for x in lines], 0.4,
                          label=places_label, color="#4f81bd")  # fmt: skip
        ax.set_yticks(list(positions), [x.title for x in lines], fontsize=8)
        ax.invert_yaxis()
        ax.bar_label(seeking, fontsize=7, padding=2)
        ax.bar_label(offered, fontsize=7, padding=2)
        ax.legend(fontsize=8, loc="lower right")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout(pad=0.4)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110)
    finally:
        plt.close(fig)
    return buffer.getvalue()


async def _send_row(
    bot: Bot, db: Database, row: outbox.OutboxRow, text: str, now: datetime
) -> bool:
    """Send one outbox row now and record the result; whether it went out.

    Until the general outbox dispatcher (issue 4) sends these kinds, rows are sent right after
    they are planned (issue 6 allows it); the dispatcher then takes over the 'pending' ones.
    """
    if not await outbox.mark_sending(db, row.id):
        return False
    try:
        await bot.send_message(row.recipient, text)
    except TelegramError as error:
        await outbox.mark_failed(db, row.id, str(error), retry=True)
        log.info("training notification %s not sent: %s", row.id, error)
        return False
    await outbox.mark_sent(db, row.id, now)
    return True


async def notify_new_offer(bot: Bot, services: Services, offer_id: int) -> int:
    """Tell each opted-in school seeking in the offer's field, once per offer and school."""
    db = services.db
    offer = await store.offer(db, offer_id)
    if offer is None or offer.places + offer.internships == 0:
        return 0
    now = services.clock()
    sent = 0
    seen: set[int] = set()
    for school_id, telegram_id, lang in await store.schools_to_notify(db, offer.field_id):
        if school_id in seen or school_id == offer.organisation_id:
            continue  # one member per school gets it
        seen.add(school_id)
        key = f"{KIND_OFFER}:{offer.id}:{school_id}"
        added = await outbox.enqueue(
            db, recipient=telegram_id, kind=KIND_OFFER, payload={"offer": offer.id},
            due_at=now, dedupe_key=key, now=now,
        )  # fmt: skip
        row = await outbox.by_key(db, key)
        if not added or row is None or row.status != "pending":
            continue
        field = services.catalogue.field(offer.field_id)
        text = services.texts.render(
            lang,
            "training_offer_notice",
            field=field.title.get(lang) if field else offer.field_id,
            occupation=occupation_title(services.catalogue, offer, lang),
            start_year=offer.start_year,
            places=offer.places,
            internships=offer.internships,
            firm=offer.organisation_name if offer.may_be_named else None,
            contact=offer.contact if offer.may_be_named else None,
        )
        sent += await _send_row(bot, db, row, text, now)
    return sent


def next_summary_due(now: datetime, services: Services) -> datetime:
    """The 1st of next month, SUMMARY_HOUR local time."""
    local = now.astimezone(services.settings.timezone)
    first = (local.replace(day=1) + timedelta(days=32)).replace(day=1).date()
    return datetime.combine(first, time(SUMMARY_HOUR), services.settings.timezone)


async def plan_summaries(services: Services) -> list[str]:
    """Plan next month's summary for each staff member (idempotent); the dedupe keys."""
    now = services.clock()
    due = next_summary_due(now, services)
    keys = []
    for staff_id in sorted(services.settings.staff_ids):
        key = f"{KIND_SUMMARY}:{due:%Y-%m}:{staff_id}"
        await outbox.enqueue(
            services.db, recipient=staff_id, kind=KIND_SUMMARY, payload={"month": f"{due:%Y-%m}"},
            due_at=due, dedupe_key=key, now=now,
        )  # fmt: skip
        keys.append(key)
    return keys


async def send_due_summaries(bot: Bot, services: Services) -> int:
    """Send summaries whose day has come, then plan the next month's: how many went out."""
    now = services.clock()
    sent = 0
    for row in await outbox.due(services.db, now, kind=KIND_SUMMARY):
        lines = await table(services.db, services.catalogue, "de")
        text = services.texts.render("de", "training_summary", lines=lines, **summary_sums(lines))
        sent += await _send_row(bot, services.db, row, text, now)
    await plan_summaries(services)
    return sent


def summary_sums(lines: list[FieldLine]) -> dict[str, Any]:
    """Totals over all fields, for the table's last line."""
    return {
        "total_seeking": sum(x.seeking for x in lines),
        "total_places": sum(x.places for x in lines),
        "total_gap": sum(x.gap for x in lines),
    }
