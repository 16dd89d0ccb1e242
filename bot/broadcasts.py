"""Staff broadcasts as domain rules: segments, who is in them, and planning the messages."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.consultation.model import Consultation
from storage import broadcasts, outbox, recipients, workshops
from storage.db import Database
from storage.recipients import Recipient

KIND = "broadcast"
ALL = "all"


@dataclass(frozen=True)
class Segment:
    """A choice of recipients: everyone, a stakeholder group ('g:<id>'), an action field
    ('f:<id>') or the registered participants of an event ('w:<id>')."""

    id: str
    kind: str  # 'all', 'group', 'field' or 'workshop'
    title: str


def segments(consultation: Consultation, lang: str) -> list[Segment]:
    """Every segment staff can pick, everyone first."""
    found = [Segment(ALL, "all", "")]
    found += [Segment(f"g:{g.id}", "group", g.title.get(lang)) for g in consultation.groups]
    found += [Segment(f"f:{f.id}", "field", f.title.get(lang)) for f in consultation.action_fields]
    found += [Segment(f"w:{e.id}", "workshop", e.title.get(lang)) for e in consultation.events]
    return found


def segment(consultation: Consultation, segment_id: str, lang: str) -> Segment | None:
    """The segment with this id (button data is untrusted: look it up)."""
    return next((s for s in segments(consultation, lang) if s.id == segment_id), None)


def members(
    people: list[Recipient],
    segment_id: str,
    registered: Mapping[str, Collection[int]] | None = None,
) -> list[Recipient]:
    """Who of these people belongs to the segment (`registered`: person ids per event)."""
    if segment_id == ALL:
        return list(people)
    kind, _, value = segment_id.partition(":")
    if kind == "g":
        return [p for p in people if p.group_id == value]
    if kind == "f":
        return [p for p in people if value in p.fields]
    if kind == "w":
        seated = (registered or {}).get(value, ())
        return [p for p in people if p.person_id in seated]
    return []


async def registered_people(db: Database) -> dict[str, set[int]]:
    """The person ids registered for each event (the workshop segments)."""
    found: dict[str, set[int]] = {}
    for registration in await workshops.registered(db):
        found.setdefault(registration.event_id, set()).add(registration.person_id)
    return found


async def audience(db: Database, segment_id: str) -> list[Recipient]:
    """The reachable people (onboarded, not blocked) in a segment."""
    registered = await registered_people(db) if segment_id.startswith("w:") else None
    return members(await recipients.reachable(db), segment_id, registered)


def key_prefix(broadcast_id: int) -> str:
    """The dedupe keys of one broadcast's messages start with this."""
    return f"{KIND}:{broadcast_id}:"


async def send_broadcast(
    db: Database, staff_id: int, text: str, segment_id: str, now: datetime
) -> tuple[int, int]:
    """Record the broadcast and plan one outbox row per recipient; (broadcast id, recipients).

    One unit of work: the broadcast, its draft's removal and its outbox rows commit together,
    so a failure in between leaves the draft to confirm again and nothing half planned.
    """
    async with db.transaction():
        people = await audience(db, segment_id)
        broadcast_id = await broadcasts.create(db, staff_id, text, segment_id, len(people), now)
        await outbox.enqueue_many(
            db,
            (
                outbox.Planned(
                    recipient=p.telegram_id,
                    kind=KIND,
                    payload={"broadcast": broadcast_id},
                    due_at=now,
                    dedupe_key=f"{key_prefix(broadcast_id)}{p.telegram_id}",
                )
                for p in people
            ),
            now,
        )
    return broadcast_id, len(people)


@dataclass(frozen=True)
class Delivery:
    """A broadcast's delivery report."""

    broadcast: broadcasts.Broadcast
    pending: int
    sent: int
    failed: int
    blocked: int


async def delivery(db: Database, broadcast_id: int, blocked_note: str) -> Delivery | None:
    """How far one broadcast got: sent, failed (blocked counted apart), still pending."""
    found = await broadcasts.by_id(db, broadcast_id)
    if found is None:
        return None
    prefix = key_prefix(broadcast_id)
    counts = await outbox.counts(db, prefix)
    row = counts[0] if counts else outbox.KindCounts(KIND, 0, 0, 0, 0, 0)
    blocked = await outbox.count_with_note(db, prefix, blocked_note)
    return Delivery(
        broadcast=found,
        pending=row.pending + row.sending,
        sent=row.sent,
        failed=row.failed + row.dropped - blocked,
        blocked=blocked,
    )
