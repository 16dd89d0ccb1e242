"""The automatic digest: each workshop's pack goes to the staff a set time before it, once.

``plan_digests`` writes one outbox row (kind ``digest``) per workshop and staff recipient; the
one outbox dispatcher sends it like every other kind (its limiter, retries, crash policy and
/ausgang report), with ``policy()`` saying how. The outbox table decides, so a restart neither
loses a digest nor sends it twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.consultation.model import Consultation
from bot.context import AgendaContext, BotData
from bot.documents.kinds import PACK
from bot.documents.pipeline import Rendered, render_in_worker
from bot.outbox.policy import Attachment, Decision, Dropped, KindPolicy, Outgoing, Part
from bot.pack_context import PackContext
from bot.packs import build_pack
from bot.settings import Settings
from storage import outbox
from storage import staff as staff_store
from storage.db import Database
from storage.recipients import Recipient

log = logging.getLogger(__name__)

KIND = "digest"
CACHED_PACKS = 3  # rendered packs kept for the other recipients of the same digest
PACK_LANGUAGE = "de"  # staff get the German pack, like /digest by default
NOTE_RECONCILED = "interrupted while sending: delivery unknown, not sent again"
NOTE_OVER = "workshop over before the digest went out"
NOTE_UNPLANNED = "no longer planned (workshop or recipient removed from the settings)"

# Any application with our bot_data: the factory's AgendaApp, post_init's and a job's view of it.
App = Application[Any, Any, Any, Any, BotData, Any]


def recipients(settings: Settings, added: frozenset[int] = frozenset()) -> list[int]:
    """Every chat that gets the digest: each staff member (AGENDA_STAFF_IDS and those `added`
    with /team), then the staff group if set."""
    chats = sorted(settings.staff_ids | added)
    if settings.staff_chat is not None and settings.staff_chat not in chats:
        chats.append(settings.staff_chat)
    return chats


def in_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A consultation time (naive = local time of the consultation) as an aware UTC moment."""
    aware = local.replace(tzinfo=zone) if local.tzinfo is None else local
    return aware.astimezone(UTC)


def dedupe_key(workshop_id: str, recipient: int) -> str:
    """One digest per workshop and chat, ever."""
    return f"{KIND}:{workshop_id}:{recipient}"


async def plan_digests(
    db: Database, consultation: Consultation, settings: Settings, now: datetime
) -> int:
    """Plan every workshop's digest for every recipient; return how many rows changed.

    Due at the workshop's start minus AGENDA_DIGEST_LEAD, valid until its end. Planning again
    (every start) adds nothing; a pending row follows a moved workshop or a new lead time, and
    pending rows for a workshop or recipient no longer configured are dropped.
    """
    zone = consultation.zone
    planned: set[str] = set()
    changed = 0
    async with db.transaction():  # the new plan replaces the old one at once
        chats = recipients(settings, await staff_store.ids(db))
        for event in consultation.workshops:
            starts, ends = in_utc(event.starts, zone), in_utc(event.ends, zone)
            for chat in chats:
                key = dedupe_key(event.id, chat)
                planned.add(key)
                if ends <= now:
                    continue  # over already: nothing to plan (a pending row drops as expired)
                changed += await outbox.enqueue(
                    db,
                    recipient=chat,
                    kind=KIND,
                    payload={"workshop": event.id},
                    due_at=starts - settings.digest_lead,
                    valid_until=ends,
                    dedupe_key=key,
                    now=now,
                )
        await outbox.drop_unplanned(db, KIND, planned, NOTE_UNPLANNED)
    return changed


def policy() -> KindPolicy:
    """How the one outbox dispatcher sends digests: the pack rendered once per workshop (for
    all its recipients), PDF and HTML as two documents; a row interrupted mid-send counts as
    sent (a second copy of a long pack confuses staff, and /digest fetches it any time)."""
    cache: dict[tuple[str, datetime], tuple[PackContext, Rendered]] = {}

    async def build(
        context: AgendaContext, row: outbox.OutboxRow, person: Recipient | None
    ) -> Decision:
        services = context.services
        workshop_id = str(row.payload.get("workshop", ""))
        event = services.consultation.event(workshop_id)
        if event is None or event.kind != "workshop":
            return Dropped(NOTE_UNPLANNED)
        if row.recipient != services.settings.staff_chat and not services.is_staff(row.recipient):
            return Dropped(NOTE_UNPLANNED)  # removed with /team since it was planned
        key = (workshop_id, row.due_at)
        if key not in cache:
            pack = await build_pack(
                services.db, services.consultation, workshop_id, services.today(), PACK_LANGUAGE
            )
            # RenderFailed: the dispatcher retries
            rendered = await render_in_worker(context.renders, PACK, pack)
            while len(cache) >= CACHED_PACKS:
                cache.pop(next(iter(cache)))
            cache[key] = (pack, rendered)
        pack, rendered = cache[key]
        late = services.clock() >= in_utc(event.starts, services.consultation.zone)
        parts = tuple(
            Part(
                kind,
                Attachment(data, f"{pack.workshop_id}.{kind}"),
                services.texts.render(
                    PACK_LANGUAGE,
                    "digest_auto_caption",
                    title=pack.title,
                    kind=kind,
                    day=pack.generated,
                    starts=event.starts,
                    place=event.place,
                    late=late,
                ),
            )
            for kind, data in (("pdf", rendered.pdf), ("html", rendered.html.encode("utf-8")))
        )
        return Outgoing(text=parts[0].caption, parts=parts)

    return KindPolicy(
        build=build,
        resend_interrupted=False,
        expired_note=NOTE_OVER,
        interrupted_note=NOTE_RECONCILED,
    )


async def start_digests(app: App) -> None:
    """In post_init: plan the digests (the one outbox dispatcher sends them)."""
    services = app.bot_data.services
    assert services is not None, "start_digests runs after the services are open"
    await plan_digests(services.db, services.consultation, services.settings, services.clock())
