"""``agenda-bot invite ...``: invitations for organisations."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.common import Env, Subparsers, load_consultation, telegram_failure


def register(sub: Subparsers) -> None:
    """Add ``invite`` and its subcommands."""
    invite = sub.add_parser("invite", help="Einladungen für Organisationen (invitations)")
    invite_sub = invite.add_subparsers(dest="invite_command", required=True)
    imp = invite_sub.add_parser(
        "import", help="Organisationen aus CSV anlegen, Links schreiben (import, write links)"
    )
    imp.add_argument("csv", type=Path, help="CSV with columns name, group, contact")
    imp.add_argument("--out", type=Path, help="where to write the links (default: <csv>-links.csv)")
    imp.add_argument("--bot", help="bot username for the links (default: asked from Telegram)")
    imp.set_defaults(func=import_command)


def import_command(args: argparse.Namespace, env: Env) -> int:
    """Register the organisations of a CSV and write each one's deep link."""
    return asyncio.run(_invite_import(env, args.csv, args.out, args.bot))


async def _invite_import(
    env: Env, csv_path: Path, out: Path | None, bot_username: str | None
) -> int:
    from telegram import Bot
    from telegram.error import BadRequest, InvalidToken, NetworkError

    from bot.invites import InviteFileError, import_rows, read_rows, write_links
    from storage.db import Database

    settings = env.settings()
    consultation = load_consultation(settings)
    try:
        rows = read_rows(csv_path, consultation)
    except FileNotFoundError:
        print(f"agenda-bot: no such file: {csv_path}", file=sys.stderr)
        return 1
    except InviteFileError as error:
        for line in error.errors:
            print(line, file=sys.stderr)
        return 1
    if bot_username is None:
        token = settings.require_token()
        try:
            async with Bot(token, base_url=settings.base_url) as bot:
                bot_username = bot.username
        except (InvalidToken, NetworkError) as error:
            if isinstance(error, BadRequest):
                raise
            return telegram_failure(error, settings)
    db = await Database.open(env.database(create=True))
    try:
        invitations = await import_rows(db, rows, bot_username, datetime.now(UTC))
    finally:
        await db.close()
    out = out or csv_path.with_name(csv_path.stem + "-links.csv")
    write_links(out, invitations)
    for inv in invitations:
        print(f"{inv.name}\t{inv.link}")
    print(f"{len(invitations)} organisations; links written to {out}")
    return 0
