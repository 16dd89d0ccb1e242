"""Logging for a service: one line per event, text or JSON, level from AGENDA_LOG_LEVEL, and never
a secret: the bot token and the webhook secret are blanked out of every line, whatever its level
or source (PTB's request debug, httpx's request URLs, tracebacks)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime

# Libraries that say too much at INFO (a line per scheduler job, per HTTP request, per font):
# shown only at DEBUG. Font and chart libraries stay quiet even then (thousands of lines a pack).
_CHATTY_BELOW_DEBUG = ("httpx", "httpcore", "apscheduler", "tornado.access")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_ALWAYS_QUIET = ("fontTools", "weasyprint", "matplotlib", "PIL")


class ServiceFormatter(logging.Formatter):
    """One line per record (a traceback's line breaks become ' \\n '), secrets blanked out."""

    def __init__(self, *, as_json: bool = False) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.as_json = as_json
        self._secrets: dict[str, str] = {}

    def hide(self, secret: str | None, label: str) -> None:
        """Blank secret out of every line from now on, as <label>."""
        if secret:
            self._secrets[secret] = f"<{label}>"

    def format(self, record: logging.LogRecord) -> str:
        if self.as_json:
            entry: dict[str, object] = {
                "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                    timespec="milliseconds"
                ),
                "level": record.levelname,
                "logger": record.name,
                "message": record.getMessage(),
            }
            if record.exc_info:
                entry["exception"] = self.formatException(record.exc_info)
            text = json.dumps(entry, ensure_ascii=False)
        else:
            text = super().format(record).replace("\r", "").replace("\n", " \\n ")
        return self.redact(text)

    def redact(self, text: str) -> str:
        """text with every known secret replaced by its label."""
        for secret, label in self._secrets.items():
            text = text.replace(secret, label)
        return text


def configure(level: str = "INFO", *, as_json: bool = False) -> ServiceFormatter:
    """Set up the root logger once (a host's own logging is left alone) and return the formatter
    that blanks secrets; call ``hide`` on it when the secrets are known."""
    root = logging.getLogger()
    formatter = next(
        (h.formatter for h in root.handlers if isinstance(h.formatter, ServiceFormatter)), None
    )
    if formatter is None:
        formatter = ServiceFormatter(as_json=as_json)
        if not root.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(formatter)
            root.addHandler(handler)
    formatter.as_json = as_json
    number = logging.getLevelName(level)
    root.setLevel(number)
    for name in _CHATTY_BELOW_DEBUG:
        logging.getLogger(name).setLevel(
            logging.DEBUG if number <= logging.DEBUG else logging.WARNING
        )
    for name in _ALWAYS_QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    return formatter


def early_level(env: Mapping[str, str]) -> str:
    """AGENDA_LOG_LEVEL before the settings are checked: a bad value means INFO for now (the
    settings then report it)."""
    raw = env.get("AGENDA_LOG_LEVEL", "").strip().upper()
    return raw if raw in LEVELS else "INFO"
