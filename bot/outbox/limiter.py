"""The outbox's pace: its side of the traffic account it shares with the replies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.service.traffic import Limits, Traffic

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    """The outbox's side of the shared ``Traffic`` (bot/service/traffic.py): one message a second
    to a person, a group's window, and its share of the overall limit (yielding to replies)."""

    def __init__(
        self, limits: Limits, monotonic: Monotonic, sleep: Sleep, traffic: Traffic | None = None
    ) -> None:
        self.limits = limits
        self._monotonic = monotonic
        self._sleep = sleep
        self.traffic = traffic or Traffic(limits, monotonic, sleep)
        self._private: dict[int, float] = {}

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until this chat may get the next message (0: now)."""
        wait = self.traffic.chat_wait(chat_id)
        last = self._private.get(chat_id) if chat_id > 0 else None
        if last is not None:
            wait = max(wait, last + self.limits.private_gap - self._monotonic())
        return max(0.0, wait)

    def overall_wait(self) -> float:
        """Seconds until any bulk message may go out (its share, evenly spaced; a 429 pause)."""
        return self.traffic.overall_wait(bulk=True)

    async def acquire(self, chat_id: int) -> None:
        """Wait until a message to this chat is allowed, then count it as sent now."""
        while (wait := max(self.overall_wait(), self.chat_wait(chat_id))) > 0:
            await self._sleep(wait)
        self.traffic.record(chat_id, reply=False)
        if chat_id > 0:
            self._private[chat_id] = self._monotonic()

    def pause(self, seconds: float) -> None:
        """Telegram said 429: no message at all for `seconds`."""
        self.traffic.pause(seconds)
