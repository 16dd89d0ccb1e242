"""``agenda-bot export``: every answer, report, training figure and participant."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.common import Env, Subparsers, load_consultation


def register(sub: Subparsers) -> None:
    """Add ``export``."""
    parser = sub.add_parser(
        "export",
        help="alle Antworten, Meldungen, Ausbildungszahlen, Teilnehmende exportieren (export,"
        " XLSX or CSV)",
        description="XLSX: --out FILE.xlsx writes one workbook (--out DIR: DIR/agenda-<date>.xlsx)."
        " CSV: --out DIR --format csv writes DIR/answers.csv, problems.csv, training.csv,"
        " training_fields.csv, participants.csv, draft.csv and draft_comments.csv."
        " Columns: docs/exports.md.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("out"),
        help="DATEI.xlsx oder Verzeichnis (file or directory; default: out)",
    )
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
        print(
            "agenda-bot: --format csv writes one file per table; --out must be a DIR",
            file=sys.stderr,
        )
        return 1
    if fmt == "xlsx" and suffix in (".csv", ".xls"):
        print("agenda-bot: --out FILE.xlsx, or --out DIR [--format csv]", file=sys.stderr)
        return 1
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
