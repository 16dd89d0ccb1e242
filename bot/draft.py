"""The draft action concept as domain rules: the file of measures, publishing, the ranking.

A draft file (``docs/draft.md``, example ``consultations/entwurf-beispiel.yaml``) lists the
measures with id, action field, title, description, goal, horizon and who is responsible, and
the review deadline. ``parse_draft`` reports *every* problem as ``"place: message"``, the place
written like ``measures[2].action_field``, as the consultation file's validator does.

Publishing stores a new version (the old one keeps its ratings and comments) and plans one
outbox message per recipient (kind ``draft_review``): everyone registered for an event and
everyone who asked with /entwurf.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, ValidationInfo
from pydantic_core import PydanticCustomError

from bot.consultation.model import Consultation
from bot.consultation.yaml_models import FileModel, problems_of, said
from bot.consultation.yaml_places import FileProblems, Problem, read_yaml, shown, unknown
from storage import draft as store
from storage import outbox, recipients, workshops
from storage.db import Database
from storage.draft import MeasureStats

KIND = "draft_review"
DIMENSIONS = ("w", "n", "m")  # wünschenswert, notwendig, machbar
HORIZONS = ("kurz", "mittel", "lang")
MEASURE_ID = re.compile(r"^[a-z0-9-]{1,16}$")
MEASURE_ID_HELP = "a-z, 0-9 and -, at most 16 characters"
TEXT_FIELDS = ("title", "description", "goal", "responsible")
TEXT_LIMITS = {"title": 120, "description": 1500, "goal": 600, "responsible": 120}
MAX_MEASURES = 80


class DraftError(FileProblems):
    """A draft file that cannot be published; ``errors`` holds every "place: message"."""

    what = "the draft"
    default_source = "<draft>"


@dataclass(frozen=True)
class Measure:
    """One measure of the draft, as the file gives it."""

    id: str
    action_field: str
    title: str
    description: str
    goal: str
    horizon: str
    responsible: str


@dataclass(frozen=True)
class Draft:
    """A validated draft file."""

    title: str
    review_until: datetime  # aware: the end of the given day (or the given moment), local time
    measures: tuple[Measure, ...]


def load_draft(text: str, consultation: Consultation, source: str = "<draft>") -> Draft:
    """Read and validate a draft file's text; raises DraftError listing every problem."""
    data = read_yaml(text, source, DraftError)
    return parse_draft(data, consultation, source)


def parse_draft(data: object, consultation: Consultation, source: str = "<draft>") -> Draft:
    """Validate already-parsed YAML; raises DraftError listing every problem."""
    if not isinstance(data, dict):
        raise DraftError(["expected a mapping with title, review_until and measures"], source)
    fields = {f.id for f in consultation.action_fields}
    parsed: DraftFile | None = None
    problems: list[Problem] = []
    try:
        parsed = DraftFile.model_validate(data, context={"fields": fields})
    except ValidationError as exc:
        problems = problems_of(exc, DraftFile, {MEASURE_ID.pattern: MEASURE_ID_HELP})[0]
    problems += _duplicate_ids(data)
    if problems or parsed is None:
        raise DraftError.at_places(problems, source)
    until = parsed.review_until
    if until.tzinfo is None:
        until = until.replace(tzinfo=consultation.zone)
    measures = tuple(Measure(**m.model_dump()) for m in parsed.measures)
    return Draft(parsed.title, until, measures)


def _horizon(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool) and 2020 <= value <= 2100:
        return str(value)
    if value is None or value not in HORIZONS:
        raise said(f"expected kurz, mittel, lang or a year like 2028, got {shown(value)}")
    return value


def _deadline(value: object) -> object:
    """The last day of the review: a date is its end (23:59), a date and time as given."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59))
    raise PydanticCustomError("date_type", "expected a date")


def _known_field(value: str, info: ValidationInfo) -> str:
    fields = (info.context or {}).get("fields")
    if fields is not None and value not in fields:
        raise said(unknown("action field", value, fields))
    return value


class MeasureEntry(FileModel):
    """One measure as the file writes it."""

    id: Annotated[str, Field(pattern=MEASURE_ID.pattern)]
    action_field: Annotated[str, AfterValidator(_known_field)]
    title: Annotated[str, Field(min_length=1, max_length=TEXT_LIMITS["title"])]
    description: Annotated[str, Field(min_length=1, max_length=TEXT_LIMITS["description"])]
    goal: Annotated[str, Field(min_length=1, max_length=TEXT_LIMITS["goal"])]
    horizon: Annotated[str, BeforeValidator(_horizon)]
    responsible: Annotated[str, Field(min_length=1, max_length=TEXT_LIMITS["responsible"])]


class DraftFile(FileModel):
    """A draft file: its title, the last day of the review, the measures."""

    title: Annotated[str, Field(min_length=1, max_length=200)]
    review_until: Annotated[datetime, BeforeValidator(_deadline), Field(examples=["2027-04-30"])]
    measures: Annotated[list[MeasureEntry], Field(min_length=1, max_length=MAX_MEASURES)]


def _duplicate_ids(data: Mapping[Any, Any]) -> list[Problem]:
    """Measure ids used twice (on the raw data, so they are found even where pydantic failed)."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    raw = data.get("measures")
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str):
            continue
        if ident in seen:
            msg = f"duplicate measure id {ident!r} (see measures[{seen[ident]}])"
            problems.append((("measures", i, "id"), msg))
        else:
            seen[ident] = i
    return problems


