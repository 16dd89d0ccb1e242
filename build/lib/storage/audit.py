"""The audit trail: who (a numeric id) did what to which id, when, and whether it was refused.

An entry never holds personal data beyond the acting staff member's numeric id: the subject is
an id ('organisation:12', 'problem:5>3', 'P0007', a workshop's id from the consultation file),
the detail a short note ('sent=12'). Record inside the action's unit of work, so the action and
its entry commit together::

    async with db.transaction():
        await problems.merge(db, ...)
        await audit.record(db, "problem_merge", actor=staff_id, subject="problem:5>3", now=now)

A person acting on their own data (erasing themselves) is not audited under their Telegram id:
that id is what the erasure removes; record such events with ``actor=None, via="job"`` or not
at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import aiosqlite

from storage.db import Database, iso

Via = Literal["chat", "cli", "job"]

# Every action the trail knows; /audit labels each one (templates/messages/*/audit.j2).
ACTIONS = frozenset(
    {
        # staff work
        "digest",
        "export",
        "broadcast",
        "publish_draft",
        "publish_plan",
        "adopt",
        "attendance",
        "mapping",
        "problem_merge",
        "draft_upload",
        "discard_draft",
        "priority",
        "progress",
        # invitation links
        "invite_revoke",
        "invite_reissue",
        "invite_confirm",
        "invite_refuse",
        # roles
        "staff_add",
        "staff_remove",
        # data protection (issue 12, items 1-5)
        "erase",
        "purge",
        "person_find",
        "person_export",
        # refused attempts (refused=True): the command or button prefix is the subject
        "command",
        "button",
    }
)

_SUBJECT = re.compile(r"^[A-Za-z0-9_.:/>,+-]{1,64}$")
_DETAIL = re.compile(r"^[A-Za-z0-9_.:/>,=+ -]{1,120}$")


class BadAuditEntry(ValueError):
    """An entry that would be unreadable or could carry personal data."""


@dataclass(frozen=True)
class AuditEntry:
    """One line of the trail."""

    id: int
    at: str
    actor: int | None
    via: Via
    action: str
    subject: str | None
    refused: bool
    detail: str | None


def _entry(row: aiosqlite.Row) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=row["at"],
        actor=row["actor"],
        via=row["via"],
        action=row["action"],
        subject=row["subject"],
        refused=bool(row["refused"]),
        detail=row["detail"],
    )


def check(action: str, subject: str | None, detail: str | None) -> None:
    """Refuse an entry with an unknown action or a subject/detail that is not id-like."""
    if action not in ACTIONS:
        raise BadAuditEntry(f"unknown audit action {action!r}")
    if subject is not None and not _SUBJECT.match(subject):
        raise BadAuditEntry(f"audit subject must be an id, not {subject!r}")
    if detail is not None and not _DETAIL.match(detail):
        raise BadAuditEntry("audit detail must be a short note without free text")


async def record(
    db: Database,
    action: str,
    *,
    actor: int | None,
    now: datetime,
    subject: str | int | None = None,
    refused: bool = False,
    detail: str | None = None,
    via: Via | None = None,
) -> int:
    """Add one entry, inside the caller's unit of work if one is open; return its id.

    `via` defaults to 'chat' when there is an actor, else 'cli'; scheduled jobs pass 'job'.
    """
    text = None if subject is None else str(subject)
    check(action, text, detail)
    channel: Via = via or ("chat" if actor is not None else "cli")
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO audit (at, actor, via, action, subject, refused, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (iso(now), actor, channel, action, text, int(refused), detail),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid


async def entries(
    db: Database, *, since: datetime | None = None, limit: int | None = None
) -> list[AuditEntry]:
    """Entries at or after `since` (all if None), oldest first; with `limit` only the latest."""
    rows = await db.fetchall(
        "SELECT * FROM (SELECT * FROM audit WHERE at >= ? ORDER BY at DESC, id DESC LIMIT ?)"
        " ORDER BY at, id",
        (iso(since) if since else "", -1 if limit is None else limit),
    )
    return [_entry(row) for row in rows]


async def delete_before(db: Database, *, before: datetime) -> int:
    """Remove entries older than `before` (the retention rule); return how many went."""
    async with db.transaction() as conn:
        cursor = await conn.execute("DELETE FROM audit WHERE at < ?", (iso(before),))
        return cursor.rowcount
