"""``agenda-bot digest WORKSHOP``: a workshop's briefing pack as HTML and PDF."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.common import Env, Subparsers, fail, load_consultation
from bot.cli.texts import text


def register(sub: Subparsers) -> None:
    """Add ``digest``."""
    parser = sub.add_parser("digest", help=text("digest_help"))
    parser.add_argument("workshop", help=text("digest_workshop_help"))
    parser.add_argument("--out", type=Path, default=Path("out"), help=text("digest_out_help"))
    parser.set_defaults(func=digest)


def digest(args: argparse.Namespace, env: Env) -> int:
    """Render the pack and print the files written."""
    return asyncio.run(_digest(env, args.workshop, args.out))


async def _digest(env: Env, workshop_id: str, out_dir: Path) -> int:
    from bot.documents.kinds import PACK
    from bot.documents.pipeline import render_document, write_document
    from bot.packs import UnknownWorkshop, build_pack
    from storage import audit
    from storage.db import Database

    settings = env.settings()
    consultation = load_consultation(settings)
    today = datetime.now(consultation.zone).date()
    db = await Database.open(env.database())
    try:
        pack = await build_pack(db, consultation, workshop_id, today)
        await audit.record(
            db, "digest", actor=None, subject=pack.workshop_id, now=datetime.now(UTC)
        )
    except UnknownWorkshop as error:
        return fail(text("digest_unknown_workshop", workshop_id=workshop_id, valid=error.valid))
    finally:
        await db.close()
    for path in write_document(render_document(PACK, pack), out_dir, PACK.stem(pack)):
        print(path)
    return 0
