"""``agenda-bot purge`` and ``agenda-bot person find|export|erase``: retention and the requests
that arrive by mail (DSGVO Art. 15, 17, 5(1)(e)); each writes an audit entry (via 'cli')."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import Env, Subparsers, load_consultation

if TYPE_CHECKING:
    from bot.privacy_export import Copy

_ID_HELP = "Kennung: P0007 oder 7 (pseudonym or number, from person find)"


def now() -> datetime:
    """The moment the commands act at (tests move it)."""
    return datetime.now(UTC)


def register(sub: Subparsers) -> None:
    """Add ``purge`` and ``person``."""
    purge = sub.add_parser(
        "purge",
        help="Persönliche Daten nach purge_after löschen (delete personal data after purge_after)",
        description="Löscht nach dem Tag purge_after der Beteiligungsdatei die Daten aller "
        "Personen wie /loeschen, dazu Postausgang, Eingang, Kontakte der Einladungsliste, ältere "
        "Protokolleinträge und die Sicherungen in AGENDA_BACKUP_DIR. Zusammengefasste Ergebnisse "
        "bleiben (und Antworten ohne Personenbezug, wenn retention.keep_anonymised gesetzt ist). "
        "Der laufende Bot tut dasselbe von selbst. (Deletes every person's data after purge_after; "
        "the running bot does the same by itself.)",
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="nur zeigen, was ginge (only show what would go)"
    )
    purge.set_defaults(func=purge_command)

    person = sub.add_parser(
        "person", help="Anfragen per Post/Mail: finden, Kopie, löschen (requests by mail)"
    )
    commands = person.add_subparsers(dest="person_command", required=True)
    find = commands.add_parser(
        "find",
        help="Person finden (find a person)",
        description="Sucht nach Teil des Organisationsnamens, Einladungs-Token oder Kennung "
        "P0007 (by part of the organisation's name, invitation token or pseudonym).",
    )
    find.add_argument("text", metavar="TEXT", help="Name, Token oder P0007")
    find.set_defaults(func=find_command)
    export = commands.add_parser(
        "export", help="Kopie aller Daten als ZIP schreiben (write the copy of all data as ZIP)"
    )
    export.add_argument("person", metavar="ID", help=_ID_HELP)
    export.add_argument("--out", type=Path, required=True, metavar="DIR", help="Zielordner")
    export.set_defaults(func=export_command)
    erase = commands.add_parser(
        "erase", help="Alle Daten der Person löschen (erase all data of the person)"
    )
    erase.add_argument("person", metavar="ID", help=_ID_HELP)
    erase.add_argument("--yes", action="store_true", help="ohne Rückfrage (do not ask)")
    erase.set_defaults(func=erase_command)


def _person_id(raw: str) -> int | None:
    text = raw.strip()
    text = text[1:] if text[:1] in ("P", "p") else text
    return int(text) if text.isdigit() and len(text) < 10 else None


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
            when = "fällig (due)" if due else f"erst nach dem {consultation.purge_after} (not yet)"
            print(
                f"Löschung {when}: {figures.people} Personen, {figures.answers} Antworten, "
                f"{figures.problems} Problemmeldungen, {figures.backups} Sicherungen"
            )
            if not due and not dry_run:
                print("agenda-bot: nichts gelöscht (nothing deleted)", file=sys.stderr)
                return 1
            return 0
        done = await privacy.purge(db, consultation, settings, moment, via="cli")
    finally:
        await db.close()
    kept = f", {done.answers_kept} ohne Personenbezug behalten" if done.answers_kept else ""
    print(
        f"Gelöscht: {done.people} Personen, {done.answers} Antworten{kept}, "
        f"{done.problems} Problemmeldungen, {done.backups} Sicherungen (deleted)"
    )
    return 0


def find_command(args: argparse.Namespace, env: Env) -> int:
    """List the people a text finds."""
    return asyncio.run(_find(env, args.text))


async def _find(env: Env, text: str) -> int:
    from bot.export_cells import pseudonym
    from storage import audit, person_data
    from storage.db import Database

    if not text.strip():
        print("agenda-bot: bitte einen Suchtext angeben (give a search text)", file=sys.stderr)
        return 1
    db = await Database.open(env.database())
    try:
        found = await person_data.find(db, text)
        await audit.record(
            db, "person_find", actor=None, via="cli", detail=f"found={len(found)}", now=now()
        )
    finally:
        await db.close()
    for match in found:
        state = " widerrufen (withdrawn)" if match.withdrawn else ""
        print(
            f"{pseudonym(match.person_id)}\t{match.organisation or '-'}\t"
            f"{match.group_id or '-'}\teingewilligt {match.consented_at[:10]}{state}"
        )
    if not found:
        print("Niemand gefunden (nobody found)")
        return 1
    return 0


def export_command(args: argparse.Namespace, env: Env) -> int:
    """Write one person's copy into DIR (readable by the bot's user only)."""
    person_id = _person_id(args.person)
    if person_id is None:
        print(f"agenda-bot: keine Kennung: {args.person!r} ({_ID_HELP})", file=sys.stderr)
        return 1
    copy = asyncio.run(_export(env, person_id))
    if copy is None:
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / copy.file_name
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(copy.data)
    os.chmod(target, 0o600)
    print(f"{target} ({len(copy.data)} Bytes): daten.html zum Lesen, daten.json maschinenlesbar")
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
        print(f"agenda-bot: {pseudonym(person_id)} gibt es nicht (no such person)", file=sys.stderr)
    return copy


def erase_command(args: argparse.Namespace, env: Env) -> int:
    """Erase one person after a confirmation (or --yes)."""
    from bot.export_cells import pseudonym

    person_id = _person_id(args.person)
    if person_id is None:
        print(f"agenda-bot: keine Kennung: {args.person!r} ({_ID_HELP})", file=sys.stderr)
        return 1
    found = asyncio.run(_erase(env, person_id, dry=True))
    if found is None:
        print(f"agenda-bot: {pseudonym(person_id)} gibt es nicht (no such person)", file=sys.stderr)
        return 1
    if not args.yes:
        answer = input(
            f"Alle Daten von {pseudonym(person_id)}{found} endgültig löschen? "
            "[j/N] (erase for good? [y/N]) "
        )
        if answer.strip().lower() not in ("j", "ja", "y", "yes"):
            print("Nichts gelöscht (nothing deleted)")
            return 1
    return 0 if asyncio.run(_erase(env, person_id, dry=False)) is not None else 1


async def _erase(env: Env, person_id: int, *, dry: bool) -> str | None:
    """With dry: whom the id names (' (organisation)' or ''); else erase and say so."""
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
            return f" ({person.organisation_name})" if person.organisation_name else ""
        erased = await privacy.erase(db, consultation, settings, person_id, now(), via="cli")
    finally:
        await db.close()
    if erased is None:
        return None
    print(
        f"{pseudonym(person_id)} gelöscht (erased): {erased.answers} Antworten, "
        f"{erased.problems} Problemmeldungen, {erased.registrations} Anmeldungen, "
        f"Organisation: {erased.organisation}, {erased.outbox} Nachrichten"
    )
    return ""
