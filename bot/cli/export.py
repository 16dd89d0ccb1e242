"""``agenda-bot export``: every answer, report, training figure and participant."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.common import Env, Subparsers, fail, load_consultation
from bot.cli.texts import text


def register(sub: Subparsers) -> None:
    """Add ``export``."""
    parser = sub.add_parser(
        "export",
        help=text("export_help"),
        description=text("export_description"),
    )
    parser.add_argument("--out", type=Path, default=Path("out"), help=text("export_out_help"))
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx", dest="fmt")
    parser.set_defaults(func=export)


def export(args: argparse.Namespace, env: Env) -> int:
    """Write the export and print the files written."""
    return asyncio.run(_export(env, args.out, args.fmt))


async def _export(env: Env, out: Path, fmt: str) -> int:
    from bot.documents.xlsx import save_xlsx
    from bot.exports import build_export, export_file_name, write_csv
    from storage import audit
    from storage.db import Database

    suffix = out.suffix.lower()
    if fmt == "csv" and suffix in (".csv", ".xlsx"):
        return fail(text("export_csv_needs_dir"))
    if fmt == "xlsx" and suffix in (".csv", ".xls"):
        return fail(text("export_xlsx_out"))
    settings = env.settings()
    consultation = load_consultation(settings)
    db = await Database.open(env.database())
    try:
        export = await build_export(db, consultation, datetime.now(UTC), consultation.zone)
        await audit.record(db, "export", actor=None, detail=fmt, now=datetime.now(UTC))
    finally:
        await db.close()
    if fmt == "csv":
        paths = write_csv(export, out)
    else:
        target = out if suffix == ".xlsx" else out / export_file_name(export)
        paths = [save_xlsx(export, target)]
    for path in paths:
        print(path)
    return 0
