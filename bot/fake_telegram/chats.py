"""The chats and files the fake Bot API keeps, and how Telegram shows them as JSON.

``ChatStore`` is the record a real Telegram server holds for a bot: the private chats with every
message (the user's and the bot's, deleted ones flagged), the files sent either way, and the
Message/User/File JSON built from them. The controls tests use and the request dispatch build on
it in ``state.py``; the Bot API methods in ``telegram_api.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from bot.fake_telegram.models import ApiError, ChatMessage, SentFile


class Chat:
    """One private chat: its user's info and every message in it."""

    def __init__(self, info: dict[str, object]) -> None:
        self.info = info
        self.messages: list[ChatMessage] = []
        self.next_id = 1
        self.activity = 0  # bumped whenever the bot sends, edits or deletes something here


class ChatStore:
    """The bot's chats and files; every method takes the one lock (shared with ``ApiState``)."""

    def __init__(
        self,
        bot_id: int,
        username: str,
        first_name: str,
        token: str,
        clock: Callable[[], float],
    ) -> None:
        self.bot_id, self.username, self.first_name, self.token = (
            bot_id,
            username,
            first_name,
            token,
        )
        self.clock = clock
        self._lock = threading.RLock()
        self._chats: dict[int, Chat] = {}
        self._files: dict[str, SentFile] = {}
        self._paths: dict[str, str] = {}
        self._counter = 0
        # Called with the chat id whenever the bot sends or edits there (the bench's clock).
        self.on_activity: Callable[[int], None] | None = None

    @property
    def bot_user(self) -> dict[str, object]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

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

    def _now(self) -> int:
        return int(self.clock())

    def _chat_for(self, user: dict[str, object]) -> Chat:
        chat_id = int(str(user["id"]))
        if chat_id not in self._chats:
            info = {"id": chat_id, "type": "private", "first_name": user.get("first_name")}
            info.update({k: user[k] for k in ("last_name", "username") if user.get(k)})
            self._chats[chat_id] = Chat(info)
        return self._chats[chat_id]

    def _chat(self, params: dict[str, Any]) -> Chat:
        if "chat_id" not in params or params["chat_id"] == "":
            raise ApiError.bad_request("chat_id is empty")
        chat = self._chats.get(params["chat_id"]) if isinstance(params["chat_id"], int) else None
        if chat is None:
            raise ApiError.bad_request("chat not found")
        return chat

    @staticmethod
    def _next_message_id(chat: Chat) -> int:
        chat.next_id += 1
        return chat.next_id - 1

    @staticmethod
    def _find(chat: Chat, message_id: object) -> ChatMessage | None:
        return next(
            (m for m in chat.messages if m.message_id == message_id and not m.deleted), None
        )

    def _message_json(self, chat: Chat, msg: ChatMessage, nested: bool = True) -> dict[str, Any]:
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

    def _user_json(self, chat: Chat) -> dict[str, Any]:
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

    def _bot_message(self, chat: Chat, **fields: Any) -> dict[str, Any]:
        msg = ChatMessage(
            message_id=self._next_message_id(chat), from_bot=True, date=self._now(), **fields
        )
        chat.messages.append(msg)
        chat.activity += 1
        if self.on_activity is not None:
            self.on_activity(int(str(chat.info["id"])))
        return self._message_json(chat, msg)
