"""What /healthz asks the database: does it answer, and how many outbox messages are overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database


@dataclass(frozen=True)
class OutboxBacklog:
    """Outbox rows due and not yet sent, and the oldest due time among them."""

    due: int
    oldest_due_at: str | None


async def outbox_backlog(db: Database, now: datetime) -> OutboxBacklog:
    """Rows pending or sending whose due time has come."""
    row = await db.fetchone(
        "SELECT count(*) AS due, min(due_at) AS oldest FROM outbox"
        " WHERE status IN ('pending', 'sending') AND due_at <= ?",
        (now.isoformat(timespec="seconds"),),
    )
    assert row is not None
    return OutboxBacklog(int(row["due"]), row["oldest"])
