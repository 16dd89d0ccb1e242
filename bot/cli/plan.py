"""``agenda-bot plan check|publish|render|progress``: the time-and-measures plan
(docs/plan.md) and its progress report."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.common import Env, Subparsers, load_consultation


def register(sub: Subparsers) -> None:
    """Add ``plan`` and its subcommands."""
    plan = sub.add_parser("plan", help="Zeit-Maßnahmen-Plan (the plan; format: docs/plan.md)")
    plan_sub = plan.add_subparsers(dest="plan_command", required=True)
    check = plan_sub.add_parser(
        "check", help="Plandatei gegen beschlossene Maßnahmen prüfen (validate a plan file)"
    )
    check.add_argument("file", type=Path)
    publish = plan_sub.add_parser(
        "publish", help="Plandatei speichern; /plan zeigt sie (store a plan file)"
    )
    publish.add_argument("file", type=Path)
    render = plan_sub.add_parser("render", help="Plan als HTML und PDF schreiben (write the plan)")
    render.add_argument("--plan", type=Path, dest="file", help="a plan file (default: published)")
    render.add_argument("--out", type=Path, default=Path("out"), help="directory (default: out)")
    report = plan_sub.add_parser(
        "progress", help="Fortschrittsbericht als HTML und PDF (progress report)"
    )
    report.add_argument("--out", type=Path, default=Path("out"), help="directory (default: out)")
    report.set_defaults(file=None)
    plan.set_defaults(func=plan_command)


def plan_command(args: argparse.Namespace, env: Env) -> int:
    """Check, publish or render the plan, or write the progress report."""
    out = getattr(args, "out", None)
    return asyncio.run(_plan(env, args.plan_command, args.file, out))


async def _plan(env: Env, command: str, path: Path | None, out: Path | None) -> int:
    from bot.draft import same_text
    from bot.plan import PlanError, build_plan
    from bot.progress import build_progress
    from storage import audit
    from storage import plan as plans
    from storage.db import Database

    settings = env.settings()
    consultation = load_consultation(settings)
    db = await Database.open(env.database())
    try:
        if path is None:
            stored = await plans.latest(db)
            if stored is None:
                print(
                    "agenda-bot: no plan published yet (agenda-bot plan publish FILE)",
                    file=sys.stderr,
                )
                return 1
            source, name = stored.source, stored.file_name
        else:
            try:
                source = await asyncio.to_thread(path.read_text, encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                print(f"agenda-bot: cannot read {path}: {error}", file=sys.stderr)
                return 1
            name = str(path)
        today = datetime.now(consultation.zone).date()
        try:
            ctx = await build_plan(db, consultation, source, today, name)
        except PlanError as error:
            print(error, file=sys.stderr)
            return 1
        if command == "publish":
            stored = await plans.latest(db)
            if stored is not None and same_text(stored.source, source):
                print(
                    f"{name}: unverändert – gleich dem veröffentlichten Plan, nichts getan"
                    " (same as the published plan; nothing done)"
                )
                return 0
            now = datetime.now(UTC)
            async with db.transaction():
                plan_id = await plans.publish(db, source, name, ctx.draft_version, now)
                await audit.record(
                    db, "publish_plan", actor=None, subject=f"plan:{plan_id}", now=now
                )
        report = await build_progress(db, ctx, consultation.zone) if command == "progress" else None
    finally:
        await db.close()
    if command in ("check", "publish"):
        done = "published" if command == "publish" else "ok"
        print(
            f"{name}: {done} - {len(ctx.measures)} measures,"
            f" {sum(len(m.milestones) for m in ctx.measures)} milestones"
        )
        return 0
    from bot.documents.kinds import PLAN, PROGRESS
    from bot.documents.pipeline import render_document, write_document

    out = out or Path("out")
    if report is not None:
        written = write_document(render_document(PROGRESS, report), out, PROGRESS.stem(report))
    else:
        written = write_document(render_document(PLAN, ctx), out, PLAN.stem(ctx))
    for path in written:
        print(path)
    return 0
