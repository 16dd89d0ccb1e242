"""State, test controls and request dispatch of the fake Bot API (methods: telegram_api.py).

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
from bot.fake_telegram.limits import MESSAGES, FaultMode, TelegramLimits, TransportFault
from bot.fake_telegram.models import ApiError, Call, ChatMessage, Failure, SentFile

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


class _Chat:
    def __init__(self, info: dict[str, object]) -> None:
        self.info = info
        self.messages: list[ChatMessage] = []
        self.next_id = 1
        self.activity = 0  # bumped whenever the bot sends, edits or deletes something here


class ApiState:
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
        self.bot_id, self.username, self.first_name, self.token = (
            bot_id,
            username,
            first_name,
            token,
        )
        self.html_lint = html_lint  # reject a stray "&" and <a> without href (Telegram doesn't)
        self.clock = clock
        self.calls: list[Call] = []
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._chats: dict[int, _Chat] = {}
        self._updates: list[dict[str, Any]] = []
        self.webhook: dict[str, str] = {}  # url and secret_token of setWebhook
        self._update_id = 100000
        self._callbacks: dict[str, dict[str, Any]] = {}
        self._files: dict[str, SentFile] = {}
        self._paths: dict[str, str] = {}
        self._counter = 0
        self._commands: dict[str, list[dict[str, str]]] = {}
        self._failures: list[Failure] = []
        # Telegram's flood limits (bot/fake_telegram/limits.py); ``limits.enabled = False`` only
        # where a test must, saying why. ``faults``: a seeded random fault mode, off by default.
        self.limits = TelegramLimits()
        self.faults: FaultMode | None = None
        # Called with the chat id whenever the bot sends or edits there (the bench's clock).
        self.on_activity: Callable[[int], None] | None = None
        self._blocked: set[int] = set()
        self._methods: dict[str, Callable[[dict[str, Any], dict[str, Any], bool], object]] = {
            name[3:].lower(): getattr(self, name) for name in dir(self) if name.startswith("_m_")
        }
        self._names = {name[3:].lower(): name[3:] for name in dir(self) if name.startswith("_m_")}

    # ------------------------------------------------------------------ controls for tests
    @property
    def bot_user(self) -> dict[str, object]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

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

    def add_chat(self, user_id: int, first_name: str = "Anna", **extra: object) -> None:
        """Register a private chat as if the user had pressed Start (without an update)."""
        with self._lock:
            self._chat_for({"id": user_id, "first_name": first_name, **extra})

    def chat(self, chat_id: int) -> list[ChatMessage]:
        """All messages of the private chat in order, user's and bot's, deleted ones flagged."""
        with self._lock:
            chat = self._chats.get(chat_id)
            return list(chat.messages) if chat else []

    def sent_to(self, chat_id: int, include_deleted: bool = False) -> list[ChatMessage]:
        return [m for m in self.chat(chat_id) if m.from_bot and (include_deleted or not m.deleted)]

    def activity(self, chat_id: int) -> int:
        with self._lock:
            chat = self._chats.get(chat_id)
            return chat.activity if chat else 0

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

    def register_file(
        self, data: bytes, file_name: str | None, mime_type: str | None, folder: str = "documents"
    ) -> SentFile:
        """Store a file (e.g. one the user sends) so that getFile and downloads find it."""
        with self._lock:
            self._counter += 1
            n = self._counter
            sent = SentFile(f"BQACAgIAAxkBAAI{n:06d}", f"AgAD{n:06d}", file_name, mime_type, data)
            self._files[sent.file_id] = sent
            suffix = "." + file_name.rsplit(".", 1)[-1] if file_name and "." in file_name else ""
            self._paths[f"{folder}/file_{n}{suffix}"] = sent.file_id
            return sent

    def download(self, file_path: str) -> bytes | None:
        with self._lock:
            file_id = self._paths.get(file_path)
            sent = self._files.get(file_id) if file_id else None
            return sent.data if sent else None

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

    def _now(self) -> int:
        return int(self.clock())

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

    def _chat_for(self, user: dict[str, object]) -> _Chat:
        chat_id = int(str(user["id"]))
        if chat_id not in self._chats:
            info = {"id": chat_id, "type": "private", "first_name": user.get("first_name")}
            info.update({k: user[k] for k in ("last_name", "username") if user.get(k)})
            self._chats[chat_id] = _Chat(info)
        return self._chats[chat_id]

    def _chat(self, params: dict[str, Any]) -> _Chat:
        if "chat_id" not in params or params["chat_id"] == "":
            raise ApiError.bad_request("chat_id is empty")
        chat = self._chats.get(params["chat_id"]) if isinstance(params["chat_id"], int) else None
        if chat is None:
            raise ApiError.bad_request("chat not found")
        return chat

    @staticmethod
    def _next_message_id(chat: _Chat) -> int:
        chat.next_id += 1
        return chat.next_id - 1

    @staticmethod
    def _find(chat: _Chat, message_id: object) -> ChatMessage | None:
        return next(
            (m for m in chat.messages if m.message_id == message_id and not m.deleted), None
        )

    def _message_json(self, chat: _Chat, msg: ChatMessage, nested: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "message_id": msg.message_id,
            "date": msg.date,
            "chat": dict(chat.info),
            "from": self.bot_user if msg.from_bot else self._user_json(chat),
        }
        if not msg.from_bot:
            out.update(msg.extra)
        elif msg.kind == "text":
            out["text"] = msg.text
        if msg.from_bot and msg.entities:
            out["entities"] = msg.entities
        for kind in ("document", "photo"):
            sent = getattr(msg, kind)
            if msg.from_bot and sent is not None:
                out[kind] = self._file_json(sent, kind)
        if msg.from_bot and msg.caption:
            out["caption"] = msg.caption
            if msg.caption_entities:
                out["caption_entities"] = msg.caption_entities
        if msg.reply_markup is not None:
            out["reply_markup"] = msg.reply_markup
        if msg.edit_date is not None:
            out["edit_date"] = msg.edit_date
        replied = self._find(chat, msg.reply_to) if msg.reply_to and nested else None
        if replied is not None:
            out["reply_to_message"] = self._message_json(chat, replied, nested=False)
        return out

    def _user_json(self, chat: _Chat) -> dict[str, Any]:
        user = {"id": chat.info["id"], "is_bot": False, "first_name": chat.info["first_name"]}
        user.update({k: v for k, v in chat.info.items() if k in ("last_name", "username")})
        return user

    @staticmethod
    def _file_json(sent: SentFile, kind: str) -> Any:
        base = {
            "file_id": sent.file_id,
            "file_unique_id": sent.file_unique_id,
            "file_size": sent.size,
        }
        if kind == "photo":
            return [{**base, "width": 800, "height": 600}]
        extra = {"file_name": sent.file_name, "mime_type": sent.mime_type}
        return {**base, **{k: v for k, v in extra.items() if v}}

    def _bot_message(self, chat: _Chat, **fields: Any) -> dict[str, Any]:
        msg = ChatMessage(
            message_id=self._next_message_id(chat), from_bot=True, date=self._now(), **fields
        )
        chat.messages.append(msg)
        chat.activity += 1
        if self.on_activity is not None:
            self.on_activity(int(str(chat.info["id"])))
        return self._message_json(chat, msg)
