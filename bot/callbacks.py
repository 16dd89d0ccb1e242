"""Button payloads: built within Telegram's 64 bytes, and checked again when they come back.

A payload is a kind and its arguments joined by ':'. Any client can send any payload, so
`decode` accepts only the shapes we build; everything else is treated as a stale button. Numbers
are checked here, in one place: an argument written as a whole number must lie in
0..MAX_NUMBER (we never build a negative one, and no id, year or index of ours comes near the
bound), so a handler never passes a number SQLite or the calendar cannot hold. Handlers read
numbers with `Payload.number`, never with `int()` of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
MAX_NUMBER = 2**31 - 1  # row ids, years, positions: far below; SQLite's INTEGER ends at 2**63-1
_PART = re.compile(r"^[A-Za-z0-9_\-!.]{1,40}$")
_NUMBER = re.compile(r"^-?[0-9]+$")


class CallbackDataError(ValueError):
    """A payload that would not fit, or an argument with forbidden characters."""


@dataclass(frozen=True)
class Payload:
    """A decoded button payload."""

    kind: str
    args: tuple[str, ...]

    def arg(self, index: int) -> str | None:
        """The argument at index, or None when it is missing."""
        return self.args[index] if index < len(self.args) else None

    def number(self, index: int) -> int | None:
        """The argument at index as a number in 0..MAX_NUMBER, or None (missing, not a number)."""
        raw = self.arg(index)
        return int(raw) if raw is not None and _in_range(raw) else None


def _in_range(part: str) -> bool:
    """Whether part is a whole number decode accepts (no sign, at most MAX_NUMBER)."""
    return part.isascii() and part.isdigit() and int(part) <= MAX_NUMBER


def encode(kind: str, *args: str | int) -> str:
    """Build a payload; raise CallbackDataError if it cannot be sent to Telegram."""
    parts = [kind, *(str(arg) for arg in args)]
    for part in parts:
        if not _PART.match(part):
            raise CallbackDataError(f"bad payload part {part!r}")
    data = ":".join(parts)
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise CallbackDataError(f"payload over {MAX_BYTES} bytes: {data!r}")
    return data


def decode(data: object) -> Payload | None:
    """Parse a payload from Telegram, or None when it is not one of ours."""
    if not isinstance(data, str) or not 0 < len(data.encode("utf-8")) <= MAX_BYTES:
        return None
    parts = data.split(":")
    if not all(_PART.match(part) for part in parts):
        return None
    if any(_NUMBER.match(part) and not _in_range(part) for part in parts):
        return None  # a negative or huge number: never ours
    return Payload(parts[0], tuple(parts[1:]))
