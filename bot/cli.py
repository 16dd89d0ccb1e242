"""The command line: agenda-bot run | check FILE | invite import CSV | demo | digest ID | export
| draft check|publish FILE | plan check|publish FILE | plan render [--plan FILE] [--out DIR]
| plan progress [--out DIR]."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.settings import Settings, SettingsError

EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agenda-bot", description="Digitale Agenda consultation bot"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start the bot (needs TELEGRAM_BOT_TOKEN)")
    check = sub.add_parser("check", help="validate a consultation file")
    check.add_argument("file", type=Path)
    invite = sub.add_parser("invite", help="invitations for organisations")
    invite_sub = invite.add_subparsers(dest="invite_command", required=True)
    imp = invite_sub.add_parser("import", help="register organisations from a CSV, write links")
    imp.add_argument("csv", type=Path, help="CSV with columns name, group, contact")
    imp.add_argument("--out", type=Path, help="where to write the links (default: <csv>-links.csv)")
    imp.add_argument("--bot", help="bot username for the links (default: asked from Telegram)")
    demo = sub.add_parser("demo", help="simulate people answering, print what was collected")
    demo.add_argument("--db", type=Path, default=Path("out/demo.sqlite3"))
    demo.add_argument("--per-group", type=int, default=40)
    digest = sub.add_parser("digest", help="write a workshop's briefing pack (HTML and PDF)")
    digest.add_argument("workshop", help="the workshop id, e.g. ws-handel")
    digest.add_argument("--out", type=Path, default=Path("out"), help="directory (default: out)")
    export = sub.add_parser(
        "export",
        help="export answers, problems, training places, participants (XLSX or CSV)",
        description="XLSX: --out FILE.xlsx writes one workbook (--out DIR: DIR/agenda-<date>.xlsx)."
        " CSV: --out DIR --format csv writes DIR/answers.csv, problems.csv, training.csv,"
        " training_fields.csv, participants.csv, draft.csv and draft_comments.csv."
        " Columns: docs/exports.md.",
    )
    export.add_argument(
        "--out", type=Path, default=Path("out"), help="FILE.xlsx or a directory (default: out)"
    )
    export.add_argument("--format", choices=("xlsx", "csv"), default="xlsx", dest="fmt")
    draft = sub.add_parser("draft", help="the draft action concept (format: docs/draft.md)")
    draft_sub = draft.add_subparsers(dest="draft_command", required=True)
    draft_check = draft_sub.add_parser("check", help="validate a draft file")
    draft_check.add_argument("file", type=Path)
    publish = draft_sub.add_parser(
        "publish", help="publish a draft file: a new version, notices go out through the outbox"
    )
    publish.add_argument("file", type=Path)
    plan = sub.add_parser("plan", help="the time-and-measures plan (format: docs/plan.md)")
    plan_sub = plan.add_subparsers(dest="plan_command", required=True)
    plan_check = plan_sub.add_parser("check", help="validate a plan file against adopted measures")
    plan_check.add_argument("file", type=Path)
    plan_publish = plan_sub.add_parser("publish", help="store a plan file: /plan renders it")
    plan_publish.add_argument("file", type=Path)
    render = plan_sub.add_parser("render", help="write the plan as HTML and PDF")
    render.add_argument("--plan", type=Path, dest="file", help="a plan file (default: published)")
    render.add_argument("--out", type=Path, default=Path("out"), help="directory (default: out)")
    report = plan_sub.add_parser("progress", help="write the progress report as HTML and PDF")
    report.add_argument("--out", type=Path, default=Path("out"), help="directory (default: out)")
    report.set_defaults(file=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    formatter = _RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    if not root.handlers:  # as logging.basicConfig: leave a host's logging alone
        handler = logging.StreamHandler()
        handler.setFormatter(formatter)
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    # Never log request URLs: they contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for chatty in ("fontTools", "weasyprint", "matplotlib"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        if args.command == "check":
            return _check(args.file)
        if args.command == "demo":
            from bot.demo import run_demo

            return asyncio.run(run_demo(args.db, args.per_group))
        settings = Settings.from_env()
        formatter.secret = settings.token
        if args.command == "digest":
            return asyncio.run(_digest(settings, args.workshop, args.out))
        if args.command == "export":
            return asyncio.run(_export(settings, args.out, args.fmt))
        if args.command == "draft":
            return asyncio.run(_draft(settings, args.draft_command, args.file))
        if args.command == "plan":
            out = getattr(args, "out", None)
            return asyncio.run(_plan(settings, args.plan_command, args.file, out))
        if args.command == "run":
            return _run(settings)
        return asyncio.run(_invite_import(settings, args.csv, args.out, args.bot))
    except SettingsError as error:
        print(f"agenda-bot: {error}", file=sys.stderr)
        return EXIT_CONFIG


class _RedactingFormatter(logging.Formatter):
    """Blanks the bot token out of every log line, tracebacks included (PTB's InvalidToken
    message and its retry-loop log quote the token)."""

    secret: str | None = None

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return text.replace(self.secret, "<TELEGRAM_BOT_TOKEN>") if self.secret else text


def _telegram_failure(error: Exception, settings: Settings) -> int:
    """Startup failures talking to Telegram: one line, no traceback, no token."""
    from telegram.error import InvalidToken

    if isinstance(error, InvalidToken):
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN",
            "rejected by Telegram - copy the current token from @BotFather (/token)",
        ) from None
    text = str(error)
    if settings.token:
        text = text.replace(settings.token, "<TELEGRAM_BOT_TOKEN>")
    print(f"agenda-bot: cannot reach Telegram at {settings.base_url}: {text}", file=sys.stderr)
    return 1


def _check(path: Path) -> int:
    from bot.consultation import ConsultationError, load_consultation

    try:
        consultation = load_consultation(path)
    except ConsultationError as error:
        print(error, file=sys.stderr)
        print(f"{path}: {len(error.errors)} error(s)", file=sys.stderr)
        return 1
    questions = sum(len(q.questions) for q in consultation.questionnaires)
    print(
        f"{path}: ok - {len(consultation.questionnaires)} questionnaires, {questions} questions, "
        f"{len(consultation.events)} events"
    )
    return 0


def _load(settings: Settings):  # type: ignore[no-untyped-def]
    from bot.consultation import ConsultationError, load_consultation

    try:
        return load_consultation(settings.consultation_path)
    except ConsultationError as error:
        print(error, file=sys.stderr)
        raise SettingsError(
            "AGENDA_CONSULTATION",
            f"{settings.consultation_path} is invalid ({len(error.errors)} error(s), see above)",
        ) from None


async def _draft(settings: Settings, command: str, path: Path) -> int:
    from bot import draft
    from storage.db import Database

    consultation = _load(settings)
    try:
        source = await asyncio.to_thread(path.read_text, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"agenda-bot: cannot read {path}: {error}", file=sys.stderr)
        return 1
    try:
        parsed = draft.load_draft(source, consultation, str(path))
    except draft.DraftError as error:
        print(error, file=sys.stderr)
        return 1
    if command == "check":
        print(f"{path}: ok - {len(parsed.measures)} measures, review until {parsed.review_until}")
        return 0
    db = await Database.open(settings.db_path)
    try:
        now = datetime.now(UTC)
        version_id = await draft.store_draft(db, parsed, source, None, now)
        count = await draft.publish(db, version_id, now)
    finally:
        await db.close()
    print(f"{path}: published as version {version_id}, {len(parsed.measures)} measures;"
          f" {count} notices planned (the running bot sends them within a minute)")  # fmt: skip
    return 0


async def _plan(settings: Settings, command: str, path: Path | None, out: Path | None) -> int:
    from bot.pack_render import RenderedPack
    from bot.plan import PlanError, build_plan
    from bot.plan_render import render_plan
    from bot.progress import build_progress
    from bot.progress_render import render_progress
    from storage import plan as plans
    from storage.db import Database

    consultation = _load(settings)
    db = await Database.open(settings.db_path)
    try:
        if path is None:
            stored = await plans.latest(db)
            if stored is None:
                print("agenda-bot: no plan published yet (agenda-bot plan publish FILE)",
                      file=sys.stderr)  # fmt: skip
                return 1
            source, name = stored.source, stored.file_name
        else:
            try:
                source = await asyncio.to_thread(path.read_text, encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                print(f"agenda-bot: cannot read {path}: {error}", file=sys.stderr)
                return 1
            name = str(path)
        today = datetime.now(settings.timezone).date()
        try:
            ctx = await build_plan(db, consultation, source, today, name)
        except PlanError as error:
            print(error, file=sys.stderr)
            return 1
        if command == "publish":
            await plans.publish(db, source, name, ctx.draft_version, datetime.now(UTC))
        report = await build_progress(db, ctx, settings.timezone) if command == "progress" else None
    finally:
        await db.close()
    if command in ("check", "publish"):
        done = "published" if command == "publish" else "ok"
        print(f"{name}: {done} - {len(ctx.measures)} measures,"
              f" {sum(len(m.milestones) for m in ctx.measures)} milestones")  # fmt: skip
        return 0
    from bot.pack_render import write_pack

    rendered: RenderedPack = render_progress(report) if report else render_plan(ctx)
    key = report.key if report else ctx.key
    for written in write_pack(rendered, out or Path("out"), key):
        print(written)
    return 0


def _run(settings: Settings) -> int:
    # Every check before the (slow) import of the bot and before any network access.
    settings.require_token()
    consultation = _load(settings)
    from bot import render_worker
    from bot.app import build_application

    app = build_application(settings, consultation)
    logging.getLogger(__name__).info("starting bot for %s", consultation.title.get("de"))
    from telegram.error import BadRequest, InvalidToken, NetworkError

    # The render worker warms up now, so the first /digest does not wait for its imports.
    render_worker.prewarm()
    try:
        app.run_polling(allowed_updates=["message", "callback_query"], drop_pending_updates=False)
    except (InvalidToken, NetworkError) as error:
        if isinstance(error, BadRequest):
            raise
        return _telegram_failure(error, settings)
    finally:
        render_worker.shutdown()
    return 0


async def _invite_import(
    settings: Settings, csv_path: Path, out: Path | None, bot_username: str | None
) -> int:
    from telegram import Bot
    from telegram.error import BadRequest, InvalidToken, NetworkError

    from bot.invites import InviteFileError, import_rows, read_rows, write_links
    from storage.db import Database

    consultation = _load(settings)
    try:
        rows = read_rows(csv_path, consultation)
    except FileNotFoundError:
        print(f"agenda-bot: no such file: {csv_path}", file=sys.stderr)
        return 1
    except InviteFileError as error:
        for line in error.errors:
            print(line, file=sys.stderr)
        return 1
    if bot_username is None:
        token = settings.require_token()
        try:
            async with Bot(token, base_url=settings.base_url) as bot:
                bot_username = bot.username
        except (InvalidToken, NetworkError) as error:
            if isinstance(error, BadRequest):
                raise
            return _telegram_failure(error, settings)
    db = await Database.open(settings.db_path)
    try:
        invitations = await import_rows(db, rows, bot_username)
    finally:
        await db.close()
    out = out or csv_path.with_name(csv_path.stem + "-links.csv")
    write_links(out, invitations)
    for inv in invitations:
        print(f"{inv.name}\t{inv.link}")
    print(f"{len(invitations)} organisations; links written to {out}")
    return 0


async def _digest(settings: Settings, workshop_id: str, out_dir: Path) -> int:
    from bot.pack_render import render_pack, write_pack
    from bot.packs import UnknownWorkshop, build_pack
    from storage.db import Database

    consultation = _load(settings)
    today = datetime.now(settings.timezone).date()
    db = await Database.open(settings.db_path)
    try:
        pack = await build_pack(db, consultation, workshop_id, today)
    except UnknownWorkshop as error:
        print(
            f"agenda-bot: no workshop {workshop_id!r}; valid ids: {', '.join(error.valid)}",
            file=sys.stderr,
        )
        return 1
    finally:
        await db.close()
    for path in write_pack(render_pack(pack), out_dir, workshop_id):
        print(path)
    return 0


async def _export(settings: Settings, out: Path, fmt: str) -> int:
    from bot.exports import build_export, export_file_name, save_xlsx, write_csv
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
    consultation = _load(settings)
    db = await Database.open(settings.db_path)
    try:
        export = await build_export(db, consultation, datetime.now(UTC), settings.timezone)
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


if __name__ == "__main__":
    sys.exit(main())
