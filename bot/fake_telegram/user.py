"""A Telegram user who talks to the bot: builds updates in Telegram's wire shape.

In-process (default) every update goes through ``await app.process_update(update)``, so when a
``send``/``click`` returns, the bot's handlers have run. With ``via_polling=True`` updates are
queued for getUpdates instead (the bot runs elsewhere and polls); then use ``wait_for_reply``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.fake_telegram.html_entities import utf16_len
from bot.fake_telegram.models import Button, ChatMessage
from bot.fake_telegram.telegram_api import FakeBotApi

_TINY_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


class FakeUser:
    """A private-chat user; ``user_id`` is also the chat id."""

    def __init__(
        self,
        api: FakeBotApi,
        app: Application[Any, Any, Any, Any, Any, Any] | None,
        user_id: int,
        first_name: str = "Anna",
        language_code: str = "de",
        username: str | None = None,
        *,
        last_name: str | None = None,
        via_polling: bool = False,
    ) -> None:
        if app is None and not via_polling:
            raise ValueError("FakeUser needs the Application unless via_polling=True")
        self.api, self.app, self.id = api, app, user_id
        self.first_name, self.language_code = first_name, language_code
        self.username, self.last_name, self.via_polling = username, last_name, via_polling
        self._mark = 0

    @property
    def user_json(self) -> dict[str, object]:
        user: dict[str, object] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        extra = {
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
        }
        user.update({k: v for k, v in extra.items() if v})
        return user

    # ------------------------------------------------------------------ sending
    async def _deliver(self, update: dict[str, Any]) -> None:
        update = {"update_id": self.api.next_update_id(), **update}
        if self.via_polling:
            self.api.push_update(update)
            return
        assert self.app is not None
        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def _message(self, content: dict[str, Any]) -> int:
        message = self.api.receive(self.user_json, content)
        self._mark = self.api.activity(self.id)
        await self._deliver({"message": message})
        return int(message["message_id"])

    @staticmethod
    def _text(text: str) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        return content

    async def send(self, text: str) -> int:
        """Send a text message (a leading ``/command`` gets a bot_command entity)."""
        return await self._message(self._text(text))

    async def reply_to(self, message_id: int, text: str) -> int:
        """Reply to ``message_id`` (usually a bot message) with text."""
        return await self._message({**self._text(text), "reply_to_message_id": message_id})

    async def send_photo(self, caption: str | None = None) -> int:
        sizes = []
        for width, height in ((90, 68), (1280, 960)):
            sent = self.api.register_file(_TINY_JPEG, None, "image/jpeg", "photos")
            sizes.append(
                {
                    "file_id": sent.file_id,
                    "file_unique_id": sent.file_unique_id,
                    "file_size": sent.size,
                    "width": width,
                    "height": height,
                }
            )
        content: dict[str, Any] = {"photo": sizes}
        if caption:
            content["caption"] = caption
        return await self._message(content)

    async def send_document(self, name: str, data: bytes, mime_type: str | None = None) -> int:
        sent = self.api.register_file(data, name, mime_type or "application/octet-stream")
        doc = {
            "file_id": sent.file_id,
            "file_unique_id": sent.file_unique_id,
            "file_name": name,
            "mime_type": sent.mime_type,
            "file_size": sent.size,
        }
        return await self._message({"document": doc})

    async def send_sticker(self) -> int:
        return await self._message(
            {
                "sticker": {
                    "file_id": "CAACAgIAAxkBAAIBsticker",
                    "file_unique_id": "AgADsticker",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                    "emoji": "👍",
                }
            }
        )

    async def send_voice(self) -> int:
        return await self._message(
            {
                "voice": {
                    "file_id": "AwACAgIAAxkBAAIBvoice",
                    "file_unique_id": "AgADvoice",
                    "duration": 3,
                    "mime_type": "audio/ogg",
                    "file_size": 4096,
                }
            }
        )

    async def send_location(self, lat: float = 53.43, lon: float = 11.19) -> int:
        return await self._message({"location": {"latitude": lat, "longitude": lon}})

    # ------------------------------------------------------------------ buttons
    def _visible(self) -> list[ChatMessage]:
        return self.api.sent_to(self.id)

    def _describe_buttons(self) -> str:
        lines = [
            f"  message {m.message_id}: {m.button_labels}"
            for m in reversed(self._visible())
            if m.buttons
        ]
        return "\n".join(lines[:5]) or "  (no message with inline buttons)"

    def _message_by_id(self, message_id: int) -> ChatMessage:
        for msg in self._visible():
            if msg.message_id == message_id:
                return msg
        raise AssertionError(f"no visible bot message {message_id} in chat {self.id}")

    def _find_button(self, label: str, message_id: int | None) -> tuple[ChatMessage, Button]:
        pool = [self._message_by_id(message_id)] if message_id else self._visible()[::-1]
        for exact in (True, False):
            for msg in pool:
                found = [
                    b
                    for row in msg.buttons
                    for b in row
                    if (b.text == label if exact else label in b.text)
                ]
                if len(found) > 1 and not exact:
                    raise AssertionError(
                        f"{label!r} matches several buttons {[b.text for b in found]} "
                        f"in message {msg.message_id}"
                    )
                if found:
                    return msg, found[0]
        raise AssertionError(
            f"no button {label!r} for user {self.id}; visible buttons:\n{self._describe_buttons()}"
        )

    async def click(self, label: str, message_id: int | None = None) -> str | None:
        """Press an inline button; return the text of the bot's answerCallbackQuery (or None)."""
        msg, button = self._find_button(label, message_id)
        if button.callback_data is None:
            raise AssertionError(f"button {button.text!r} is not a callback button: {button}")
        return await self._press(msg, button.callback_data)

    async def click_data(self, data: str, message_id: int | None = None) -> str | None:
        """Send arbitrary (possibly forged) callback data from a bot message."""
        if message_id is not None:
            msg = self._message_by_id(message_id)
        else:
            with_buttons = [m for m in self._visible() if m.buttons] or self._visible()
            if not with_buttons:
                raise AssertionError(f"the bot has sent no message to {self.id}")
            msg = with_buttons[-1]
        return await self._press(msg, data)

    async def _press(self, msg: ChatMessage, data: str) -> str | None:
        query = self.api.issue_callback_query(self.user_json, msg.message_id, data)
        self._mark = self.api.activity(self.id)
        await self._deliver({"callback_query": query})
        if self.via_polling:
            return None
        answer = self.api.callback_answer(query["id"])
        if answer is None:
            raise AssertionError(
                f"the bot never answered the callback query for {data!r} on message "
                f"{msg.message_id}; Telegram would show a spinner"
            )
        text = answer.get("text")
        return str(text) if text is not None else None

    # ------------------------------------------------------------------ reading
    @property
    def messages(self) -> list[ChatMessage]:
        """The bot's messages to this user that are not deleted, oldest first."""
        return self._visible()

    @property
    def last(self) -> ChatMessage:
        visible = self._visible()
        if not visible:
            raise AssertionError(f"the bot has sent nothing to user {self.id}")
        return visible[-1]

    @property
    def activity(self) -> int:
        """A counter of the bot's sends, edits and deletes in this chat (for ``after=``)."""
        return self.api.activity(self.id)

    def buttons(self, message_id: int | None = None) -> list[str]:
        if message_id is not None:
            return self._message_by_id(message_id).button_labels
        with_buttons = [m for m in self._visible() if m.buttons]
        return with_buttons[-1].button_labels if with_buttons else []

    async def wait_for_reply(
        self,
        timeout: float = 10,  # noqa: ASYNC109 - the brief's API; a plain deadline
        after: int | None = None,
    ) -> ChatMessage:
        """Wait until the bot sent, edited or deleted something since ``after`` (an
        ``activity`` value; default: the moment of the last send/click)."""
        target = self._mark if after is None else after
        deadline = time.monotonic() + timeout
        while self.api.activity(self.id) <= target:
            if time.monotonic() > deadline:
                raise AssertionError(f"no reply from the bot to user {self.id} in {timeout}s")
            await asyncio.sleep(0.02)
        return self.last
