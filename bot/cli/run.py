"""``agenda-bot run``: the bot itself."""

from __future__ import annotations

import argparse
import logging

from bot.cli.common import Env, Subparsers, load_consultation, telegram_failure


def register(sub: Subparsers) -> None:
    """Add ``run``."""
    parser = sub.add_parser("run", help="start the bot (needs TELEGRAM_BOT_TOKEN)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    """Poll Telegram until stopped."""
    # Every check before the (slow) import of the bot and before any network access.
    settings = env.settings()
    settings.require_token()
    consultation = load_consultation(settings)
    from telegram.error import BadRequest, InvalidToken, NetworkError

    from bot import render_worker
    from bot.app import build_application

    app = build_application(settings, consultation)
    logging.getLogger(__name__).info("starting bot for %s", consultation.title.get("de"))
    # The render worker warms up now, so the first /digest does not wait for its imports.
    render_worker.prewarm()
    try:
        app.run_polling(allowed_updates=["message", "callback_query"], drop_pending_updates=False)
    except (InvalidToken, NetworkError) as error:
        if isinstance(error, BadRequest):
            raise
        return telegram_failure(error, settings)
    finally:
        render_worker.shutdown()
    return 0
