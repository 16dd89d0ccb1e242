"""Settings for running the bot on a server: where its files live, webhook, health endpoint,
logging, nightly backups. Read with the other settings (``Settings.ops``).

Paths: ``AGENDA_DATA_DIR`` (default: ``data/`` in the project directory) holds the database and
the backups. A relative ``AGENDA_DB``, ``AGENDA_CONSULTATION`` or ``AGENDA_BACKUP_DIR`` is taken
inside it; an absolute path is used as it is. The current directory never matters.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from bot.resources import CHECKOUT, IN_CHECKOUT

# In a checkout data/ beside the code; installed from a wheel, data/ in the current directory.
DEFAULT_DATA_DIR = (CHECKOUT if IN_CHECKOUT else Path.cwd()) / "data"
DEFAULT_DB_NAME = "agenda.sqlite3"
DEFAULT_WEBHOOK_LISTEN = ("127.0.0.1", 8080)
DEFAULT_BACKUP_KEEP = 14
DEFAULT_BACKUP_TIME = time(3, 0)
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Telegram's rule for secret_token: 1-256 characters A-Z, a-z, 0-9, _ and -.
_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")


class OpsSettingError(Exception):
    """A bad operations setting; turned into a SettingsError naming the variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(problem)
        self.variable = variable


@dataclass(frozen=True)
class Listen:
    """A host and port to listen on."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Operations:
    """How the bot runs: data directory, webhook, health endpoint, logs, backups."""

    data_dir: Path = DEFAULT_DATA_DIR
    webhook_url: str | None = None  # the public https URL Telegram posts updates to
    webhook_listen: Listen = Listen(*DEFAULT_WEBHOOK_LISTEN)
    webhook_secret: str | None = None
    health_listen: Listen | None = None  # GET /healthz; off unless set
    log_level: str = "INFO"
    log_json: bool = False
    backup_dir: Path | None = None  # nightly backups; off unless set
    backup_keep: int = DEFAULT_BACKUP_KEEP
    backup_time: time = DEFAULT_BACKUP_TIME

    def __repr__(self) -> str:
        secret = "<set>" if self.webhook_secret else "<unset>"
        return (
            f"Operations(data_dir={self.data_dir!s}, webhook_url={self.webhook_url!r}, "
            f"webhook_listen={self.webhook_listen}, webhook_secret={secret}, "
            f"health_listen={self.health_listen}, log_level={self.log_level}, "
            f"log_json={self.log_json}, backup_dir={self.backup_dir}, "
            f"backup_keep={self.backup_keep}, backup_time={self.backup_time:%H:%M})"
        )

    __str__ = __repr__

    def in_data_dir(self, raw: str) -> Path:
        """A path from a setting: absolute as it is, relative inside the data directory."""
        path = Path(raw).expanduser()
        return path if path.is_absolute() else self.data_dir / path

    def require_webhook(self) -> tuple[str, str]:
        """The webhook URL and secret, or an OpsSettingError saying what to set."""
        if not self.webhook_url:
            raise OpsSettingError(
                "AGENDA_WEBHOOK_URL",
                "not set - the public https address Telegram posts to,"
                " e.g. https://agenda.example.de/telegram",
            )
        if not self.webhook_secret:
            raise OpsSettingError(
                "AGENDA_WEBHOOK_SECRET",
                "not set - 16 to 256 letters, digits, _ or -, e.g. from: openssl rand -hex 32",
            )
        return self.webhook_url, self.webhook_secret

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Operations:
        """Read the AGENDA_* operations variables; raise OpsSettingError on the first bad one."""
        raw_dir = env.get("AGENDA_DATA_DIR", "").strip()
        data_dir = Path(raw_dir).expanduser().absolute() if raw_dir else DEFAULT_DATA_DIR
        base = cls(data_dir=data_dir)
        backup_raw = env.get("AGENDA_BACKUP_DIR", "").strip()
        return cls(
            data_dir=data_dir,
            webhook_url=_webhook_url(env.get("AGENDA_WEBHOOK_URL", "").strip()),
            webhook_listen=_listen(env, "AGENDA_WEBHOOK_LISTEN") or base.webhook_listen,
            webhook_secret=_secret(env.get("AGENDA_WEBHOOK_SECRET", "").strip()),
            health_listen=_listen(env, "AGENDA_HEALTH_LISTEN"),
            log_level=_log_level(env.get("AGENDA_LOG_LEVEL", "").strip()),
            log_json=_log_json(env.get("AGENDA_LOG_FORMAT", "").strip()),
            backup_dir=base.in_data_dir(backup_raw) if backup_raw else None,
            backup_keep=_keep(env.get("AGENDA_BACKUP_KEEP", "").strip()),
            backup_time=_backup_time(env.get("AGENDA_BACKUP_TIME", "").strip()),
        )


def _webhook_url(raw: str) -> str | None:
    if not raw:
        return None
    if not raw.startswith(("https://", "http://")):
        raise OpsSettingError(
            "AGENDA_WEBHOOK_URL", f"{raw!r} must start with https:// (Telegram posts only to https)"
        )
    return raw


def _secret(raw: str) -> str | None:
    if not raw:
        return None
    if not _SECRET.fullmatch(raw):
        # Never echo the value: it is a secret, even when malformed.
        raise OpsSettingError(
            "AGENDA_WEBHOOK_SECRET",
            f"must be 16 to 256 letters, digits, _ or - (got {len(raw)} characters);"
            " e.g. from: openssl rand -hex 32",
        )
    return raw


def _listen(env: Mapping[str, str], name: str) -> Listen | None:
    raw = env.get(name, "").strip()
    if not raw or raw.lower() == "off":
        return None
    host, sep, port = raw.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", raw
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise OpsSettingError(name, f"{raw!r} - write HOST:PORT, e.g. 127.0.0.1:8081, or a port")
    return Listen(host, int(port))


def _log_level(raw: str) -> str:
    if not raw:
        return "INFO"
    if raw.upper() not in LOG_LEVELS:
        raise OpsSettingError("AGENDA_LOG_LEVEL", f"{raw!r} - write one of {', '.join(LOG_LEVELS)}")
    return raw.upper()


def _log_json(raw: str) -> bool:
    if raw.lower() not in ("", "text", "json"):
        raise OpsSettingError("AGENDA_LOG_FORMAT", f"{raw!r} - write text or json")
    return raw.lower() == "json"


def _keep(raw: str) -> int:
    if not raw:
        return DEFAULT_BACKUP_KEEP
    if not raw.isdigit() or not 1 <= int(raw) <= 3650:
        raise OpsSettingError(
            "AGENDA_BACKUP_KEEP", f"{raw!r} - write how many backups to keep, e.g. 14"
        )
    return int(raw)


def _backup_time(raw: str) -> time:
    if not raw:
        return DEFAULT_BACKUP_TIME
    match = re.fullmatch(r"(\d{1,2}):(\d\d)", raw)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise OpsSettingError("AGENDA_BACKUP_TIME", f"{raw!r} - write a local time, e.g. 03:00")
    return time(int(match[1]), int(match[2]))


def log_level_number(name: str) -> int:
    """The logging module's number for a level name."""
    return int(logging.getLevelName(name))
