"""``agenda-bot demo``: simulated people answer through the real bot."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.cli.common import Env, Subparsers


def register(sub: Subparsers) -> None:
    """Add ``demo``."""
    parser = sub.add_parser("demo", help="simulate people answering, print what was collected")
    parser.add_argument("--db", type=Path, default=Path("out/demo.sqlite3"))
    parser.add_argument("--per-group", type=int, default=40)
    parser.set_defaults(func=demo)


def demo(args: argparse.Namespace, env: Env) -> int:
    """Run the demo; it needs no token and no settings."""
    from bot.demo import run_demo

    return asyncio.run(run_demo(args.db, args.per_group))
