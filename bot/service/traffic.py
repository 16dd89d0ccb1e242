"""Telegram's flood limits, kept in one account that replies and the outbox share.

Telegram allows about 30 messages a second overall and about one a second to one chat (short
bursts allowed), 20 a minute to a group; past that it answers 429 with ``retry_after``. A
*message* is a new message in a chat (sendMessage, sendDocument, ...): answering a button tap,
editing and deleting are not, and are never held back here.

Who waits for whom: a reply to a person (PTB's calls from handlers, through ``ReplyLimiter``)
waits only for the overall limit and its own chat's bucket; the outbox dispatcher
(bot/outbox/dispatch.py) uses at most ``bulk_share`` of the overall limit while replies are
under way (waiting, or sent within the last ``reply_memory`` seconds) and gives up more of
it the more replies there are (down to ``bulk_floor``), all of it otherwise, and spaces its
sends evenly. So a broadcast to thousands never queues a person's next question behind it,
even when a whole room types at once.

Why not PTB's ``AIORateLimiter``: its overall bucket applies to every call with a chat id
(edits and callback answers too) and treats a broadcast and a reply alike, so replies queue
behind bulk sends; and it has no per-chat limit for private chats.

The clock and sleep are injected (tests run the limits on virtual time, and the fake Bot API
checks them on the same clock).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "sendMediaGroup",
        "sendVideo",
        "sendAudio",
        "sendVoice",
        "sendAnimation",
        "sendSticker",
        "sendLocation",
        "sendContact",
        "sendPoll",
        "sendVenue",
        "sendDice",
        "sendVideoNote",
        "copyMessage",
        "forwardMessage",
    }
)
RETRY_WAIT = 0.5  # seconds before a reply is tried again after a network error (then 1 s)
CATCH_UP = 0.2  # seconds of the outbox's timeline that late sends may make up at once
BULK = {"bulk": True}  # rate_limit_args of the outbox's calls: it keeps the limits itself


@dataclass(frozen=True)
class Limits:
    """Telegram's limits, as the bot keeps them."""

    # 28, not Telegram's 30: two messages of room for jitter on the way (a send spaced here
    # may arrive bunched with the next); a broadcast still reaches 28/30 = 0.93 of the limit.
    overall: int = 28
    overall_window: float = 1.0
    bulk_share: int = 25  # the outbox's most per window while replies are under way
    bulk_floor: int = 5  # ... and its least, however many replies there are
    # People answering now will write again soon: for this long after a reply the outbox keeps
    # to its share, so the next reply finds room at once instead of meeting a full second.
    reply_memory: float = 10.0
    private_gap: float = 1.0  # the outbox: one message a second to a person
    private_rate: float = 1.0  # replies: one a second to a person, sustained ...
    private_burst: int = 2  # ... after a short burst (Telegram allows short bursts: about 3)
    reply_margin: int = 2  # replies leave this many of the overall limit for jitter on the way
    group: int = 20
    group_window: float = 60.0


