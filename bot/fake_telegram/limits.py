"""Telegram's flood limits, as the fake Bot API enforces them, and its fault injection.

Telegram answers ``429 Too Many Requests: retry after N`` (``parameters.retry_after``) when a
bot sends more than about 30 messages a second overall, or more than about one a second to the
same chat ("short bursts that go over this limit" are allowed, so a private chat has a small
bucket). A *message* is what appears as a new message in a chat (sendMessage, sendDocument,
sendPhoto); answering a button tap (answerCallbackQuery), editing and deleting are not. A
refused send is not counted. Group chats: 20 messages a minute.

The clock is ``time.monotonic`` unless a test sets ``api.limits.clock`` to the clock its bot
uses (a dispatcher on virtual time: then the fake checks the limits in that same time).

``FaultMode`` is a seeded random fault injector: a share of the calls fails with 429
(retry_after), a timeout, a connection reset, a 5xx or a 403, alone or mixed.
"""

from __future__ import annotations

import math
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.fake_telegram.models import ApiError

MESSAGES = frozenset({"sendMessage", "sendDocument", "sendPhoto"})


@dataclass
class TelegramLimits:
    """Per-bot counters of sent messages; ``check`` raises the 429 Telegram would."""

    overall: int = 30  # messages in any second, all chats together
    chat_rate: float = 1.0  # messages a second to one private chat, sustained
    chat_burst: int = 3  # ... after a short burst of this many
    group: int = 20  # messages a minute to one group
    enabled: bool = True
    clock: Callable[[], float] = time.monotonic
    refused: int = 0  # 429s given because of these limits (for tests and the bench)
    refused_overall: int = 0  # ... of which the overall limit
    _sent: deque[float] = field(default_factory=deque)
    _chats: dict[int, tuple[float, float]] = field(default_factory=dict)
    _groups: dict[int, deque[float]] = field(default_factory=dict)

    def rebase(self, clock: Callable[[], float]) -> None:
        """Check on another clock from now on (a test's virtual time); counts are forgotten."""
        self.clock = clock
        self._sent.clear()
        self._chats.clear()
        self._groups.clear()

    def check(self, method: str, chat_id: object) -> None:
        """Raise the 429 Telegram would give for this call (``record`` counts a sent one)."""
        if not self.enabled or method not in MESSAGES or not isinstance(chat_id, int):
            return
        now = self.clock()
        sent = self._sent
        while sent and sent[0] <= now - 1.0:
            sent.popleft()
        waits = [sent[0] + 1.0 - now] if len(sent) >= self.overall else []
        if chat_id < 0:
            window = self._groups.setdefault(chat_id, deque())
            while window and window[0] <= now - 60.0:
                window.popleft()
            if len(window) >= self.group:
                waits.append(window[0] + 60.0 - now)
        else:
            tokens, stamp = self._chats.get(chat_id, (float(self.chat_burst), now))
            tokens = min(float(self.chat_burst), tokens + (now - stamp) * self.chat_rate)
            if tokens < 1.0:
                waits.append((1.0 - tokens) / self.chat_rate)
        if waits:
            self.refused += 1
            self.refused_overall += len(sent) >= self.overall
            retry = max(1, math.ceil(max(waits)))
            raise ApiError(f"Too Many Requests: retry after {retry}", 429, {"retry_after": retry})

    def record(self, chat_id: object) -> None:
        """A message went out to this chat."""
        if not self.enabled or not isinstance(chat_id, int):
            return
        now = self.clock()
        self._sent.append(now)
        if chat_id < 0:
            self._groups.setdefault(chat_id, deque()).append(now)
        else:
            tokens, stamp = self._chats.get(chat_id, (float(self.chat_burst), now))
            tokens = min(float(self.chat_burst), tokens + (now - stamp) * self.chat_rate)
            self._chats[chat_id] = (tokens - 1.0, now)


# What a fault looks like on the wire: (error_code, description, parameters); 0: no answer at
# all (the transport raises a timeout or drops the connection instead).
TIMEOUT, RESET = "timeout", "reset"
FAULTS: dict[str, tuple[int, str, dict[str, object] | None]] = {
    "429": (429, "Too Many Requests: retry after 1", {"retry_after": 1}),
    "500": (500, "Internal Server Error", None),
    "502": (502, "Bad Gateway", None),
    "403": (403, "Forbidden: bot was blocked by the user", None),
    TIMEOUT: (0, "timed out", None),
    RESET: (0, "connection reset by peer", None),
}


class TransportFault(Exception):
    """No HTTP answer: the transport turns this into a timeout or a dropped connection."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass
class FaultMode:
    """Fail a share ``rate`` of the calls of ``methods`` with faults drawn from ``kinds``,
    reproducibly: the n-th call of a method for a chat draws from (``seed``, method, chat, n),
    so the faults do not depend on how concurrent calls interleave. getUpdates, getMe and
    answerCallbackQuery are spared unless named. A fault happens before the call has any
    effect (nothing was delivered)."""

    rate: float
    kinds: tuple[str, ...] = tuple(FAULTS)
    methods: frozenset[str] = MESSAGES | {"editMessageText", "editMessageReplyMarkup"}
    seed: int = 0
    injected: dict[str, int] = field(default_factory=dict)
    _seen: dict[tuple[str, object], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults: {sorted(unknown)}")

    def draw(self, method: str, chat_id: object) -> None:
        """Raise the fault for this call, or return (the call goes through)."""
        if method not in self.methods:
            return
        n = self._seen.get((method, chat_id), 0)
        self._seen[(method, chat_id)] = n + 1
        rng = random.Random(f"{self.seed}:{method}:{chat_id}:{n}")
        if rng.random() >= self.rate:
            return
        kind = rng.choice(self.kinds)
        self.injected[kind] = self.injected.get(kind, 0) + 1
        code, description, parameters = FAULTS[kind]
        if code == 0:
            raise TransportFault(kind)
        raise ApiError(description, code, parameters)
