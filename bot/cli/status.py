"""``agenda-bot status``: what /status shows staff in the chat, as plain text."""

from __future__ import annotations

import argparse
import asyncio
import html
import re
from datetime import datetime

from bot.cli.common import Env, Subparsers, load_consultation
from bot.cli.texts import text
from bot.languages import DEFAULT_LANGUAGE, LANGUAGES

_TAG = re.compile(r"<[^>]+>")


def register(sub: Subparsers) -> None:
    """Add ``status``."""
    parser = sub.add_parser(
        "status",
        help=text("status_help"),
        description=text("status_description"),
    )
    parser.add_argument(
        "--lang",
        choices=tuple(LANGUAGES),
        default=DEFAULT_LANGUAGE,
        help=text("status_lang_help"),
    )
    parser.set_defaults(func=status_command)


def status_command(args: argparse.Namespace, env: Env) -> int:
    """Print the status report."""
    print(asyncio.run(status_text(env, args.lang)))
    return 0


async def status_text(env: Env, lang: str) -> str:
    """The /status message, built and rendered as the chat does, without its HTML."""
    from bot.status import build_status
    from bot.texts import Texts
    from storage.db import Database

    settings = env.settings()
    consultation = load_consultation(settings)
    db = await Database.open(env.database())
    try:
        today = datetime.now(consultation.zone).date()
        report = await build_status(db, consultation, lang, today.isoformat())
    finally:
        await db.close()
    return html.unescape(_TAG.sub("", Texts().render(lang, "staff_status", report=report)))
