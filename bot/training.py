"""Schule und Wirtschaft: who reports what, the matching figures, what each side may see.

Plain functions over storage, so the rules are tested without Telegram: a school sees firms only
where they agreed to be named, and their contact only where they agreed to pass it on; a firm
sees per field how many pupils are seeking, never which school.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Literal

from bot.consultation.catalogue import Catalogue
from bot.consultation.model import Consultation
from storage import training as store
from storage import training_totals as totals_store
from storage.db import Database

Role = Literal["school", "firm"]


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


@dataclass(frozen=True)
class Matching:
    """The supply-and-demand table and what it rests on.

    Rule: an organisation that used /ausbildung counts with those figures on that side (a
    school with any figure, a firm with an offer above 0), otherwise with its people's answers
    to the training questionnaires; nobody is counted twice. The questionnaires ask
    internships without a field: those are kept apart (`internships_seeking`,
    `internships_offered`).
    """

    lines: tuple[FieldLine, ...]
    internships_seeking: int
    internships_offered: int
    sources: totals_store.Sources

    @property
    def seeking(self) -> int:
        return sum(x.seeking for x in self.lines)

    @property
    def places(self) -> int:
        return sum(x.places for x in self.lines)

    @property
    def empty(self) -> bool:
        s = self.sources
        return not (
            s.schools_flow or s.schools_questionnaire or s.firms_flow or s.firms_questionnaire
        )


def training_questionnaires(consultation: Consultation | None) -> tuple[str | None, str | None]:
    """The ids of the demand and the supply questionnaire, where the consultation has them."""
    found = {"training_demand": None, "training_supply": None} | {
        q.kind: q.id
        for q in (consultation.questionnaires if consultation else ())
        if q.kind in ("training_demand", "training_supply")
    }
    return found["training_demand"], found["training_supply"]


async def matching(
    db: Database, catalogue: Catalogue, lang: str, consultation: Consultation | None = None
) -> Matching:
    """The combined supply-and-demand figures, one line per catalogue field (see Matching)."""
    demand, supply = training_questionnaires(consultation)
    fields, internships = list(catalogue.question_ids), catalogue.internships
    totals = await totals_store.combined_totals(db, demand, supply, fields, internships)
    by_field = {t.field_id: t for t in totals}
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
    extra = by_field.get(internships) if internships else None
    return Matching(
        tuple(lines),
        extra.seeking_internship if extra else 0,
        extra.internships if extra else 0,
        await totals_store.combined_sources(db, demand, supply, fields, internships),
    )


async def table(
    db: Database, catalogue: Catalogue, lang: str, consultation: Consultation | None = None
) -> list[FieldLine]:
    """The supply-and-demand table, one line per catalogue field; with the consultation, the
    questionnaires' answers are combined in (see Matching)."""
    return list((await matching(db, catalogue, lang, consultation)).lines)


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
                o.organisation_name,
                occupation_title(catalogue, o, lang),
                o.start_year,
                o.places,
                o.internships,
                o.contact,
            )
            for o in here
            if o.may_be_named
        )
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
        seeking = ax.barh(
            [p - 0.2 for p in positions],
            [x.seeking for x in lines],
            0.4,
            label=seeking_label,
            color="#c0504d",
        )
        offered = ax.barh(
            [p + 0.2 for p in positions],
            [x.places for x in lines],
            0.4,
            label=places_label,
            color="#4f81bd",
        )
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


def summary_sums(lines: list[FieldLine]) -> dict[str, Any]:
    """Totals over all fields, for the table's last line."""
    return {
        "total_seeking": sum(x.seeking for x in lines),
        "total_places": sum(x.places for x in lines),
        "total_gap": sum(x.gap for x in lines),
    }
