"""``agenda-bot draft check|publish FILE``: the draft action concept (docs/draft.md)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.common import Env, Subparsers, fail, load_consultation
from bot.cli.texts import text


def register(sub: Subparsers) -> None:
    """Add ``draft check`` and ``draft publish``."""
    draft = sub.add_parser("draft", help=text("draft_help"))
    draft_sub = draft.add_subparsers(dest="draft_command", required=True)
    check = draft_sub.add_parser("check", help=text("draft_check_help"))
    check.add_argument("file", type=Path)
    publish = draft_sub.add_parser("publish", help=text("draft_publish_help"))
    publish.add_argument("file", type=Path)
    draft.set_defaults(func=draft_command)


def draft_command(args: argparse.Namespace, env: Env) -> int:
    """Check or publish a draft file."""
    return asyncio.run(_draft(env, args.draft_command, args.file))


async def _draft(env: Env, command: str, path: Path) -> int:
    from bot import draft
    from storage import audit
    from storage.db import Database

    settings = env.settings()
    consultation = load_consultation(settings)
    try:
        source = await asyncio.to_thread(path.read_text, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return fail(text("cannot_read", path=path, error=error))
    try:
        parsed = draft.load_draft(source, consultation, str(path))
    except draft.DraftError as error:
        print(error, file=sys.stderr)
        return 1
    if command == "check":
        measures, until = len(parsed.measures), parsed.review_until
        print(text("draft_ok", path=path, measures=measures, review_until=until))
        return 0
    db = await Database.open(env.database())
    try:
        same = await draft.unchanged(db, source)
        if same is not None:
            print(text("draft_unchanged", path=path, version=same))
            return 0
        now = datetime.now(UTC)
        async with db.transaction():  # published together with its audit entry
            version_id = await draft.store_draft(db, parsed, source, None, now)
            count = await draft.publish(db, version_id, now)
            await audit.record(
                db,
                "publish_draft",
                actor=None,
                subject=f"draft:{version_id}",
                detail=f"recipients={count}",
                now=now,
            )
    finally:
        await db.close()
    published = text(
        "draft_published",
        path=path,
        version=version_id,
        measures=len(parsed.measures),
        notices=count,
    )
    print(published)
    return 0