# ------------------------------------------------------------------ publishing


async def audience(db: Database) -> list[recipients.Recipient]:
    """Who gets the draft: reachable people registered for an event or who asked for it."""
    wanted = {r.person_id for r in await workshops.registered(db)}
    wanted |= await store.optins(db)
    return [p for p in await recipients.reachable(db) if p.person_id in wanted]


def review_key(version_id: int, telegram_id: int) -> str:
    """One review notice per version and person."""
    return f"{KIND}:{version_id}:{telegram_id}"


async def publish(db: Database, version_id: int, now: datetime) -> int:
    """Publish a stored version (it supersedes the last) and plan the notices; how many.

    One unit of work: the version is published together with its notices or not at all.
    """
    async with db.transaction():
        version = await store.publish(db, version_id, now)
        if version is None:
            return 0
        people = await audience(db)
        await outbox.enqueue_many(
            db,
            (
                outbox.Planned(
                    recipient=p.telegram_id,
                    kind=KIND,
                    payload={"version": version_id},
                    due_at=now,
                    valid_until=version.review_until,
                    dedupe_key=review_key(version_id, p.telegram_id),
                )
                for p in people
            ),
            now,
        )
    return len(people)


async def store_draft(
    db: Database, draft: Draft, source: str, staff_id: int | None, now: datetime
) -> int:
    """Keep a validated draft as an unpublished version; its id."""
    rows = [
        store.NewMeasure(
            m.id, m.action_field, m.title, m.description, m.goal, m.horizon, m.responsible
        )
        for m in draft.measures
    ]
    return await store.create_version(
        db, draft.title, draft.review_until, source, staff_id, rows, now
    )


def same_text(stored: str, new: str) -> bool:
    """Whether two versions of a file are the same text (line ends and trailing spaces aside):
    publishing it again would change nothing and notify everybody a second time."""

    def lines(text: str) -> list[str]:
        return [line.rstrip() for line in text.strip().splitlines()]

    return lines(stored) == lines(new)


async def unchanged(db: Database, source: str) -> int | None:
    """The published version this file repeats, or None if it differs from the current one."""
    current = await store.current_source(db)
    return current[0] if current is not None and same_text(current[1], source) else None


def is_open(version: store.Version, now: datetime) -> bool:
    """Whether ratings and comments are still taken for this version."""
    return version.published_at is not None and now <= version.review_until


# ------------------------------------------------------------------ ranking


@dataclass(frozen=True)
class Ranked:
    """A measure's place in its action field's ranking."""

    measure: store.MeasureRow
    score: float | None  # mean of the three dimension means (None: not rated)
    means: dict[str, float | None]  # per dimension
    raters: int
    spread: float | None  # standard deviation of all single scores
    agree: float | None  # share of single scores of 4 or 5
    comments: int


def rank(
    measures: Iterable[store.MeasureRow], stats: Mapping[int, MeasureStats]
) -> dict[str, list[Ranked]]:
    """Per action field, the measures by score (ties: more raters first, then file order)."""
    found: dict[str, list[Ranked]] = {}
    for m in measures:
        s = stats.get(m.id) or MeasureStats()
        means = {d: (s.sums[d] / s.counts[d] if s.counts.get(d) else None) for d in DIMENSIONS}
        rated = [v for v in means.values() if v is not None]
        total = sum(s.counts.values())
        spread = None
        if total:
            mean = sum(s.sums.values()) / total
            spread = math.sqrt(max(0.0, s.squares / total - mean * mean))
        found.setdefault(m.action_field, []).append(
            Ranked(
                measure=m,
                score=sum(rated) / len(rated) if rated else None,
                means=means,
                raters=s.raters,
                spread=spread,
                agree=s.high / total if total else None,
                comments=s.comments,
            )
        )
    for ranked in found.values():
        ranked.sort(key=lambda r: (r.score is None, -(r.score or 0), -r.raters, r.measure.position))
    return found
