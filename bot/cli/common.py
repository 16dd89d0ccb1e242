"""What every command shares: the settings read once (logging configured, secrets blanked out),
the database checked and named, one-line failures for Telegram and for an invalid consultation
file."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from bot.cli.texts import text
from bot.service import logs
from bot.service.logs import ServiceFormatter
from bot.settings import Settings, SettingsError

if TYPE_CHECKING:
    from bot.consultation.model import Consultation

EXIT_CONFIG = 2

# The object ``ArgumentParser.add_subparsers`` returns, as each command module receives it.
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


class Env:
    """Handed to every command: the settings from the environment, read on first use."""

    def __init__(self, formatter: ServiceFormatter) -> None:
        self._formatter = formatter
        self._settings: Settings | None = None

    def settings(self) -> Settings:
        """The settings; raises SettingsError (one line, exit 2) on a bad variable. Logging
        follows AGENDA_LOG_LEVEL/AGENDA_LOG_FORMAT from here on, the secrets blanked out."""
        if self._settings is None:
            self._settings = Settings.from_env()
            ops = self._settings.ops
            logs.configure(ops.log_level, as_json=ops.log_json)
            self._formatter.hide(self._settings.token, "TELEGRAM_BOT_TOKEN")
            self._formatter.hide(ops.webhook_secret, "AGENDA_WEBHOOK_SECRET")
        return self._settings

    def database(self, *, create: bool = False) -> Path:
        """The database this command works on, named on stderr and checked first: a missing file
        is refused (unless create), a damaged one too (DatabaseUnusable: one line, exit 2)."""
        return checked_database(self.settings().db_path, create=create)


def checked_database(path: Path, *, create: bool = False, hint: str = "") -> Path:
    """A database file named on stderr and checked first (see Env.database); `hint` says how to
    name another file when it is missing."""
    from storage.integrity import DatabaseUnusable, quick_check

    new = create and not path.exists()
    if not new:
        try:
            quick_check(path)
        except DatabaseUnusable as error:
            if error.problem == "no such file":
                hint = hint or text("database_missing_hint")
                raise DatabaseUnusable(path, text("database_missing", hint=hint)) from None
            raise
    note(text("database_named", path=path, new=new))
    return path


def telegram_failure(error: Exception, settings: Settings) -> int:
    """Startup failures talking to Telegram: one line, no traceback, no token."""
    from telegram.error import InvalidToken

    if isinstance(error, InvalidToken):
        raise SettingsError("TELEGRAM_BOT_TOKEN", text("token_rejected")) from None
    problem = str(error)
    if settings.token:
        problem = problem.replace(settings.token, "<TELEGRAM_BOT_TOKEN>")
    return fail(text("telegram_unreachable", base_url=settings.base_url, error=problem))


def load_consultation(settings: Settings) -> Consultation:
    """The consultation file of the settings; an invalid file is a settings error (exit 2)."""
    from bot.consultation.model import ConsultationError
    from bot.consultation.model import load_consultation as load

    try:
        consultation = load(settings.consultation_path)
    except ConsultationError as error:
        print(error, file=sys.stderr)
        raise SettingsError(
            "AGENDA_CONSULTATION",
            text(
                "consultation_invalid",
                path=settings.consultation_path,
                errors=len(error.errors),
            ),
        ) from None
    settings.check_timezone(consultation.timezone)
    return consultation


def local_zone(settings: Settings) -> tzinfo:
    """The consultation's time zone, for names of files; UTC if the file cannot be read (a
    backup must work even then)."""
    from bot.consultation.model import ConsultationError
    from bot.consultation.model import load_consultation as load

    try:
        return load(settings.consultation_path).zone
    except ConsultationError:
        return UTC


def note(message: str) -> None:
    """One line on stderr, named by the program (`message`: a text of templates/cli)."""
    print(text("program_line", message=message), file=sys.stderr)


def fail(message: str) -> int:
    """One line on stderr, exit code 1."""
    note(message)
    return 1
