"""``agenda-bot measures list|adopt``: the measures of the draft under review and the town's
decision on them, as /prioritaeten marks them in the chat – so the plan can be tried from the
command line (``measures adopt ID...``, then ``plan check FILE``)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from bot.cli.common import Env, Subparsers, fail


def register(sub: Subparsers) -> None:
    """Add ``measures`` and its subcommands."""
    measures = sub.add_parser(
        "measures",
        help="Maßnahmen des Entwurfs: anzeigen, beschließen (the draft's measures: list, adopt)",
    )
    measures_sub = measures.add_subparsers(dest="measures_command", required=True)
    measures_sub.add_parser(
        "list",
        help="Maßnahmen des aktuellen Entwurfs mit Priorität und Beschluss (list the measures)",
    )
    adopt = measures_sub.add_parser(
        "adopt",
        help="Maßnahmen beschließen: sie kommen in den Plan (adopt measures into the plan)",
        description="Markiert Maßnahmen des aktuellen Entwurfs als beschlossen (in den Plan), wie"
        " der Knopf „Plan“ unter /prioritaeten. Alle Kennungen werden zuerst geprüft: eine"
        " unbekannte, und nichts wird geändert. (Marks measures of the current draft as adopted,"
        " as /prioritaeten does; one unknown id and nothing changes.)",
    )
    adopt.add_argument(
        "ids", nargs="+", metavar="ID", help="Kennung aus der Entwurfsdatei (measure id)"
    )
    adopt.add_argument(
        "--undo",
        action="store_true",
        help="Beschluss zurücknehmen (withdraw the adoption)",
    )
    adopt.add_argument(
        "--priority",
        action="store_true",
        help="zusätzlich als Priorität fürs nächste Haushaltsjahr markieren (also mark as"
        " priority)",
    )
    measures.set_defaults(func=measures_command, ids=(), undo=False, priority=False)


def measures_command(args: argparse.Namespace, env: Env) -> int:
    """List the measures, or adopt (or un-adopt) some."""
    return asyncio.run(_measures(env, args.measures_command, args.ids, args.undo, args.priority))


async def _measures(env: Env, command: str, ids: list[str], undo: bool, priority: bool) -> int:
    from bot.consultation.yaml_places import unknown
    from storage import audit
    from storage import draft as drafts
    from storage.db import Database

    env.settings()
    db = await Database.open(env.database())
    try:
        version = await drafts.current(db)
        if version is None:
            return fail(
                "kein Entwurf veröffentlicht (no draft published) – zuerst: agenda-bot"
                " draft publish FILE"
            )
        rows = await drafts.measures(db, version.id)
        if command == "list":
            print(f"Entwurf (draft) {version.id}: {version.title}")
            for m in rows:
                marks = (
                    "beschlossen (adopted)" if m.adopted else "",
                    "Priorität (priority)" if m.priority else "",
                )
                shown = " ".join(filter(None, marks))
                print(f"{m.measure_id}\t{m.action_field}\t{m.title}\t{shown}".rstrip())
            return 0
        by_id = {m.measure_id: m for m in rows}
        wrong = [i for i in dict.fromkeys(ids) if i not in by_id]
        for measure_id in wrong:
            print(f"agenda-bot: {unknown('measure', measure_id, by_id)}", file=sys.stderr)
        if wrong:
            return fail(
                f"nichts geändert (nothing changed): {len(wrong)} unbekannte"
                f" Kennung(en) im Entwurf {version.id} – agenda-bot measures list zeigt"
                " alle"
            )
        chosen = [by_id[i] for i in dict.fromkeys(ids)]
        now, detail = datetime.now(UTC), "off" if undo else "on"
        async with db.transaction():  # the marks and their audit entries together
            for m in chosen:
                await drafts.mark(db, m.id, "adopted", not undo)
                await audit.record(
                    db,
                    "adopt",
                    actor=None,
                    subject=f"measure:{m.measure_id}",
                    detail=detail,
                    now=now,
                )
                if priority:
                    await drafts.mark(db, m.id, "priority", not undo)
                    await audit.record(
                        db,
                        "priority",
                        actor=None,
                        subject=f"measure:{m.measure_id}",
                        detail=detail,
                        now=now,
                    )
        adopted = sum(1 for m in await drafts.measures(db, version.id) if m.adopted)
    finally:
        await db.close()
    done = "zurückgenommen (withdrawn)" if undo else "beschlossen (adopted)"
    for m in chosen:
        print(f"{m.measure_id}\t{m.title}\t{done}")
    print(
        f"Entwurf (draft) {version.id}: {adopted} von {len(rows)} Maßnahmen beschlossen"
        f" (of {len(rows)} measures adopted)"
    )
    return 0
