"""Invitations: organisations registered by staff, each with its own deep link."""

from __future__ import annotations

import csv
import difflib
import io
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.consultation import Consultation
from storage import organisations
from storage.db import Database

REQUIRED_COLUMNS = ("name", "group")


class InviteFileError(Exception):
    """The CSV cannot be imported; `errors` name the line and what is wrong."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class InviteRow:
    """One organisation to invite."""

    name: str
    group_id: str
    contact: str | None


@dataclass(frozen=True)
class Invitation:
    """An imported organisation with its link."""

    name: str
    group_id: str
    contact: str | None
    link: str


def new_token() -> str:
    """A 16-character token, allowed in Telegram deep links."""
    return secrets.token_urlsafe(12)


def deep_link(bot_username: str, token: str) -> str:
    """The t.me link that opens the bot with /start <token>."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={token}"


def read_rows(path: Path, consultation: Consultation) -> list[InviteRow]:
    """Read name, group, contact from a CSV (comma or semicolon); every error with its line."""
    data = path.read_bytes()
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            # German Excel saves "CSV (Trennzeichen-getrennt)" as Windows-1252.
            raw = data.decode("cp1252")
        except UnicodeDecodeError:
            raise InviteFileError(
                [f'{path}: not UTF-8 text - save the file as "CSV UTF-8"']
            ) from None
    first = raw.splitlines()[0] if raw.strip() else ""
    try:
        dialect = csv.Sniffer().sniff(first or ",", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # a single column: the missing-column check below explains it
    reader = csv.DictReader(io.StringIO(raw), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InviteFileError(
            [f"{path}:1: missing column(s) {', '.join(missing)} (expected: name, group, contact)"]
        )
    groups = {g.id for g in consultation.groups}
    rows, errors = [], []
    for record in reader:
        # The line where the record ends; blank lines and quoted line breaks count.
        number = reader.line_num
        values = {(k or "").strip().lower(): (v or "").strip() for k, v in record.items()}
        name, group = values.get("name", ""), values.get("group", "")
        if not name and not group:
            continue
        if not name:
            errors.append(f"{path}:{number}: name is empty")
        elif len(name) > 120:
            errors.append(f"{path}:{number}: name longer than 120 characters")
        if group not in groups:
            close = difflib.get_close_matches(group, sorted(groups), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            errors.append(
                f"{path}:{number}: unknown group {group!r} "
                f"({hint}allowed: {', '.join(sorted(groups))})"
            )
        rows.append(InviteRow(name, group, values.get("contact") or None))
    if errors:
        raise InviteFileError(errors)
    return rows


async def import_rows(
    db: Database, rows: list[InviteRow], bot_username: str, now: datetime
) -> list[Invitation]:
    """Register each organisation (re-import keeps its token) and build its link."""
    result = []
    for row in rows:
        org = await organisations.upsert_invited(
            db, row.name, row.group_id, row.contact, new_token(), now=now
        )
        assert org.invite_token is not None
        result.append(
            Invitation(
                org.name, org.group_id, org.contact, deep_link(bot_username, org.invite_token)
            )
        )
    return result


def write_links(path: Path, invitations: list[Invitation]) -> None:
    """Write name, group, contact, link for mail merge: semicolons and a BOM, as Excel expects."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["name", "group", "contact", "link"])
        for inv in invitations:
            writer.writerow([inv.name, inv.group_id, inv.contact or "", inv.link])