class Traffic:
    """The messages sent lately, overall and per chat, and a 429 pause for everyone."""

    def __init__(
        self,
        limits: Limits | None = None,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.limits = limits or Limits()
        self.monotonic = monotonic
        self.sleep = sleep
        self.replies_waiting = 0
        self.rebase(monotonic, sleep)

    def rebase(self, monotonic: Monotonic, sleep: Sleep) -> None:
        """Run on another clock from now on (tests); what was counted is forgotten."""
        self.monotonic, self.sleep = monotonic, sleep
        self._overall: deque[float] = deque()
        self._replies: deque[float] = deque()
        self._buckets: dict[int, tuple[float, float]] = {}
        self._groups: dict[int, deque[float]] = {}
        self._paused_until = 0.0
        self._bulk_at = 0.0  # when the outbox's next message may go (its paced timeline)
        self._last_reply = -math.inf  # when the last reply went out

    # ------------------------------------------------------------------ questions
    def _trim(self, now: float) -> None:
        window = self.limits.overall_window
        while self._overall and self._overall[0] <= now - window:
            self._overall.popleft()
        while self._replies and self._replies[0] <= now - window:
            self._replies.popleft()

    def replies_under_way(self) -> bool:
        """A reply waits, or went out within the last window."""
        self._trim(self.monotonic())
        return self.replies_waiting > 0 or bool(self._replies)

    def overall_wait(self, *, bulk: bool) -> float:
        """Seconds until a message may go out (overall window and 429 pause; 0: now)."""
        now = self.monotonic()
        self._trim(now)
        limits = self.limits
        wait = self._paused_until - now
        if bulk:
            cap = self.bulk_cap()
            wait = max(wait, self._bulk_at - now)  # evenly spaced, not in bursts
        else:
            cap = limits.overall - limits.reply_margin
        if len(self._overall) >= cap:
            wait = max(wait, self._overall[len(self._overall) - cap] + limits.overall_window - now)
        return max(0.0, wait)

    def bulk_cap(self) -> int:
        """The outbox's messages a window: all of the limit when nobody is being answered;
        while replies are under way at most ``bulk_share``, and less the more replies there
        are (a room typing at once), but never under ``bulk_floor``."""
        limits = self.limits
        now = self.monotonic()
        self._trim(now)
        replies = len(self._replies) + self.replies_waiting
        if not replies and now - self._last_reply >= limits.reply_memory:
            return limits.overall
        room = limits.overall - limits.reply_margin - replies
        return max(limits.bulk_floor, min(limits.bulk_share, room))

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until this chat may get a message (its bucket; a group's window)."""
        now = self.monotonic()
        limits = self.limits
        if chat_id < 0:
            window = self._groups.get(chat_id)
            if window is None:
                return 0.0
            while window and window[0] <= now - limits.group_window:
                window.popleft()
            if len(window) < limits.group:
                return 0.0
            return window[0] + limits.group_window - now
        tokens = self._tokens(chat_id, now)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / limits.private_rate

    def _tokens(self, chat_id: int, now: float) -> float:
        burst = float(self.limits.private_burst)
        tokens, stamp = self._buckets.get(chat_id, (burst, now))
        return min(burst, tokens + (now - stamp) * self.limits.private_rate)

    # ------------------------------------------------------------------ changes
    def record(self, chat_id: int, *, reply: bool) -> None:
        """Count a message to this chat as sent now."""
        now = self.monotonic()
        self._trim(now)
        self._overall.append(now)
        if reply:
            self._replies.append(now)
            self._last_reply = now
        else:
            # The next slot on a steady timeline: sends the event loop let go late are made
            # up (for at most CATCH_UP seconds), so the rate stays at the cap; the overall
            # window still caps every second.
            interval = 1.0 / self.bulk_cap()
            self._bulk_at = max(self._bulk_at, now - CATCH_UP) + interval
        if chat_id < 0:
            self._groups.setdefault(chat_id, deque()).append(now)
        else:
            self._buckets[chat_id] = (self._tokens(chat_id, now) - 1.0, now)
            if len(self._buckets) > 10_000:  # forget chats whose bucket is full again
                horizon = self.limits.private_burst / self.limits.private_rate
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < horizon}

    def pause(self, seconds: float) -> None:
        """Telegram said 429: no message at all for `seconds`."""
        self._paused_until = max(self._paused_until, self.monotonic() + seconds)

    async def reply_turn(self, chat_id: int) -> None:
        """Wait until a reply to this chat is allowed, then count it."""
        self.replies_waiting += 1
        try:
            while (wait := max(self.overall_wait(bulk=False), self.chat_wait(chat_id))) > 0:
                await self.sleep(wait)
        finally:
            self.replies_waiting -= 1
        self.record(chat_id, reply=True)


def retry_seconds(error: RetryAfter) -> float:
    seconds = error.retry_after
    return seconds.total_seconds() if isinstance(seconds, timedelta) else float(seconds)


class ReplyLimiter(BaseRateLimiter[dict[str, Any]]):
    """PTB's rate-limiter hook for every call the bot makes: messages wait for their turn in
    ``Traffic``; edits, callback answers and the rest go straight out. A 429 pauses every
    message for the time Telegram names and the call is tried again (``max_retries`` times);
    so is a timeout, a dropped connection or a 5xx, after a short wait (a person's next
    question is worth a rare second copy; a lost one leaves them stuck).
    Calls marked ``BULK`` (the outbox) pass untouched: the dispatcher keeps the limits and
    handles a 429 itself."""

    def __init__(self, traffic: Traffic, max_retries: int = 2) -> None:
        self.traffic = traffic
        self.max_retries = max_retries

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if rate_limit_args is not None and rate_limit_args.get("bulk"):
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        message = endpoint in MESSAGE_METHODS and isinstance(chat_id, int)
        for attempt in range(self.max_retries + 1):
            if message:
                assert isinstance(chat_id, int)
                await self.traffic.reply_turn(chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                seconds = retry_seconds(error)
                self.traffic.pause(seconds)
                if attempt >= self.max_retries:
                    raise
                log.info("429 on %s: again in %g s", endpoint, seconds)
                await self.traffic.sleep(seconds + 0.1)
            except BadRequest:
                raise  # PTB's BadRequest is a NetworkError, but trying again will not help
            except NetworkError as error:  # timeouts, connection errors, Telegram's 5xx
                if attempt >= self.max_retries or endpoint == "getUpdates":
                    raise
                log.info("%s failed (%s): again", endpoint, type(error).__name__)
                await self.traffic.sleep(RETRY_WAIT * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover
