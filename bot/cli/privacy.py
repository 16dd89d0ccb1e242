"""``agenda-bot purge`` and ``agenda-bot person find|export|erase``: retention and the requests
that arrive by mail (DSGVO Art. 15, 17, 5(1)(e)); each writes an audit entry (via 'cli')."""

from __future__ import annotations

import argparse
import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import Env, Subparsers, fail, load_consultation, note
from bot.cli.texts import text

if TYPE_CHECKING:
    from bot.privacy_export import Copy


def now() -> datetime:
    """The moment the commands act at (tests move it)."""
    return datetime.now(UTC)


def register(sub: Subparsers) -> None:
    """Add ``purge`` and ``person``."""
    purge = sub.add_parser(
        "purge",
        help=text("purge_help"),
        description=text("purge_description"),
    )
    purge.add_argument("--dry-run", action="store_true", help=text("purge_dry_run_help"))
    purge.set_defaults(func=purge_command)

    person = sub.add_parser("person", help=text("person_help"))
    commands = person.add_subparsers(dest="person_command", required=True)
    find = commands.add_parser(
        "find",
        help=text("person_find_help"),
        description=text("person_find_description"),
    )
    find.add_argument("text", metavar="TEXT", help=text("person_find_text_help"))
    find.set_defaults(func=find_command)
    export = commands.add_parser("export", help=text("person_export_help"))
    export.add_argument("person", metavar="ID", help=text("person_id_help"))
    export.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help=text("person_export_out_help")
    )
    export.set_defaults(func=export_command)
    erase = commands.add_parser("erase", help=text("person_erase_help"))
    erase.add_argument("person", metavar="ID", help=text("person_id_help"))
    erase.add_argument("--yes", action="store_true", help=text("person_erase_yes_help"))
    erase.set_defaults(func=erase_command)


def _person_id(raw: str) -> int | None:
    digits = raw.strip()
    digits = digits[1:] if digits[:1] in ("P", "p") else digits
    return int(digits) if digits.isdigit() and len(digits) < 10 else None


def purge_command(args: argparse.Namespace, env: Env) -> int:
    """Purge after the retention date (or show what would go)."""
    return asyncio.run(_purge(env, args.dry_run))


async def _purge(env: Env, dry_run: bool) -> int:
    from bot import privacy
    from storage.db import Database

    settings = env.settings()
    consultation = load_consultation(settings)
    moment = now()
    due = privacy.purge_due(consultation, moment.astimezone(consultation.zone).date())
    db = await Database.open(env.database())
    try:
        if dry_run or not due:
            figures = await privacy.purge(db, consultation, settings, moment, dry_run=True)
            preview = text(
                "purge_preview",
                due=due,
                purge_after=consultation.purge_after,
                people=figures.people,
                answers=figures.answers,
                problems=figures.problems,
                backups=figures.backups,
            )
            print(preview)
            if not due and not dry_run:
                return fail(text("purge_nothing_deleted"))
            return 0
        done = await privacy.purge(db, consultation, settings, moment, via="cli")
    finally:
        await db.close()
    deleted = text(
        "purge_done",
        people=done.people,
        answers=done.answers,
        kept=done.answers_kept,
        problems=done.problems,
        backups=done.backups,
    )
    print(deleted)
    return 0


def find_command(args: argparse.Namespace, env: Env) -> int:
    """List the people a text finds."""
    return asyncio.run(_find(env, args.text))


async def _find(env: Env, search: str) -> int:
    from bot.export_cells import pseudonym
    from storage import audit, person_data
    from storage.db import Database

    if not search.strip():
        return fail(text("person_find_no_text"))
    db = await Database.open(env.database())
    try:
        found = await person_data.find(db, search)
        await audit.record(
            db, "person_find", actor=None, via="cli", detail=f"found={len(found)}", now=now()
        )
    finally:
        await db.close()
    for match in found:
        line = text(
            "person_found",
            pseudonym=pseudonym(match.person_id),
            organisation=match.organisation,
            group_id=match.group_id,
            consented_on=match.consented_at[:10],
            withdrawn=match.withdrawn,
        )
        print(line)
    if not found:
        print(text("person_nobody_found"))
        return 1
    return 0


def export_command(args: argparse.Namespace, env: Env) -> int:
    """Write one person's copy into DIR (readable by the bot's user only)."""
    person_id = _person_id(args.person)
    if person_id is None:
        return fail(text("person_bad_id", person=args.person))
    copy = asyncio.run(_export(env, person_id))
    if copy is None:
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / copy.file_name
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(copy.data)
    os.chmod(target, 0o600)
    print(text("person_copy_written", path=target, size=len(copy.data)))
    return 0


async def _export(env: Env, person_id: int) -> Copy | None:
    from bot.export_cells import pseudonym
    from bot.privacy_export import build_copy
    from storage import audit
    from storage.db import Database

    settings = env.settings()
    consultation = load_consultation(settings)
    db = await Database.open(env.database())
    try:
        copy = await build_copy(db, consultation, person_id, now())
        if copy is not None:
            await audit.record(
                db, "person_export", actor=None, via="cli", subject=pseudonym(person_id), now=now()
            )
    finally:
        await db.close()
    if copy is None:
        note(text("person_missing", pseudonym=pseudonym(person_id)))
    return copy


def erase_command(args: argparse.Namespace, env: Env) -> int:
    """Erase one person after a confirmation (or --yes)."""
    from bot.export_cells import pseudonym

    person_id = _person_id(args.person)
    if person_id is None:
        return fail(text("person_bad_id", person=args.person))
    organisation = asyncio.run(_erase(env, person_id, dry=True))
    if organisation is None:
        return fail(text("person_missing", pseudonym=pseudonym(person_id)))
    if not args.yes:
        prompt = text(
            "person_erase_prompt", pseudonym=pseudonym(person_id), organisation=organisation
        )
        answer = input(prompt + " ")
        if answer.strip().lower() not in ("j", "ja", "y", "yes"):
            print(text("person_nothing_deleted"))
            return 1
    return 0 if asyncio.run(_erase(env, person_id, dry=False)) is not None else 1


async def _erase(env: Env, person_id: int, *, dry: bool) -> str | None:
    """With dry: the organisation of the person the id names ('' without one); else erase and
    say so. None: no such person."""
    from bot import privacy
    from bot.export_cells import pseudonym
    from storage import people
    from storage.db import Database

    settings = env.settings()
    consultation = load_consultation(settings)
    db = await Database.open(env.database())
    try:
        person = await people.by_id(db, person_id)
        if person is None:
            return None
        if dry:
            return person.organisation_name or ""
        erased = await privacy.erase(db, consultation, settings, person_id, now(), via="cli")
    finally:
        await db.close()
    if erased is None:
        return None
    done = text(
        "person_erased",
        pseudonym=pseudonym(person_id),
        answers=erased.answers,
        problems=erased.problems,
        registrations=erased.registrations,
        organisation=erased.organisation,
        outbox=erased.outbox,
    )
    print(done)
    return ""
