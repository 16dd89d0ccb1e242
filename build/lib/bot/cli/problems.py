"""``agenda-bot problems merge KEEP GONE``: merge a duplicate problem report into another."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from bot.cli.common import Env, Subparsers

REASONS = {
    "same": "das ist dieselbe Meldung (same report)",
    "merged": "eine der beiden Meldungen ist schon zusammengeführt (already merged)",
    "field": "die Meldungen gehören zu verschiedenen Handlungsfeldern (different action fields)",
    "missing": "eine der Meldungen gibt es nicht (no such report)",
}


def register(sub: Subparsers) -> None:
    """Add ``problems merge``."""
    parser = sub.add_parser(
        "problems",
        help="Problemmeldungen: Doppelungen zusammenführen (problem reports: merge duplicates)",
    )
    commands = parser.add_subparsers(dest="problems_command", required=True)
    merge = commands.add_parser(
        "merge",
        help="Meldung GONE in Meldung KEEP zusammenführen (merge report GONE into KEEP)",
        description="Die Stimmen von GONE und die meldende Person zählen danach bei KEEP, "
        "niemand doppelt; GONE bleibt im Export (Spalte merged_into), wird aber nicht mehr "
        "gezeigt. Nummern: Spalte id im Blatt Probleme des Exports (report numbers: column id "
        "of the export's Probleme sheet). Liest AGENDA_DB.",
    )
    merge.add_argument("keep", type=int, metavar="KEEP", help="Nr. der Meldung, die bleibt")
    merge.add_argument("gone", type=int, metavar="GONE", help="Nr. der Doppelung")
    merge.set_defaults(func=merge_command)


def merge_command(args: argparse.Namespace, env: Env) -> int:
    """Merge GONE into KEEP; print what happened (exit 1 when refused)."""
    return asyncio.run(_merge(env, args.keep, args.gone))


async def _merge(env: Env, keep: int, gone: int) -> int:
    from storage import audit
    from storage import problems as problem_store
    from storage.db import Database

    db = await Database.open(env.database())
    try:
        try:
            now = datetime.now(UTC)
            async with db.transaction():
                merged = await problem_store.merge(db, keep, gone, now=now)
                await audit.record(
                    db, "problem_merge", actor=None, subject=f"problem:{gone}>{keep}", now=now
                )
        except problem_store.MergeRefused as refused:
            print(f"agenda-bot: nicht zusammengeführt: {REASONS[refused.reason]}", file=sys.stderr)
            return 1
    finally:
        await db.close()
    print(
        f"Nr. {merged.gone.id} „{merged.gone.title}“ ist jetzt Teil von Nr. {merged.keep.id} "
        f"„{merged.keep.title}“: betrifft {merged.keep.votes} weitere "
        f"({merged.added} dazugekommen)."
    )
    return 0
