"""Button payloads: built within Telegram's 64 bytes, and checked again when they come back.

A payload is a kind and its arguments joined by ':'. Any client can send any payload, so
`decode` accepts only the shapes we build; everything else is treated as a stale button.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
_PART = re.compile(r"^[A-Za-z0-9_\-!.]{1,40}$")


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
    return Payload(parts[0], tuple(parts[1:]))
