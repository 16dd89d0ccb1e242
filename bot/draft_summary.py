"""The draft-review summary per measure, for the briefing packs and the export.

Per measure of a published version: the mean rating per dimension, the number of raters, the
score and spread of the ranking (``bot.draft.rank``), the town's marks, and the comments. A
commenter appears only as their organisation where it agreed to be named, otherwise as their
group's anonymous label - the rule of every pack and export. ``source`` does that naming, so
packs and export share this module without sharing their label classes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.draft import rank
from storage import draft as store
from storage.db import Database

Source = Callable[[str, str | None], str]  # (group id, organisation or None) -> shown name


@dataclass(frozen=True)
class ReviewComment:
    """One comment on a measure and who wrote it (name or anonymous label)."""

    text: str
    source: str
    person: int
    group_id: str
    created_at: str


@dataclass(frozen=True)
class SameComment:
    """Comments with the same words (case and spacing aside) as the pack prints them: once,
    with how often they were given and by whom (each name once, the first to give it first)."""

    text: str
    count: int
    sources: tuple[str, ...]


@dataclass(frozen=True)
class MeasureReview:
    """What the review of one measure yielded."""

    measure_id: str
    action_field: str
    title: str
    raters: int
    desirable: float | None
    necessary: float | None
    feasible: float | None
    score: float | None
    spread: float | None
    priority: bool
    adopted: bool
    comments: tuple[ReviewComment, ...]

    @property
    def said(self) -> tuple[SameComment, ...]:
        """The comments with identical ones merged, the most often given first."""
        same: dict[str, list[ReviewComment]] = {}
        for c in self.comments:
            same.setdefault(" ".join(c.text.casefold().split()), []).append(c)
        merged = sorted(same.values(), key=len, reverse=True)  # stable: first given first
        return tuple(
            SameComment(given[0].text, len(given), tuple(dict.fromkeys(c.source for c in given)))
            for given in merged
        )


@dataclass(frozen=True)
class DraftReview:
    """The review summary of one version (in ranking order per action field)."""

    version: int
    title: str
    measures: tuple[MeasureReview, ...]


async def build_review(
    db: Database, version: store.Version, source: Source, field: str | None = None
) -> DraftReview:
    """The summary of a version, all fields or one; ranked as /prioritaeten shows them."""
    rows = [m for m in await store.measures(db, version.id) if field in (None, m.action_field)]
    ranked = rank(rows, await store.stats(db, version.id))
    comments: dict[int, list[ReviewComment]] = {}
    for c in await store.comment_records(db, version.id):
        comments.setdefault(c.measure, []).append(
            ReviewComment(
                c.text, source(c.group_id, c.organisation), c.person, c.group_id, c.created_at
            )
        )
    order = list(dict.fromkeys(m.action_field for m in rows))
    lines = tuple(
        MeasureReview(
            measure_id=r.measure.measure_id,
            action_field=r.measure.action_field,
            title=r.measure.title,
            raters=r.raters,
            desirable=r.means["w"],
            necessary=r.means["n"],
            feasible=r.means["m"],
            score=r.score,
            spread=r.spread,
            priority=r.measure.priority,
            adopted=r.measure.adopted,
            comments=tuple(comments.get(r.measure.id, ())),
        )
        for f in order
        for r in ranked[f]
    )
    return DraftReview(version.id, version.title, lines)


async def latest_review(db: Database, source: Source, field: str | None) -> DraftReview | None:
    """The summary of the latest published version for one action field; None before any."""
    version = await store.current(db)
    return await build_review(db, version, source, field) if version else None
