"""``agenda-bot problems merge KEEP GONE``: merge a duplicate problem report into another."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime

from bot.cli.common import Env, Subparsers, fail
from bot.cli.texts import text


def register(sub: Subparsers) -> None:
    """Add ``problems merge``."""
    parser = sub.add_parser("problems", help=text("problems_help"))
    commands = parser.add_subparsers(dest="problems_command", required=True)
    merge = commands.add_parser(
        "merge",
        help=text("problems_merge_help"),
        description=text("problems_merge_description"),
    )
    merge.add_argument("keep", type=int, metavar="KEEP", help=text("problems_keep_help"))
    merge.add_argument("gone", type=int, metavar="GONE", help=text("problems_gone_help"))
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
            return fail(text("problems_merge_refused", reason=refused.reason))
    finally:
        await db.close()
    done = text(
        "problems_merged",
        gone_id=merged.gone.id,
        gone_title=merged.gone.title,
        keep_id=merged.keep.id,
        keep_title=merged.keep.title,
        votes=merged.keep.votes,
        added=merged.added,
    )
    print(done)
    return 0
