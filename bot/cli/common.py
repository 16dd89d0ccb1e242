"""What every command shares: the settings read once, the redacting log formatter, one-line
failures for Telegram and for an invalid consultation file."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from bot.settings import Settings, SettingsError

if TYPE_CHECKING:
    from bot.consultation import Consultation

EXIT_CONFIG = 2

# The object ``ArgumentParser.add_subparsers`` returns, as each command module receives it.
Subparsers = argparse._SubParsersAction


class RedactingFormatter(logging.Formatter):
    """Blanks the bot token out of every log line, tracebacks included (PTB's InvalidToken
    message and its retry-loop log quote the token)."""

    secret: str | None = None

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return text.replace(self.secret, "<TELEGRAM_BOT_TOKEN>") if self.secret else text


class Env:
    """Handed to every command: the settings from the environment, read on first use."""

    def __init__(self, formatter: RedactingFormatter) -> None:
        self._formatter = formatter
        self._settings: Settings | None = None

    def settings(self) -> Settings:
        """The settings; raises SettingsError (one line, exit 2) on a bad variable."""
        if self._settings is None:
            self._settings = Settings.from_env()
            self._formatter.secret = self._settings.token
        return self._settings


def telegram_failure(error: Exception, settings: Settings) -> int:
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


def load_consultation(settings: Settings) -> Consultation:
    """The consultation file of the settings; an invalid file is a settings error (exit 2)."""
    from bot.consultation import ConsultationError
    from bot.consultation import load_consultation as load

    try:
        return load(settings.consultation_path)
    except ConsultationError as error:
        print(error, file=sys.stderr)
        raise SettingsError(
            "AGENDA_CONSULTATION",
            f"{settings.consultation_path} is invalid ({len(error.errors)} error(s), see above)",
        ) from None


def fail(message: str) -> int:
    """One line on stderr, exit code 1."""
    print(f"agenda-bot: {message}", file=sys.stderr)
    return 1
