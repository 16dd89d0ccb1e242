"""``agenda-bot run``: the bot itself, polling Telegram or (``--webhook``) receiving its posts."""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.cli.common import Env, Subparsers, load_consultation, note, telegram_failure
from bot.cli.texts import text
from bot.ops_settings import OpsSettingError
from bot.settings import Settings, SettingsError

if TYPE_CHECKING:
    from bot.context import AgendaApp

ALLOWED_UPDATES = ["message", "callback_query"]
_CANNOT_LISTEN = (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES)


def register(sub: Subparsers) -> None:
    """Add ``run``."""
    parser = sub.add_parser(
        "run",
        help=text("run_help"),
        description=text("run_description"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--webhook",
        action="store_true",
        help=text("run_webhook_help"),
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    """Check everything, wait for Telegram, then poll or serve the webhook until stopped."""
    # Every check before the (slow) import of the bot and before any network access.
    settings = env.settings()
    settings.require_token()
    if args.webhook:
        try:
            settings.ops.require_webhook()
        except OpsSettingError as error:
            raise SettingsError(error.variable, str(error)) from None
    consultation = load_consultation(settings)
    from storage.backup import BotRunning, hold_run_lock

    try:
        # Held until the process ends: `restore` and a second `run` on this file refuse.
        run_lock = hold_run_lock(env.database(create=True))
    except BotRunning as error:
        note(str(error))
        return 2
    from telegram.error import BadRequest, InvalidToken, NetworkError

    from bot.app import build_application
    from bot.service.polling import run_polling
    from bot.service.startup import wait_for_telegram

    log = logging.getLogger("bot.run")
    try:
        asyncio.run(wait_for_telegram(settings))
    except KeyboardInterrupt:
        return 130
    # The render worker warms up at the start, so the first /digest does not wait for it.
    app = build_application(settings, consultation, warm_renders=True)
    app.bot_data.health.mode = "webhook" if args.webhook else "polling"
    log.info("starting bot for %s (%s)", consultation.title.get("de"), app.bot_data.health.mode)
    try:
        if args.webhook:
            _run_webhook(app, settings)
        else:
            # Not app.run_polling: every update is stored before Telegram is told
            # (bot/service/polling.py, bot/service/inbox.py).
            run_polling(app, allowed_updates=ALLOWED_UPDATES)
    except (InvalidToken, NetworkError) as error:
        if isinstance(error, BadRequest):
            raise
        return telegram_failure(error, settings)
    except OSError as error:
        if not args.webhook or error.errno not in _CANNOT_LISTEN:
            raise
        raise SettingsError(
            "AGENDA_WEBHOOK_LISTEN",
            text(
                "run_cannot_listen",
                listen=settings.ops.webhook_listen,
                error=error.strerror or error,
            ),
        ) from None
    finally:
        run_lock.close()
    return 0


def _run_webhook(app: AgendaApp, settings: Settings) -> None:
    """PTB's webhook server (tornado): Telegram posts to AGENDA_WEBHOOK_URL, a reverse proxy
    passes it to AGENDA_WEBHOOK_LISTEN with the same path; a post without the secret token in
    X-Telegram-Bot-Api-Secret-Token is refused with 403 and never handled."""
    url, secret = settings.ops.require_webhook()
    listen = settings.ops.webhook_listen
    app.run_webhook(
        listen=listen.host,
        port=listen.port,
        url_path=urlsplit(url).path.lstrip("/"),
        webhook_url=url,
        secret_token=secret,
        allowed_updates=ALLOWED_UPDATES,
        drop_pending_updates=False,
    )
