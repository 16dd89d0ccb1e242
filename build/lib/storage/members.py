"""Who speaks for an invited organisation: the first person to redeem its link is its contact,
a later person with the same link waits until the contact (or staff) confirms them, and a
revoked or replaced link is remembered so it can be answered with a clear note."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from storage import organisations
from storage.db import Database, iso
from storage.organisations import Organisation

Outcome = Literal["valid", "contact", "member", "waiting", "revoked"]


@dataclass(frozen=True)
class Redeemed:
    """What a link is ('valid', 'revoked') or what redeeming it did: bound as contact or
    member, or a request filed."""

    outcome: Outcome
    organisation: Organisation


@dataclass(frozen=True)
class Request:
    """A person waiting to be confirmed for an organisation."""

    person_id: int
    organisation_id: int
    requested_at: str


@dataclass(frozen=True)
class Binding:
    """An invited organisation and who is bound to it (internal person ids, never Telegram's)."""

    organisation: Organisation
    members: tuple[int, ...]
    waiting: tuple[int, ...]
    old_links: int


async def link(db: Database, token: str) -> Redeemed | None:
    """The organisation of a link, 'valid' or 'revoked'; None when it was never issued."""
    org = await organisations.by_token(db, token)
    if org is not None:
        return Redeemed("valid", org)
    row = await db.fetchone("SELECT organisation_id FROM revoked_tokens WHERE token = ?", (token,))
    found = await organisations.by_id(db, row["organisation_id"]) if row else None
    return Redeemed("revoked", found) if found else None


async def redeem(db: Database, person_id: int, token: str, *, now: datetime) -> Redeemed | None:
    """Use an invitation link: the first person becomes the contact, a member stays one,
    anyone else files a request (one per person); None when the token was never issued."""
    async with db.transaction() as conn:
        found = await link(db, token)
        if found is None or found.outcome == "revoked":
            return found
        org = found.organisation
        current = await db.fetchone("SELECT organisation_id FROM people WHERE id = ?", (person_id,))
        if current is not None and current["organisation_id"] == org.id:
            return Redeemed("contact" if org.contact_person == person_id else "member", org)
        if org.contact_person is None:
            await organisations.bind_person(db, person_id, org.id, org.group_id, now=now)
            await conn.execute(
                "UPDATE organisations SET contact_person = ? WHERE id = ?", (person_id, org.id)
            )
            await conn.execute("DELETE FROM member_requests WHERE person_id = ?", (person_id,))
            bound = await organisations.by_id(db, org.id)
            assert bound is not None
            return Redeemed("contact", bound)
        await conn.execute(
            "INSERT INTO member_requests (person_id, organisation_id, requested_at)"
            " VALUES (?, ?, ?) ON CONFLICT (person_id) DO UPDATE SET"
            " organisation_id = excluded.organisation_id, requested_at = excluded.requested_at",
            (person_id, org.id, iso(now)),
        )
        return Redeemed("waiting", org)


async def request_of(db: Database, person_id: int) -> Request | None:
    """The person's open request, if any."""
    row = await db.fetchone("SELECT * FROM member_requests WHERE person_id = ?", (person_id,))
    return Request(row["person_id"], row["organisation_id"], row["requested_at"]) if row else None


async def confirm(db: Database, person_id: int, *, now: datetime) -> Organisation | None:
    """Make the waiting person a member of the organisation they asked for; None if no request."""
    async with db.transaction() as conn:
        request = await request_of(db, person_id)
        org = await organisations.by_id(db, request.organisation_id) if request else None
        if org is None:
            return None
        await organisations.bind_person(db, person_id, org.id, org.group_id, now=now)
        await conn.execute("DELETE FROM member_requests WHERE person_id = ?", (person_id,))
        return org


async def withdraw(db: Database, person_id: int) -> Organisation | None:
    """Drop the person's request (refused, or they go on without it); its organisation."""
    async with db.transaction() as conn:
        request = await request_of(db, person_id)
        if request is None:
            return None
        await conn.execute("DELETE FROM member_requests WHERE person_id = ?", (person_id,))
        return await organisations.by_id(db, request.organisation_id)


async def is_contact(db: Database, person_id: int, organisation_id: int | None) -> bool:
    """Whether the person speaks for the organisation (and so decides on its naming)."""
    if organisation_id is None:
        return False
    org = await organisations.by_id(db, organisation_id)
    return org is not None and org.contact_person == person_id


async def replace_token(db: Database, organisation_id: int, token: str, *, now: datetime) -> bool:
    """Give the organisation a new link; the old one is remembered as revoked."""
    async with db.transaction() as conn:
        org = await organisations.by_id(db, organisation_id)
        if org is None or org.invite_token is None:
            return False
        await conn.execute(
            "INSERT INTO revoked_tokens (token, organisation_id, revoked_at) VALUES (?, ?, ?)",
            (org.invite_token, org.id, iso(now)),
        )
        await conn.execute(
            "UPDATE organisations SET invite_token = ? WHERE id = ?", (token, organisation_id)
        )
        return True


async def invited_named(db: Database, name: str) -> list[Organisation]:
    """Invited organisations with this name (case-insensitive) or this number."""
    rows = await db.fetchall(
        "SELECT id FROM organisations WHERE invite_token IS NOT NULL"
        " AND (lower(name) = lower(?) OR CAST(id AS TEXT) = ?) ORDER BY id",
        (name.strip(), name.strip()),
    )
    found = [await organisations.by_id(db, row["id"]) for row in rows]
    return [org for org in found if org is not None]


async def bindings(db: Database) -> list[Binding]:
    """Every invited organisation with its members and waiting people, by name."""
    result = []
    for row in await db.fetchall(
        "SELECT id FROM organisations WHERE invite_token IS NOT NULL ORDER BY name, id"
    ):
        org = await organisations.by_id(db, row["id"])
        assert org is not None
        members = await db.fetchall(
            "SELECT id FROM people WHERE organisation_id = ? ORDER BY id", (org.id,)
        )
        waiting = await db.fetchall(
            "SELECT person_id FROM member_requests WHERE organisation_id = ? ORDER BY person_id",
            (org.id,),
        )
        old = await db.fetchone(
            "SELECT count(*) AS n FROM revoked_tokens WHERE organisation_id = ?", (org.id,)
        )
        result.append(
            Binding(
                org,
                tuple(m["id"] for m in members),
                tuple(w["person_id"] for w in waiting),
                old["n"] if old else 0,
            )
        )
    return result
