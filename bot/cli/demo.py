"""``agenda-bot demo``: simulated people answer through the real bot."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.cli.common import Env, Subparsers


def register(sub: Subparsers) -> None:
    """Add ``demo``."""
    parser = sub.add_parser(
        "demo",
        help="Vorführung: simulierte Personen antworten dem echten Bot (demo: simulated people"
        " answer the real bot)",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=Path("out/demo.sqlite3"),
        help="Demo-Datenbank (default: out/demo.sqlite3 im aktuellen Verzeichnis)",
    )
    parser.add_argument(
        "--per-group", type=int, default=40, help="Personen je Gruppe (people per group)"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="DB auch ersetzen, wenn sie keine Demo-Datenbank ist (replace a non-demo database)",
    )
    parser.set_defaults(func=demo)


def demo(args: argparse.Namespace, env: Env) -> int:
    """Run the demo; it needs no token and no settings."""
    from bot.demo.run import run_demo

    return asyncio.run(run_demo(args.db, args.per_group, force=args.force))
