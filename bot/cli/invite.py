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

if TYPE_CHECKING:
    from bot.settings import Settings


def register(sub: Subparsers) -> None:
    """Add ``invite`` and its subcommands."""
    invite = sub.add_parser("invite", help="Einladungen für Organisationen (invitations)")
    invite_sub = invite.add_subparsers(dest="invite_command", required=True)
    imp = invite_sub.add_parser(
        "import", help="Organisationen aus CSV anlegen, Links schreiben (import, write links)"
    )
    imp.description = (
        "Spalten name;group;contact (oder Name;Gruppe;Kontakt), Trennzeichen ; oder , – wie Excel"
        " speichert. Gruppe als Kennung oder Titel aus der Befragungsdatei. Erneuter Import"
        " derselben Organisation ändert Gruppe und Kontakt, der Link bleibt. (Columns name, group,"
        " contact; a group as id or title; a re-import updates an organisation, its link stays.)"
    )
    imp.add_argument(
        "csv", type=Path, help="CSV-Datei, z. B. aus Excel (CSV file, e.g. saved by Excel)"
    )
    imp.add_argument(
        "--out",
        type=Path,
        help="Links hierhin schreiben (where to write the links; default: <csv>-links.csv)",
    )
    imp.add_argument(
        "--bot", help="Benutzername des Bots für die Links (bot username; default: von Telegram)"
    )
    imp.add_argument(
        "--partial",
        action="store_true",
        help="fehlerhafte Zeilen überspringen, die guten importieren (skip bad rows)",
    )
    imp.set_defaults(func=import_command)
    letters = invite_sub.add_parser(
        "letters",
        help="Einladungsbriefe als PDF, je Organisation eine Seite mit QR-Code"
        " (invitation letters)",
        description="Schreibt für jede eingeladene Organisation der Datenbank einen Brief (A4,"
        " deutsch): Briefkopf aus der Befragungsdatei (letterhead), Anlass, Termine, persönlicher"
        " Link als QR-Code und Text, Datenschutz-Kontakt. Mit CSV nur die Organisationen dieser"
        " Datei (zuerst importieren). (One letter per invited organisation of the database; with"
        " a CSV only that file's organisations, imported first.)",
    )
    letters.add_argument(
        "csv",
        type=Path,
        nargs="?",
        help="nur die Organisationen dieser CSV (only the organisations of this CSV)",
    )
    letters.add_argument(
        "--out",
        type=Path,
        default=Path("einladungen.pdf"),
        help="PDF-Datei (the PDF; default: einladungen.pdf)",
    )
    letters.add_argument(
        "--bot", help="Benutzername des Bots für die Links (bot username; default: von Telegram)"
    )
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
        return fail(f"{csv_path}: {error.strerror or error} (cannot read)")
    except InviteFileError as error:
        for line in error.errors:
            print(line, file=sys.stderr)
        return 1
    for problem in found.problems:
        print(f"{csv_path}:{problem.line}: {problem.text}", file=sys.stderr)
    for dup in found.duplicates:
        print(
            f"{csv_path}:{dup.line}: {dup.name!r} doppelt, wie Zeile {dup.first_line}"
            f" – zählt einmal (duplicate, counted once)",
            file=sys.stderr,
        )
    bad = len({p.line for p in found.problems})
    if bad and not partial:
        return fail(
            f"{bad} fehlerhafte Zeile(n), nichts importiert (nothing imported) – Datei"
            f" korrigieren oder mit --partial nur die {len(found.rows)} guten importieren"
            " (fix the file, or import the good rows with --partial)"
        )
    if not found.rows:
        return fail(f"{csv_path}: keine Organisationen zu importieren (no organisations)")
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
    skipped = f"; {bad} Zeile(n) übersprungen (rows skipped)" if bad else ""
    print(
        f"{len(invitations)} Organisationen (organisations): {count['new']} neu (new),"
        f" {count['updated']} geändert (updated), {count['unchanged']} unverändert"
        f" (unchanged){skipped}; Links: {out}"
    )
    return 0


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
            return fail(f"{csv_path}: {error.strerror or error} (cannot read)")
        except InviteFileError as error:
            return fail("\n".join(error.errors))
        for problem in found.problems:
            print(f"{csv_path}:{problem.line}: {problem.text}", file=sys.stderr)
        by_key = {name_key(o.name): o for o in orgs}
        missing = [row for row in found.rows if name_key(row.name) not in by_key]
        for row in missing:
            print(
                f"{csv_path}:{row.line}: {row.name!r} ist nicht eingeladen (not invited)",
                file=sys.stderr,
            )
        if missing or found.problems:
            return fail(
                f"keine Briefe geschrieben (no letters written) – zuerst: agenda-bot"
                f" invite import {csv_path}"
            )
        orgs = [by_key[name_key(row.name)] for row in found.rows]
    if not orgs:
        return fail(
            "keine eingeladenen Organisationen (none invited) – zuerst: agenda-bot"
            " invite import FILE"
        )
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
        return fail(f"Briefe nicht erstellt (letters not rendered): {error}")
    await asyncio.to_thread(out.write_bytes, rendered.pdf)
    print(f"{len(orgs)} Briefe (letters): {out}")
    return 0
