"""``agenda-bot audit [--since DATE]``: the audit trail, oldest first, one entry a line."""

from __future__ import annotations

import argparse
import asyncio
from datetime import date, datetime, time

from bot.cli.common import Env, Subparsers, load_consultation
from bot.cli.texts import text


def register(sub: Subparsers) -> None:
    """Add ``audit``."""
    parser = sub.add_parser(
        "audit",
        help=text("audit_help"),
        description=text("audit_description"),
    )
    parser.add_argument(
        "--since",
        type=date.fromisoformat,
        metavar=text("audit_since_metavar"),
        help=text("audit_since_help"),
    )
    parser.set_defaults(func=audit_command)


def audit_command(args: argparse.Namespace, env: Env) -> int:
    """Print the entries."""
    return asyncio.run(_audit(env, args.since))


async def _audit(env: Env, since: date | None) -> int:
    from storage import audit
    from storage.db import Database, from_iso

    zone = load_consultation(env.settings()).zone  # the consultation's time zone
    db = await Database.open(env.database())
    try:
        start = datetime.combine(since, time(), zone) if since else None
        entries = await audit.entries(db, since=start)
    finally:
        await db.close()
    print(text("audit_header"))
    for e in entries:
        at = from_iso(e.at).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
        who = str(e.actor) if e.actor is not None else e.via
        refused = text("audit_refused") if e.refused else ""
        print("\t".join((at, who, e.action, e.subject or "", refused, e.detail or "")))
    return 0
