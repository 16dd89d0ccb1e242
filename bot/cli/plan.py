"""``agenda-bot plan check|publish|render|progress``: the time-and-measures plan
(docs/plan.md) and its progress report."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.common import Env, Subparsers, fail, load_consultation
from bot.cli.texts import text


def register(sub: Subparsers) -> None:
    """Add ``plan`` and its subcommands."""
    plan = sub.add_parser("plan", help=text("plan_help"))
    plan_sub = plan.add_subparsers(dest="plan_command", required=True)
    check = plan_sub.add_parser("check", help=text("plan_check_help"))
    check.add_argument("file", type=Path)
    publish = plan_sub.add_parser("publish", help=text("plan_publish_help"))
    publish.add_argument("file", type=Path)
    render = plan_sub.add_parser("render", help=text("plan_render_help"))
    render.add_argument("--plan", type=Path, dest="file", help=text("plan_file_help"))
    render.add_argument("--out", type=Path, default=Path("out"), help=text("plan_out_help"))
    report = plan_sub.add_parser("progress", help=text("plan_progress_help"))
    report.add_argument("--out", type=Path, default=Path("out"), help=text("plan_out_help"))
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
                return fail(text("plan_none_published"))
            source, name = stored.source, stored.file_name
        else:
            try:
                source = await asyncio.to_thread(path.read_text, encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                return fail(text("cannot_read", path=path, error=error))
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
                print(text("plan_unchanged", name=name))
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
        done = text(
            "plan_done",
            name=name,
            published=command == "publish",
            measures=len(ctx.measures),
            milestones=sum(len(m.milestones) for m in ctx.measures),
        )
        print(done)
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
