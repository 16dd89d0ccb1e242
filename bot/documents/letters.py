"""Invitation letters: one A4 page per invited organisation, in German, to print and post.

Each letter carries the town's letterhead (``letterhead`` in the consultation file; without it
the data controller's address), why the town asks, the dates of the kick-off and the workshops,
the organisation's personal link as a QR code (``segno``) and in writing, and whom to ask about
data protection. The letters come from the database: the links there are the ones that work.
Rendered like every document (``bot.documents.kinds.LETTERS``: WeasyPrint, the bundled fonts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.consultation.model import Consultation
from bot.invites import deep_link
from storage.organisations import Organisation

MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)


@dataclass(frozen=True)
class EventLine:
    """A date of the consultation people can come to."""

    title: str
    day: date
    starts: str  # "18:00"
    ends: str
    place: str


@dataclass(frozen=True)
class Letter:
    """One organisation's letter."""

    name: str
    group: str  # the group's German title
    link: str
    qr: str  # PNG data URI


@dataclass(frozen=True)
class LettersContext:
    """Everything the letters show; picklable, so the render worker can take it."""

    title: str
    town: str
    letterhead: list[str]
    signature: list[str]
    dated: str  # "Hagenow, 2. Dezember 2026"
    action_fields: list[str]
    events: list[EventLine]
    common_place: str | None  # the place of every event, if they share one
    controller: str
    privacy_contact: str
    purge_after: date
    letters: list[Letter]


def long_date(day: date) -> str:
    """2. Dezember 2026."""
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def qr_data_uri(link: str) -> str:
    """The link as a QR code (PNG, error correction M, quiet zone of four modules)."""
    import segno

    return str(segno.make(link, error="m", boost_error=False).png_data_uri(scale=8, border=4))


def build_letters(
    consultation: Consultation,
    orgs: list[Organisation],
    bot_username: str,
    today: date,
) -> LettersContext:
    """The letters' context for these organisations (each needs its invite token)."""
    head = consultation.letterhead
    lines = head.lines if head else [p.strip() for p in consultation.controller.split(",")]
    signature = head.signature if head and head.signature else [f"Stadt {consultation.town}"]
    place = head.place if head and head.place else consultation.town
    groups = {g.id: g.title.de for g in consultation.groups}
    letters = []
    for org in orgs:
        assert org.invite_token is not None
        link = deep_link(bot_username, org.invite_token)
        letters.append(
            Letter(org.name, groups.get(org.group_id, org.group_id), link, qr_data_uri(link))
        )
    return LettersContext(
        title=consultation.title.de,
        town=consultation.town,
        letterhead=list(lines),
        signature=list(signature),
        dated=f"{place}, {long_date(today)}",
        action_fields=[f.title.de for f in consultation.action_fields],
        events=[
            EventLine(e.title.de, e.starts.date(), _hm(e.starts), _hm(e.ends), e.place)
            for e in sorted(consultation.events, key=lambda e: e.starts)
        ],
        common_place=places.pop()
        if len(places := {e.place for e in consultation.events}) == 1
        else None,
        controller=consultation.controller,
        privacy_contact=consultation.contact,
        purge_after=consultation.purge_after,
        letters=letters,
    )


def _hm(moment: datetime) -> str:
    return moment.strftime("%H:%M")
