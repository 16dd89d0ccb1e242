"""Settings, read once from the environment into one frozen object."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.ops_settings import DEFAULT_DB_NAME, Operations, OpsSettingError
from bot.resources import CHECKOUT, CONSULTATIONS_DIR

PROJECT_ROOT = CHECKOUT  # the checkout (tools and tests run from it)
DEFAULT_CONSULTATION = CONSULTATIONS_DIR / "hagenow.yaml"
DEFAULT_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_BASE_FILE_URL = "https://api.telegram.org/file/bot"
DEFAULT_DIGEST_LEAD = timedelta(hours=48)
DEFAULT_QUIET_HOURS = (20, 8)
DEFAULT_SEAT_OFFER = timedelta(hours=24)
MAX_SEAT_OFFER_HOURS = 24 * 14
DEFAULT_RENDER_WORKERS = 2  # one per core of a small server
MAX_RENDER_WORKERS = 8
DEFAULT_UPDATE_MAX_AGE = timedelta(hours=24)  # Telegram keeps an unfetched update this long
_DURATION_PART = re.compile(r"(\d+)\s*([dhm])")
_DURATION_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    token: str | None
    base_url: str
    base_file_url: str
    db_path: Path
    consultation_path: Path
    staff_ids: frozenset[int]
    # Only checked: the consultation file's time zone is the one used (None: not set).
    timezone: ZoneInfo | None
    staff_chat: int | None = None  # a staff group that gets the automatic digests too
    digest_lead: timedelta = DEFAULT_DIGEST_LEAD  # how long before a workshop its pack goes out
    # No reminders from quiet_start:00 to quiet_end:00 local time (equal hours: none quiet).
    quiet_start: int = DEFAULT_QUIET_HOURS[0]
    quiet_end: int = DEFAULT_QUIET_HOURS[1]
    quiet_sunday: bool = True  # and none on Sundays
    seat_offer: timedelta = DEFAULT_SEAT_OFFER  # how long a freed workshop seat is held
    # Data directory, webhook, health endpoint, logging, backups (bot/ops_settings.py).
    ops: Operations = field(default_factory=Operations)
    # An update older than this is answered with an apology instead of being acted on.
    update_max_age: timedelta = DEFAULT_UPDATE_MAX_AGE
    # Render worker processes at once (packs, plan, progress, export); more wait their turn.
    render_workers: int = DEFAULT_RENDER_WORKERS
    # Who may add and remove staff with /team (AGENDA_ADMIN_IDS; default: AGENDA_STAFF_IDS).
    admin_ids: frozenset[int] = frozenset()

    def __repr__(self) -> str:
        # Never show the token, not even in a traceback.
        token = "<set>" if self.token else "<unset>"
        return (
            f"Settings(token={token}, base_url={self.base_url!r}, db_path={self.db_path!s}, "
            f"consultation_path={self.consultation_path!s}, staff_ids={sorted(self.staff_ids)}, "
            f"admin_ids={sorted(self.admin_ids)}, "
            f"timezone={self.timezone.key if self.timezone else None}, "
            f"staff_chat={self.staff_chat}, "
            f"digest_lead={self.digest_lead}, ops={self.ops})"
        )

    __str__ = __repr__

    def check_timezone(self, file_zone: str) -> None:
        """Refuse an AGENDA_TIMEZONE that differs from the consultation file's time zone: the
        file's is the one every date and reminder uses, so a different setting is a mistake."""
        if self.timezone is not None and self.timezone.key != file_zone:
            raise SettingsError(
                "AGENDA_TIMEZONE",
                f"{self.timezone.key!r} differs from the consultation file's timezone "
                f"{file_zone!r} - remove the setting (the file's time zone is used)",
            )

    def require_token(self) -> str:
        """The bot token, or a SettingsError saying what to set."""
        if not self.token:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN",
                "not set - create a bot with @BotFather and export TELEGRAM_BOT_TOKEN=<token>",
            )
        return self.token

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and check every variable; raise SettingsError on the first bad one."""
        env = os.environ if env is None else env
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
        if token is not None and (":" not in token or any(c.isspace() for c in token)):
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN", "does not look like a bot token (<id>:<secret>)"
            )
        quiet = _quiet(env)
        try:
            ops = Operations.from_env(env)
        except OpsSettingError as error:
            raise SettingsError(error.variable, str(error)) from None
        return cls(
            token=token,
            base_url=_url(env, "TELEGRAM_BASE_URL", DEFAULT_BASE_URL),
            base_file_url=_url(env, "TELEGRAM_BASE_FILE_URL", DEFAULT_BASE_FILE_URL),
            db_path=ops.in_data_dir(env.get("AGENDA_DB", "").strip() or DEFAULT_DB_NAME),
            consultation_path=_existing_file(env, "AGENDA_CONSULTATION", DEFAULT_CONSULTATION, ops),
            staff_ids=_staff_ids(env.get("AGENDA_STAFF_IDS", "")),
            timezone=_timezone(env.get("AGENDA_TIMEZONE", "").strip()),
            staff_chat=_staff_chat(env.get("AGENDA_STAFF_CHAT", "")),
            digest_lead=_duration(env, "AGENDA_DIGEST_LEAD", DEFAULT_DIGEST_LEAD),
            quiet_start=quiet[0],
            quiet_end=quiet[1],
            quiet_sunday=quiet[2],
            seat_offer=_seat_offer(env.get("AGENDA_SEAT_OFFER_HOURS", "")),
            ops=ops,
            update_max_age=_update_max_age(env),
            render_workers=_render_workers(env.get("AGENDA_RENDER_WORKERS", "")),
            admin_ids=_staff_ids(env.get("AGENDA_ADMIN_IDS", ""), "AGENDA_ADMIN_IDS")
            or _staff_ids(env.get("AGENDA_STAFF_IDS", "")),
        )


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    if not value.startswith(("http://", "https://")):
        raise SettingsError(name, f"must start with http:// or https://, got {value!r}")
    return value


def _existing_file(env: Mapping[str, str], name: str, default: Path, ops: Operations) -> Path:
    raw = env.get(name, "").strip()
    path = ops.in_data_dir(raw) if raw else default  # relative: inside AGENDA_DATA_DIR
    if not path.is_file():
        raise SettingsError(name, f"no such file: {path}")
    return path


def _staff_ids(raw: str, name: str = "AGENDA_STAFF_IDS") -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise SettingsError(
                name,
                f"{part!r} is not a numeric Telegram user id (ask @userinfobot for yours)",
            )
        ids.add(int(part))
    return frozenset(ids)


def _staff_chat(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not re.fullmatch(r"-?\d+", raw):
        raise SettingsError(
            "AGENDA_STAFF_CHAT",
            f"{raw!r} is not a numeric Telegram chat id (a group's id starts with -)",
        )
    return int(raw)


def _duration(env: Mapping[str, str], name: str, default: timedelta) -> timedelta:
    """'48h', '2d', '90m' or combined like '1d 12h'; blank means the default."""
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    compact = raw.replace(" ", "")
    parts = _DURATION_PART.findall(compact)
    if not parts or "".join(n + u for n, u in parts) != compact:
        raise SettingsError(name, f"{raw!r} is not a duration - write e.g. 48h, 36h, 2d or 90m")
    total = timedelta()
    for number, unit in parts:
        total += timedelta(**{_DURATION_UNITS[unit]: int(number)})
    return total


def _update_max_age(env: Mapping[str, str]) -> timedelta:
    """AGENDA_UPDATE_MAX_AGE: a duration of at least a minute, e.g. 24h."""
    age = _duration(env, "AGENDA_UPDATE_MAX_AGE", DEFAULT_UPDATE_MAX_AGE)
    if age < timedelta(minutes=1):
        raise SettingsError("AGENDA_UPDATE_MAX_AGE", "must be at least 1m - write e.g. 24h")
    return age


def _render_workers(raw: str) -> int:
    """AGENDA_RENDER_WORKERS: worker processes at once, 1 to 8 (each holds about 100 MB)."""
    raw = raw.strip()
    if not raw:
        return DEFAULT_RENDER_WORKERS
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_RENDER_WORKERS:
        raise SettingsError(
            "AGENDA_RENDER_WORKERS",
            f"{raw!r} - write a whole number from 1 to {MAX_RENDER_WORKERS}, e.g. 2",
        )
    return int(raw)


def _seat_offer(raw: str) -> timedelta:
    """AGENDA_SEAT_OFFER_HOURS: whole hours a waiting person has to take a freed seat."""
    raw = raw.strip()
    if not raw:
        return DEFAULT_SEAT_OFFER
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_SEAT_OFFER_HOURS:
        raise SettingsError(
            "AGENDA_SEAT_OFFER_HOURS",
            f"{raw!r} - write a whole number of hours from 1 to {MAX_SEAT_OFFER_HOURS}, e.g. 24",
        )
    return timedelta(hours=int(raw))


def _timezone(name: str) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError("AGENDA_TIMEZONE", f"unknown time zone {name!r}") from None


def _quiet(env: Mapping[str, str]) -> tuple[int, int, bool]:
    """AGENDA_QUIET_HOURS '20-8' (from 20:00 to 08:00; 'off' for none), AGENDA_QUIET_SUNDAY."""
    raw = env.get("AGENDA_QUIET_HOURS", "").strip().lower()
    start, end = DEFAULT_QUIET_HOURS
    if raw in ("off", "none", "0"):
        start = end = 0
    elif raw:
        match = re.fullmatch(r"(\d{1,2})\s*-\s*(\d{1,2})", raw)
        if not match or not all(0 <= int(h) <= 23 for h in match.groups()):
            raise SettingsError(
                "AGENDA_QUIET_HOURS",
                f"{raw!r} is not a range of hours - write e.g. 20-8 (20:00 to 08:00) or off",
            )
        start, end = int(match[1]), int(match[2])
    sunday_raw = env.get("AGENDA_QUIET_SUNDAY", "").strip().lower()
    if sunday_raw not in ("", "1", "0", "yes", "no", "true", "false", "ja", "nein"):
        raise SettingsError("AGENDA_QUIET_SUNDAY", f"{sunday_raw!r} - write 1 (quiet) or 0")
    sunday = sunday_raw in ("", "1", "yes", "true", "ja")
    return start, end, sunday
