"""Before the bot starts: wait for Telegram. A server that boots before its network, or a short
outage, is retried with growing pauses (1 s, 2 s, 4 s ... at most 60 s), one log line per
attempt and no traceback; a token Telegram rejects is a settings error (one line, exit 2)."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot
from telegram.error import BadRequest, InvalidToken, NetworkError

from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)

FIRST_DELAY_S = 1.0
MAX_DELAY_S = 60.0


async def wait_for_telegram(settings: Settings, *, max_attempts: int | None = None) -> str:
    """The bot's username, once Telegram answers getMe; retries network errors until then."""
    token = settings.require_token()
    delay, attempt = FIRST_DELAY_S, 1
    while True:
        try:
            async with Bot(
                token, base_url=settings.base_url, base_file_url=settings.base_file_url
            ) as bot:
                log.info("Telegram reached: @%s", bot.username)
                return bot.username
        except InvalidToken:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN",
                "rejected by Telegram - copy the current token from @BotFather (/token)",
            ) from None
        except NetworkError as error:  # TimedOut is one; BadRequest is not a network problem
            if isinstance(error, BadRequest) or (max_attempts and attempt >= max_attempts):
                raise
            log.warning(
                "Telegram not reachable at %s (attempt %d: %s); next attempt in %.0f s",
                settings.base_url,
                attempt,
                error.message,
                delay,
            )
        await asyncio.sleep(delay)
        delay, attempt = min(delay * 2, MAX_DELAY_S), attempt + 1
