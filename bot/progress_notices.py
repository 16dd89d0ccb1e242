"""Telling followers that a measure moved: one outbox row per progress entry and follower.

The message is built just before sending; a row whose entry is gone or whose recipient no longer
follows the measure is dropped, and quiet hours postpone it.
"""

from __future__ import annotations

from bot.context import AgendaContext, Services
from bot.outbox.dispatch import NOTE_NO_PERSON
from bot.outbox.policy import Decision, Dropped, KindPolicy, Outgoing, Postponed
from bot.reminders import QuietHours
from storage import outbox
from storage import progress as store
from storage.outbox import OutboxRow
from storage.recipients import Recipient

KIND = "measure_update"
NOTE_GONE = "progress entry removed"
NOTE_UNFOLLOWED = "no longer follows the measure"
NOTE_QUIET = "quiet hours"


def policies() -> dict[str, KindPolicy]:
    """The dispatcher's policy for measure updates."""
    return {
        KIND: KindPolicy(
            build=build_update,
            resend_interrupted=False,
            expired_note="past its validity",
            interrupted_note="interrupted while sending: delivery unknown, not sent again",
        )
    }


def dedupe_key(entry_id: int, telegram_id: int) -> str:
    """One notice per progress entry and person."""
    return f"{KIND}:{entry_id}:{telegram_id}"


async def enqueue_updates(
    services: Services, entry_id: int, title: str, skip: int | None = None
) -> int:
    """Plan a notice of the entry for each follower of its measure (not `skip`); rows added."""
    db = services.db
    found = await store.entry(db, entry_id)
    if found is None:
        return 0
    now = services.clock()
    planned = [
        outbox.Planned(
            recipient=telegram_id,
            kind=KIND,
            payload={"entry": entry_id, "title": title},
            due_at=now,
            dedupe_key=dedupe_key(entry_id, telegram_id),
        )
        for telegram_id in await store.followers(db, found.measure_id)
        if telegram_id != skip
    ]
    return await outbox.enqueue_many(db, planned, now)


async def build_update(
    context: AgendaContext, row: OutboxRow, recipient: Recipient | None
) -> Decision:
    """Just before sending: the entry exists and the person still follows? Then the notice."""
    if recipient is None:
        return Dropped(NOTE_NO_PERSON)
    services = context.services
    db = services.db
    found = await store.entry(db, int(row.payload.get("entry", 0)))
    if found is None:
        return Dropped(NOTE_GONE)
    if found.measure_id not in await store.followed(db, recipient.person_id):
        return Dropped(NOTE_UNFOLLOWED)
    now = services.clock()
    zone = services.consultation.zone
    allowed = QuietHours.of(services.settings).next_allowed(now, zone)
    if allowed > now:
        return Postponed(allowed, NOTE_QUIET)
    title = str(row.payload.get("title", ""))
    day = found.recorded_at.astimezone(zone).date()
    lang = recipient.language
    return Outgoing(
        services.texts.render(lang, "measure_update", title=title, entry=found, day=day)
    )
