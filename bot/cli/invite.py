"""``agenda-bot invite ...``: invitations for organisations."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli import invite_members
from bot.cli.common import Env, Subparsers, fail, load_consultation, telegram_failure
from bot.cli.texts import text

if TYPE_CHECKING:
    from bot.invite_file import InviteFile
    from bot.settings import Settings


def register(sub: Subparsers) -> None:
    """Add ``invite`` and its subcommands."""
    invite = sub.add_parser("invite", help=text("invite_help"))
    invite_sub = invite.add_subparsers(dest="invite_command", required=True)
    imp = invite_sub.add_parser(
        "import",
        help=text("invite_import_help"),
        description=text("invite_import_description"),
    )
    imp.add_argument("csv", type=Path, help=text("invite_import_csv_help"))
    imp.add_argument("--out", type=Path, help=text("invite_import_out_help"))
    imp.add_argument("--bot", help=text("invite_bot_help"))
    imp.add_argument("--partial", action="store_true", help=text("invite_partial_help"))
    imp.set_defaults(func=import_command)
    letters = invite_sub.add_parser(
        "letters",
        help=text("invite_letters_help"),
        description=text("invite_letters_description"),
    )
    letters.add_argument("csv", type=Path, nargs="?", help=text("invite_letters_csv_help"))
    letters.add_argument(
        "--out",
        type=Path,
        default=Path("einladungen.pdf"),
        help=text("invite_letters_out_help"),
    )
    letters.add_argument("--bot", help=text("invite_bot_help"))
    letters.set_defaults(func=letters_command)
    invite_members.register_subcommands(invite_sub)  # list, revoke, reissue, confirm, refuse


def import_command(args: argparse.Namespace, env: Env) -> int:
    """Register the organisations of a CSV and write each one's deep link."""
    return asyncio.run(_invite_import(env, args.csv, args.out, args.bot, args.partial))


async def _invite_import(
    env: Env, csv_path: Path, out: Path | None, bot_username: str | None, partial: bool
) -> int:
    from bot.invite_file import InviteFileError, read_file
    from bot.invites import import_rows, write_links
    from storage.db import Database

    settings = env.settings()
    consultation = load_consultation(settings)
    try:
        found = read_file(csv_path, consultation)
    except OSError as error:
        return fail(text("invite_cannot_read", path=csv_path, error=error.strerror or error))
    except InviteFileError as error:
        for line in error.errors:
            print(line, file=sys.stderr)
        return 1
    _print_problems(csv_path, found)
    for dup in found.duplicates:
        duplicate = text(
            "invite_duplicate",
            path=csv_path,
            line=dup.line,
            name=dup.name,
            first_line=dup.first_line,
        )
        print(duplicate, file=sys.stderr)
    bad = len({p.line for p in found.problems})
    if bad and not partial:
        return fail(text("invite_nothing_imported", bad=bad, good=len(found.rows)))
    if not found.rows:
        return fail(text("invite_no_organisations", path=csv_path))
    if bot_username is None:
        bot_username = await _bot_username(settings)
        if bot_username is None:
            return 1
    db = await Database.open(env.database(create=True))
    try:
        invitations = await import_rows(db, found.rows, bot_username, datetime.now(UTC))
    finally:
        await db.close()
    out = out or csv_path.with_name(csv_path.stem + "-links.csv")
    write_links(out, invitations)
    for inv in invitations:
        print(f"{inv.name}\t{inv.link}")
    count = Counter(inv.status for inv in invitations)
    imported = text(
        "invite_imported",
        total=len(invitations),
        new=count["new"],
        updated=count["updated"],
        unchanged=count["unchanged"],
        skipped=bad,
        links=out,
    )
    print(imported)
    return 0


def _print_problems(csv_path: Path, found: InviteFile) -> None:
    """Each bad row of the file, with its line, on stderr."""
    for problem in found.problems:
        print(
            text("invite_row_problem", path=csv_path, line=problem.line, problem=problem.text),
            file=sys.stderr,
        )


async def _bot_username(settings: Settings) -> str | None:
    """The bot's username from Telegram (None: a one-line failure was printed)."""
    from telegram import Bot
    from telegram.error import BadRequest, InvalidToken, NetworkError

    token = settings.require_token()
    try:
        async with Bot(token, base_url=settings.base_url) as bot:
            return bot.username
    except (InvalidToken, NetworkError) as error:
        if isinstance(error, BadRequest):
            raise
        telegram_failure(error, settings)
        return None


def letters_command(args: argparse.Namespace, env: Env) -> int:
    """Write the invitation letters of the invited organisations as one PDF."""
    return asyncio.run(_letters(env, args.csv, args.out, args.bot))


async def _letters(env: Env, csv_path: Path | None, out: Path, bot_username: str | None) -> int:
    from bot.documents.kinds import LETTERS
    from bot.documents.letters import build_letters
    from bot.documents.pipeline import render_in_worker
    from bot.documents.worker import RENDER_TIMEOUT, RenderFailed, RenderPool
    from bot.invite_file import InviteFileError, name_key, read_file
    from storage import organisations
    from storage.db import Database

    settings = env.settings()
    consultation = load_consultation(settings)
    db = await Database.open(env.database())
    try:
        orgs = await organisations.invited(db)
    finally:
        await db.close()
    if csv_path is not None:
        try:
            found = read_file(csv_path, consultation)
        except OSError as error:
            return fail(text("invite_cannot_read", path=csv_path, error=error.strerror or error))
        except InviteFileError as error:
            return fail("\n".join(error.errors))
        _print_problems(csv_path, found)
        by_key = {name_key(o.name): o for o in orgs}
        missing = [row for row in found.rows if name_key(row.name) not in by_key]
        for row in missing:
            print(
                text("invite_not_invited", path=csv_path, line=row.line, name=row.name),
                file=sys.stderr,
            )
        if missing or found.problems:
            return fail(text("invite_no_letters", path=csv_path))
        orgs = [by_key[name_key(row.name)] for row in found.rows]
    if not orgs:
        return fail(text("invite_none_invited"))
    if bot_username is None:
        bot_username = await _bot_username(settings)
        if bot_username is None:
            return 1
    today = datetime.now(consultation.zone).date()
    ctx = build_letters(consultation, orgs, bot_username, today)
    try:
        with RenderPool(1) as pool:  # a command of its own: one worker, stopped when done
            limit = RENDER_TIMEOUT + 2 * len(orgs)
            rendered = await render_in_worker(pool, LETTERS, ctx, limit=limit)
    except RenderFailed as error:
        return fail(text("invite_letters_failed", error=error))
    await asyncio.to_thread(out.write_bytes, rendered.pdf)
    print(text("invite_letters_written", count=len(orgs), path=out))
    return 0
