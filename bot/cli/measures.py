"""``agenda-bot measures list|adopt``: the measures of the draft under review and the town's
decision on them, as /prioritaeten marks them in the chat – so the plan can be tried from the
command line (``measures adopt ID...``, then ``plan check FILE``)."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime

from bot.cli.common import Env, Subparsers, fail, note
from bot.cli.texts import text


def register(sub: Subparsers) -> None:
    """Add ``measures`` and its subcommands."""
    measures = sub.add_parser("measures", help=text("measures_help"))
    measures_sub = measures.add_subparsers(dest="measures_command", required=True)
    measures_sub.add_parser("list", help=text("measures_list_help"))
    adopt = measures_sub.add_parser(
        "adopt",
        help=text("measures_adopt_help"),
        description=text("measures_adopt_description"),
    )
    adopt.add_argument("ids", nargs="+", metavar="ID", help=text("measures_ids_help"))
    adopt.add_argument("--undo", action="store_true", help=text("measures_undo_help"))
    adopt.add_argument("--priority", action="store_true", help=text("measures_priority_help"))
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
            return fail(text("measures_no_draft"))
        rows = await drafts.measures(db, version.id)
        if command == "list":
            print(text("measures_draft", version=version.id, title=version.title))
            for m in rows:
                line = text(
                    "measures_line",
                    measure_id=m.measure_id,
                    action_field=m.action_field,
                    title=m.title,
                    adopted=m.adopted,
                    priority=m.priority,
                )
                print(line)
            return 0
        by_id = {m.measure_id: m for m in rows}
        wrong = [i for i in dict.fromkeys(ids) if i not in by_id]
        for measure_id in wrong:
            note(unknown("measure", measure_id, by_id))
        if wrong:
            return fail(text("measures_unknown_ids", count=len(wrong), version=version.id))
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
    for m in chosen:
        print(text("measures_marked", measure_id=m.measure_id, title=m.title, undo=undo))
    print(text("measures_adopted", version=version.id, adopted=adopted, total=len(rows)))
    return 0
