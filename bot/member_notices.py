"""Messages about a shared invitation link, through the outbox: the contact is asked to confirm
a person who used the organisation's link, and that person hears the answer.

Rows carry ids only (the request's person and organisation); the text is built just before
sending, so a request that was answered or erased meanwhile is dropped, not sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import CallbackData
from bot.context import AgendaContext
from bot.outbox.dispatch import NOTE_NO_PERSON
from bot.outbox.policy import Decision, Dropped, KindPolicy, Outgoing
from storage import members, organisations, outbox, people
from storage.db import Database
from storage.outbox import OutboxRow
from storage.recipients import Recipient

KIND_REQUEST = "member_request"  # to the contact: confirm or refuse
KIND_DECISION = "member_decision"  # to the person who waited: the answer
NOTE_ANSWERED = "request answered or withdrawn meanwhile"
NOTE_NOT_CONTACT = "recipient no longer the organisation's contact"
NOTE_GONE = "organisation gone"


@dataclass(frozen=True)
class ConfirmMember(CallbackData, prefix="IR:ok"):
    """The contact confirms the person who asked (handlers/members.py)."""

    person: int


@dataclass(frozen=True)
class RefuseMember(CallbackData, prefix="IR:no"):
    """The contact refuses the person who asked (handlers/members.py)."""

    person: int


def policies() -> dict[str, KindPolicy]:
    """The dispatcher's policies for both kinds (sent at any hour: an answer to a tap)."""
    common = {
        "resend_interrupted": False,
        "expired_note": "past its validity",
        "interrupted_note": "interrupted while sending: delivery unknown, not sent again",
    }
    return {
        KIND_REQUEST: KindPolicy(build=build_request, **common),  # type: ignore[arg-type]
        KIND_DECISION: KindPolicy(build=build_decision, **common),  # type: ignore[arg-type]
    }


async def enqueue_request(
    db: Database, organisation_id: int, person_id: int, *, now: datetime
) -> int:
    """Ask the organisation's contact about the person; rows added (0: no contact to ask)."""
    org = await organisations.by_id(db, organisation_id)
    contact = await people.by_id(db, org.contact_person) if org and org.contact_person else None
    if contact is None:
        return 0
    payload = {"person": person_id, "organisation": organisation_id}
    key = f"{organisation_id}:{person_id}"
    return await _send_now(db, contact.telegram_id, KIND_REQUEST, payload, key, now)


async def enqueue_decision(
    db: Database, organisation_id: int, person_id: int, confirmed: bool, *, now: datetime
) -> int:
    """Tell the person whether they were confirmed; rows added."""
    person = await people.by_id(db, person_id)
    if person is None:
        return 0
    payload = {"organisation": organisation_id, "confirmed": confirmed}
    key = f"{organisation_id}:{person_id}"
    return await _send_now(db, person.telegram_id, KIND_DECISION, payload, key, now)


async def _send_now(
    db: Database, recipient: int, kind: str, payload: Mapping[str, object], key: str, now: datetime
) -> int:
    """One outbox row due now; its dedupe key names the kind, the pair and the moment."""
    planned = outbox.Planned(
        recipient=recipient,
        kind=kind,
        payload=payload,
        due_at=now,
        dedupe_key=f"{kind}:{key}:{now.isoformat()}",
    )
    return await outbox.enqueue_many(db, [planned], now)


async def build_request(
    context: AgendaContext, row: OutboxRow, recipient: Recipient | None
) -> Decision:
    """Still waiting, and the recipient still the contact? Then the question with two buttons."""
    if recipient is None:
        return Dropped(NOTE_NO_PERSON)
    db = context.services.db
    person_id = int(row.payload.get("person", 0))
    request = await members.request_of(db, person_id)
    if request is None or request.organisation_id != row.payload.get("organisation"):
        return Dropped(NOTE_ANSWERED)
    if not await members.is_contact(db, recipient.person_id, request.organisation_id):
        return Dropped(NOTE_NOT_CONTACT)
    org = await organisations.by_id(db, request.organisation_id)
    asking = await people.by_id(db, person_id)
    if org is None or asking is None:
        return Dropped(NOTE_GONE)
    texts, lang = context.services.texts, recipient.language
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.render_plain(lang, "btn_member_confirm"),
                    callback_data=ConfirmMember(person_id).pack(),
                ),
                InlineKeyboardButton(
                    texts.render_plain(lang, "btn_member_refuse"),
                    callback_data=RefuseMember(person_id).pack(),
                ),
            ]
        ]
    )
    text = texts.render(
        lang, "member_request", organisation=org.name, telegram_id=asking.telegram_id
    )
    return Outgoing(text, reply_markup=buttons)


async def build_decision(
    context: AgendaContext, row: OutboxRow, recipient: Recipient | None
) -> Decision:
    """The answer to the person who waited."""
    if recipient is None:
        return Dropped(NOTE_NO_PERSON)
    org = await organisations.by_id(context.services.db, int(row.payload.get("organisation", 0)))
    if org is None:
        return Dropped(NOTE_GONE)
    confirmed = bool(row.payload.get("confirmed"))
    return Outgoing(
        context.services.texts.render(
            recipient.language, "member_decision", organisation=org.name, confirmed=confirmed
        )
    )
