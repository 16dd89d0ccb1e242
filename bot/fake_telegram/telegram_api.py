"""A strict, in-memory fake of the Telegram Bot API, independent of the transport.

``FakeBotApi.handle(method, params, files)`` answers exactly like ``api.telegram.org`` would:
``(http_status, b'{"ok": true, "result": ...}')`` or ``{"ok": false, "error_code": 400,
"description": "Bad Request: ..."}``. Unknown methods get 404 ``Not Found``. Each Bot API method
is a ``_m_<methodName>`` below; test controls and dispatch live in ``state.py``, the chats and
files in ``chats.py``.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from bot.fake_telegram import checks
from bot.fake_telegram.chats import Chat
from bot.fake_telegram.models import ApiError, ChatMessage, SentFile
from bot.fake_telegram.state import (
    _NOT_MODIFIED,
    _QUERY_INVALID,
    MAX_PHOTO,
    MAX_UPLOAD,
    ApiState,
)

__all__ = ["FakeBotApi"]

P = dict[str, Any]


class FakeBotApi(ApiState):
    """The fake Telegram server; see ``ApiState`` for the controls tests use."""

    # ------------------------------------------------------------------ bot and updates
    def _m_getMe(self, p: P, files: P, wait: bool) -> object:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_close(self, p: P, files: P, wait: bool) -> object:
        return True

    def _m_logOut(self, p: P, files: P, wait: bool) -> object:
        return True

    def _m_deleteWebhook(self, p: P, files: P, wait: bool) -> object:
        if p.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {}
        return True

    def _m_setWebhook(self, p: P, files: P, wait: bool) -> object:
        url = str(p.get("url", ""))
        if not url.startswith("https://"):
            raise ApiError.bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = str(p.get("secret_token", ""))
        if secret and not checks.SECRET_TOKEN.fullmatch(secret):
            raise ApiError.bad_request("bad webhook: secret token contains unallowed characters")
        if p.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {"url": url, "secret_token": secret}
        return True

    def _m_getWebhookInfo(self, p: P, files: P, wait: bool) -> object:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _m_getUpdates(self, p: P, files: P, wait: bool) -> object:
        offset, limit, timeout = p.get("offset", 0), p.get("limit", 100), p.get("timeout", 0)
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            limit = 100
        self._confirm(offset)
        if wait and not self._updates and isinstance(timeout, int) and timeout > 0:
            self._cond.wait_for(lambda: bool(self._updates), timeout)
            self._confirm(offset)
        return self._updates[:limit]

    # ------------------------------------------------------------------ commands
    def _m_setMyCommands(self, p: P, files: P, wait: bool) -> object:
        commands = checks.check_commands(p.get("commands"))
        key = checks.scope_key(p.get("scope"), p.get("language_code"))
        self._check_scope_chat(p.get("scope"))
        self._commands[key] = commands
        return True

    def _m_getMyCommands(self, p: P, files: P, wait: bool) -> object:
        return self._commands.get(checks.scope_key(p.get("scope"), p.get("language_code")), [])

    def _m_deleteMyCommands(self, p: P, files: P, wait: bool) -> object:
        self._commands.pop(checks.scope_key(p.get("scope"), p.get("language_code")), None)
        return True

    def _check_scope_chat(self, scope: object) -> None:
        if isinstance(scope, dict) and "chat_id" in scope:
            chat_id = scope["chat_id"]
            if not isinstance(chat_id, int) or chat_id not in self._chats:
                raise ApiError.bad_request("chat not found")

    # ------------------------------------------------------------------ messages
    def _text(self, p: P) -> tuple[str, list[dict[str, object]]]:
        if p.get("parse_mode") is None and "entities" in p:
            plain = str(p.get("text", "")).strip()
            if not plain:
                raise ApiError.bad_request("message text is empty")
            entities = p["entities"] if isinstance(p["entities"], list) else []
        else:
            plain, entities = checks.formatted(
                p.get("text"),
                p.get("parse_mode"),
                empty_error="message text is empty",
                lint=self.html_lint,
            )
        checks.check_text_length(plain, 4096, "message is too long")
        return plain, entities

    def _markup(self, p: P) -> tuple[list[list[Any]], list[list[str]] | None, Any]:
        buttons, keyboard = checks.check_reply_markup(p.get("reply_markup"))
        inline = p["reply_markup"] if buttons else None
        return buttons, keyboard, inline

    def _reply_to(self, chat: Chat, p: P) -> int | None:
        reply = p.get("reply_parameters")
        target = reply.get("message_id") if isinstance(reply, dict) else None
        target = target or p.get("reply_to_message_id")
        if target is None:
            return None
        allow = p.get("allow_sending_without_reply") or (
            isinstance(reply, dict) and reply.get("allow_sending_without_reply")
        )
        if self._find(chat, target) is None:
            if allow:
                return None
            raise ApiError.bad_request("message to be replied not found")
        return int(target)

    def _m_sendMessage(self, p: P, files: P, wait: bool) -> object:
        chat = self._chat(p)
        plain, entities = self._text(p)
        buttons, keyboard, inline = self._markup(p)
        return self._bot_message(
            chat,
            text=plain,
            html=p.get("text"),
            parse_mode=p.get("parse_mode"),
            entities=entities,
            buttons=buttons,
            keyboard=keyboard,
            reply_markup=inline,
            reply_to=self._reply_to(chat, p),
        )

    def _editable(self, p: P) -> tuple[Chat, ChatMessage]:
        if "inline_message_id" in p:
            raise ApiError.bad_request("MESSAGE_ID_INVALID")  # no inline mode in this fake
        chat = self._chat(p)
        msg = self._find(chat, p.get("message_id"))
        if msg is None:
            raise ApiError.bad_request("message to edit not found")
        if not msg.from_bot:
            raise ApiError.bad_request("message can't be edited")
        return chat, msg

    def _edit_markup(self, p: P) -> tuple[list[list[Any]], Any]:
        buttons, keyboard, inline = self._markup(p)
        markup = p.get("reply_markup")
        if keyboard is not None or (isinstance(markup, dict) and "inline_keyboard" not in markup):
            raise ApiError.bad_request("inline keyboard expected")  # wording unverified
        return buttons, inline

    def _edited(self, chat: Chat, msg: ChatMessage) -> object:
        msg.edited, msg.edit_date = True, self._now()
        chat.activity += 1
        if self.on_activity is not None:
            self.on_activity(int(str(chat.info["id"])))
        return self._message_json(chat, msg)

    def _m_editMessageText(self, p: P, files: P, wait: bool) -> object:
        chat, msg = self._editable(p)
        if msg.kind != "text":
            raise ApiError.bad_request("there is no text in the message to edit")
        plain, entities = self._text(p)
        buttons, inline = self._edit_markup(p)
        if (plain, entities, inline) == (msg.text, msg.entities, msg.reply_markup):
            raise ApiError.bad_request(_NOT_MODIFIED)
        msg.text, msg.html, msg.entities = plain, p.get("text"), entities
        msg.parse_mode, msg.buttons, msg.reply_markup = p.get("parse_mode"), buttons, inline
        return self._edited(chat, msg)

    def _m_editMessageReplyMarkup(self, p: P, files: P, wait: bool) -> object:
        chat, msg = self._editable(p)
        buttons, inline = self._edit_markup(p)
        if inline == msg.reply_markup:
            raise ApiError.bad_request(_NOT_MODIFIED)
        msg.buttons, msg.reply_markup = buttons, inline
        return self._edited(chat, msg)

    def _m_deleteMessage(self, p: P, files: P, wait: bool) -> object:
        chat = self._chat(p)
        msg = self._find(chat, p.get("message_id"))
        if msg is None:
            raise ApiError.bad_request("message to delete not found")
        msg.deleted = True
        chat.activity += 1
        return True

    def _m_answerCallbackQuery(self, p: P, files: P, wait: bool) -> object:
        entry = self._callbacks.get(str(p.get("callback_query_id", "")))
        if entry is None or entry["answered"]:
            raise ApiError.bad_request(_QUERY_INVALID)
        text = p.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise ApiError.bad_request("MESSAGE_TOO_LONG")  # wording not verified
        entry["answered"] = True
        entry["answer"] = {k: p[k] for k in ("text", "show_alert", "url", "cache_time") if k in p}
        return True

    def _m_sendChatAction(self, p: P, files: P, wait: bool) -> object:
        self._chat(p)
        if p.get("action") not in checks.CHAT_ACTIONS:
            raise ApiError.bad_request("wrong parameter action in request")
        return True

    # ------------------------------------------------------------------ files
    def _caption(self, p: P) -> tuple[str | None, list[dict[str, object]]]:
        if not p.get("caption"):
            return None, []
        if p.get("parse_mode") is None and "caption_entities" in p:
            plain = str(p["caption"]).strip()
            entities = p["caption_entities"] if isinstance(p["caption_entities"], list) else []
        else:
            plain, entities = checks.formatted(
                p["caption"],
                p.get("parse_mode"),
                empty_error="message caption is empty",
                lint=self.html_lint,
            )
        checks.check_text_length(plain, 1024, "message caption is too long")
        return plain, entities

    def _input_file(self, p: P, files: P, kind: str) -> SentFile:
        """The file a send names: an upload (attached or inline), a known file_id or a URL."""
        value = p.get(kind)
        upload = _upload(value, files, kind)
        if upload is not None:
            name, data = upload[0], upload[1]
            data = data.read() if hasattr(data, "read") else bytes(data)
            _check_upload(data, kind)
            mime = mimetypes.guess_type(name or "")[0]
            return self.register_file(
                data, name, mime, "photos" if kind == "photo" else "documents"
            )
        assert isinstance(value, str)
        if value in self._files:
            return self._files[value]
        if value.startswith(("http://", "https://")):
            sent = self.register_file(b"", value.rsplit("/", 1)[-1], None)
            sent.url, sent.data = value, None
            return sent
        raise ApiError.bad_request("wrong file identifier/HTTP URL specified")

    def _send_file(self, p: P, files: P, kind: str) -> object:
        chat = self._chat(p)
        caption, entities = self._caption(p)
        sent = self._input_file(p, files, kind)
        buttons, keyboard, inline = self._markup(p)
        return self._bot_message(
            chat,
            kind=kind,
            caption=caption,
            caption_html=p.get("caption"),
            caption_entities=entities,
            parse_mode=p.get("parse_mode"),
            buttons=buttons,
            keyboard=keyboard,
            reply_markup=inline,
            reply_to=self._reply_to(chat, p),
            **{kind: sent},
        )

    def _m_sendDocument(self, p: P, files: P, wait: bool) -> object:
        return self._send_file(p, files, "document")

    def _m_sendPhoto(self, p: P, files: P, wait: bool) -> object:
        return self._send_file(p, files, "photo")

    def _m_getFile(self, p: P, files: P, wait: bool) -> object:
        sent = self._files.get(str(p.get("file_id", "")))
        path = next((k for k, v in self._paths.items() if sent and v == sent.file_id), None)
        if sent is None or path is None or sent.data is None:
            raise ApiError.bad_request("invalid file_id")
        return {
            "file_id": sent.file_id,
            "file_unique_id": sent.file_unique_id,
            "file_size": sent.size,
            "file_path": path,
        }


def _upload(value: object, files: P, kind: str) -> Any:
    """The uploaded (name, data) the parameter stands for; None when it names a file_id or URL."""
    if isinstance(value, str) and value.startswith("attach://"):
        upload = files.get(value.removeprefix("attach://"))
        if upload is None:
            raise ApiError.bad_request(f"can't find attached file {value}")  # unverified
        return upload
    if value is None:
        upload = files.get(kind)
        if upload is None:
            raise ApiError.bad_request(f"there is no {kind} in the request")
        return upload
    return None


def _check_upload(data: bytes, kind: str) -> None:
    """Telegram's limits on an uploaded file: size, not empty, a photo that is an image."""
    if len(data) > MAX_UPLOAD:
        raise ApiError("Request Entity Too Large", 413)
    if not data:
        raise ApiError.bad_request("file must be non-empty")
    if kind == "photo":
        if len(data) > MAX_PHOTO:
            raise ApiError.bad_request("PHOTO_INVALID_DIMENSIONS")  # wording unverified
        if not checks.looks_like_image(data):
            raise ApiError.bad_request("IMAGE_PROCESS_FAILED")
