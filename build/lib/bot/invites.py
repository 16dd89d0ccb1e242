"""Invitations: organisations registered by staff, each with its own deep link."""

from __future__ import annotations

import csv
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.invite_file import InviteRow, name_key
from storage import organisations
from storage.db import Database


@dataclass(frozen=True)
class Invitation:
    """An imported organisation with its link; `status` new, updated or unchanged."""

    name: str
    group_id: str
    contact: str | None
    link: str
    status: str = "new"


def new_token() -> str:
    """A 16-character token, allowed in Telegram deep links."""
    return secrets.token_urlsafe(12)


def deep_link(bot_username: str, token: str) -> str:
    """The t.me link that opens the bot with /start <token>."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={token}"


async def import_rows(
    db: Database, rows: list[InviteRow], bot_username: str, now: datetime
) -> list[Invitation]:
    """Register each organisation in one transaction. One already invited under the same name
    (ignoring case and spacing) keeps its token and link; its group, contact and spelling are
    corrected."""
    result = []
    async with db.transaction():
        known = {name_key(org.name): org for org in await organisations.invited(db)}
        for row in rows:
            old = known.get(name_key(row.name))
            if old is None:
                org = await organisations.add_invited(
                    db, row.name, row.group_id, row.contact, new_token(), now=now
                )
                status = "new"
            elif (old.name, old.group_id, old.contact) == (row.name, row.group_id, row.contact):
                org, status = old, "unchanged"
            else:
                org = await organisations.update_invited(
                    db, old, row.name, row.group_id, row.contact, now=now
                )
                status = "updated"
            known[name_key(org.name)] = org
            assert org.invite_token is not None
            link = deep_link(bot_username, org.invite_token)
            result.append(Invitation(org.name, org.group_id, org.contact, link, status))
    return result


def write_links(path: Path, invitations: list[Invitation]) -> None:
    """Write name, group, contact, link for mail merge: semicolons and a BOM, as Excel expects."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["name", "group", "contact", "link"])
        for inv in invitations:
            writer.writerow([inv.name, inv.group_id, inv.contact or "", inv.link])
