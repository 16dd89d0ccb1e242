"""``agenda-bot demo``: simulated people answer through the real bot."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.cli.common import Env, Subparsers
from bot.cli.texts import text


def register(sub: Subparsers) -> None:
    """Add ``demo``."""
    parser = sub.add_parser("demo", help=text("demo_help"))
    parser.add_argument(
        "--db", type=Path, default=Path("out/demo.sqlite3"), help=text("demo_db_help")
    )
    parser.add_argument("--per-group", type=int, default=40, help=text("demo_per_group_help"))
    parser.add_argument("--force", action="store_true", help=text("demo_force_help"))
    parser.set_defaults(func=demo)


def demo(args: argparse.Namespace, env: Env) -> int:
    """Run the demo; it needs no token and no settings."""
    from bot.demo.run import run_demo

    return asyncio.run(run_demo(args.db, args.per_group, force=args.force))
