"""Test controls, the user side and request dispatch of the fake Bot API.

The chats and files it keeps: ``chats.py``; the Bot API methods: ``telegram_api.py``.

``handle(method, params, files)`` answers exactly like ``api.telegram.org`` would:
``(http_status, b'{"ok": true, "result": ...}')`` or an error body with Telegram's wording.
All state is guarded by one lock, so the HTTP server thread and the test's event loop can share it.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from bot.fake_telegram import checks
from bot.fake_telegram.chats import ChatStore
from bot.fake_telegram.limits import MESSAGES, FaultMode, TelegramLimits, TransportFault
from bot.fake_telegram.models import ApiError, Call, ChatMessage, Failure

MAX_UPLOAD = 50 * 1024 * 1024
MAX_PHOTO = 10 * 1024 * 1024
_CHAT_BOUND = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "deleteMessage",
        "sendDocument",
        "sendPhoto",
        "sendChatAction",
    }
)
_DEFAULT_DESCRIPTIONS = {
    403: "Forbidden: bot was blocked by the user",
    400: "Bad Request: fake failure",
    409: "Conflict: terminated by other getUpdates request",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


class ApiState(ChatStore):
    """Everything but the Bot API methods; ``FakeBotApi`` adds those as ``_m_<name>``."""

    def __init__(
        self,
        bot_id: int = 7000000001,
        username: str = "hagenow_agenda_bot",
        first_name: str = "Digitale Agenda Hagenow",
        token: str = "123:TEST",
        *,
        html_lint: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(bot_id, username, first_name, token, clock)
        self.html_lint = html_lint  # reject a stray "&" and <a> without href (Telegram doesn't)
        self.calls: list[Call] = []
        self._cond = threading.Condition(self._lock)
        self._updates: list[dict[str, Any]] = []
        self.webhook: dict[str, str] = {}  # url and secret_token of setWebhook
        self._update_id = 100000
        self._callbacks: dict[str, dict[str, Any]] = {}
        self._commands: dict[str, list[dict[str, str]]] = {}
        self._failures: list[Failure] = []
        # Telegram's flood limits (bot/fake_telegram/limits.py); ``limits.enabled = False`` only
        # where a test must, saying why. ``faults``: a seeded random fault mode, off by default.
        self.limits = TelegramLimits()
        self.faults: FaultMode | None = None
        self._blocked: set[int] = set()
        self._methods: dict[str, Callable[[dict[str, Any], dict[str, Any], bool], object]] = {
            name[3:].lower(): getattr(self, name) for name in dir(self) if name.startswith("_m_")
        }
        self._names = {name[3:].lower(): name[3:] for name in dir(self) if name.startswith("_m_")}

    # ------------------------------------------------------------------ controls for tests
    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        description: str | None = None,
        parameters: dict[str, object] | None = None,
        *,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (for ``chat_id`` if given) fail."""
        if error_code == 429:
            parameters = parameters if parameters is not None else {"retry_after": 3}
            retry = parameters.get("retry_after", 3)
            description = description or f"Too Many Requests: retry after {retry}"
        description = description or _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
        name = self._canonical(method) or method
        with self._lock:
            self._failures.append(
                Failure(name, error_code, description, parameters, chat_id, times)
            )

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: every call for this chat fails with 403 from now on."""
        with self._lock:
            self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        with self._lock:
            self._blocked.discard(chat_id)

    def calls_of(self, method: str) -> list[Call]:
        name = self._canonical(method) or method
        return [c for c in self.calls if c.method == name]

    def commands(
        self, scope: dict[str, object] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        return list(self._commands.get(checks.scope_key(scope, language_code), []))

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (an ``update_id`` is assigned if missing)."""
        with self._lock:
            update = dict(update)
            update.setdefault("update_id", self.next_update_id())
            self._updates.append(update)
            self._cond.notify_all()
            return update

    def pending_updates(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._updates)

    def next_update_id(self) -> int:
        with self._lock:
            self._update_id += 1
            return self._update_id

    # ------------------------------------------------------------------ user side
    def receive(self, user: dict[str, object], content: dict[str, Any]) -> dict[str, Any]:
        """Record a message the user sends and return it as Telegram's Message JSON.

        ``content`` holds Telegram's fields (text/entities, photo, sticker, ...) and optionally
        ``reply_to_message_id``.
        """
        with self._lock:
            chat = self._chat_for(user)
            self._blocked.discard(int(str(user["id"])))  # writing to a bot unblocks it
            content = dict(content)
            reply_to = content.pop("reply_to_message_id", None)
            kind = next(
                (k for k in ("photo", "document", "sticker", "voice", "location") if k in content),
                "text",
            )
            msg = ChatMessage(
                message_id=self._next_message_id(chat),
                from_bot=False,
                date=self._now(),
                kind=kind,
                text=content.get("text"),
                html=content.get("text"),
                entities=content.get("entities", []),
                caption=content.get("caption"),
                caption_html=content.get("caption"),
                reply_to=reply_to,
                extra=content,
            )
            if kind in ("photo", "document"):
                item = content[kind][-1] if kind == "photo" else content[kind]
                setattr(msg, kind, self._files.get(item["file_id"]))
            chat.messages.append(msg)
            return self._message_json(chat, msg)

    def issue_callback_query(
        self, user: dict[str, object], message_id: int, data: str
    ) -> dict[str, Any]:
        """A callback query for a click on ``message_id``; its id is now valid to answer."""
        with self._lock:
            chat = self._chat_for(user)
            msg = self._find(chat, message_id)
            if msg is None:
                raise AssertionError(f"message {message_id} not found in chat {user['id']}")
            self._counter += 1
            query_id = str(4_000_000_000_000_000 + self._counter)
            self._callbacks[query_id] = {"chat_id": chat.info["id"], "answered": False}
            return {
                "id": query_id,
                "from": dict(user),
                "message": self._message_json(chat, msg),
                "chat_instance": str(-(10**18) - int(str(chat.info["id"]))),
                "data": data,
            }

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """None if not answered yet, else the answer's parameters."""
        with self._lock:
            entry = self._callbacks.get(query_id)
            return entry.get("answer") if entry and entry["answered"] else None

    # ------------------------------------------------------------------ transport entry points
    def handle(
        self,
        method: str,
        params: dict[str, object],
        files: dict[str, tuple[str, bytes]] | None = None,
        *,
        wait: bool = False,
    ) -> tuple[int, bytes]:
        """Answer one Bot API request. ``wait=True`` lets getUpdates block (HTTP server only)."""
        with self._lock:
            name = self._canonical(method)
            raw = decoded = dict(params)
            try:
                if name is None:
                    raise ApiError("Not Found", 404)
                decoded = checks.normalise(raw)
                self._maybe_fail(name, decoded)
                if self.faults is not None:
                    self.faults.draw(name, decoded.get("chat_id"))
                self.limits.check(name, decoded.get("chat_id"))
                result = self._methods[name.lower()](decoded, dict(files or {}), wait)
                if name in MESSAGES:
                    self.limits.record(decoded.get("chat_id"))
            except TransportFault as fault:
                self.calls.append(
                    Call(name or method, decoded, time.monotonic(), False, 0, fault.kind)
                )
                raise
            except ApiError as exc:
                self.calls.append(
                    Call(
                        name or method,
                        decoded,
                        time.monotonic(),
                        False,
                        exc.error_code,
                        exc.description,
                    )
                )
                body: dict[str, object] = {
                    "ok": False,
                    "error_code": exc.error_code,
                    "description": exc.description,
                }
                if exc.parameters:
                    body["parameters"] = exc.parameters
                return exc.error_code, json.dumps(body).encode()
            self.calls.append(Call(name, decoded, time.monotonic(), True))
            return 200, json.dumps({"ok": True, "result": result}).encode()

    async def handle_async(
        self,
        method: str,
        params: dict[str, object],
        files: dict[str, tuple[str, bytes]] | None = None,
    ) -> tuple[int, bytes]:
        """Like ``handle``, but getUpdates long-polls without blocking the event loop."""
        if method.lower() == "getupdates":
            try:
                timeout = float(str(params.get("timeout") or 0))
                offset = int(str(params.get("offset") or 0))
            except ValueError:
                timeout, offset = 0, 0
            self._confirm(offset)  # on arrival of the request, as Telegram does
            deadline = time.monotonic() + timeout
            # polling: updates may be pushed from another thread (the HTTP test, a fixture)
            while time.monotonic() < deadline and not self._has_updates(offset):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        return self.handle(method, params, files)

    # ------------------------------------------------------------------ internals
    def _canonical(self, method: str) -> str | None:
        return self._names.get(method.lower())

    def _confirm(self, offset: object) -> None:
        """Telegram's rule: an offset confirms (forgets) every update below it; until then an
        update is delivered again by every getUpdates."""
        with self._lock:
            if isinstance(offset, int) and offset < 0:
                del self._updates[: max(len(self._updates) + offset, 0)]
            elif isinstance(offset, int) and offset > 0:
                self._updates[:] = [u for u in self._updates if u["update_id"] >= offset]

    def _has_updates(self, offset: int) -> bool:
        with self._lock:
            return any(u["update_id"] >= offset for u in self._updates)

    def _maybe_fail(self, method: str, params: dict[str, Any]) -> None:
        for failure in self._failures:
            if failure.method == method and failure.chat_id in (None, params.get("chat_id")):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                raise ApiError(failure.description, failure.error_code, failure.parameters)
        if method in _CHAT_BOUND and params.get("chat_id") in self._blocked:
            raise ApiError("Forbidden: bot was blocked by the user", 403)
