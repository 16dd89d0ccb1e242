"""Parameter decoding and the strict checks the fake Bot API applies, with Telegram's wording."""

from __future__ import annotations

import json
import re

from bot.fake_telegram.html_entities import EntityParseError, parse_html, utf16_len
from bot.fake_telegram.models import ApiError, Button

# Parameters are typed by name, as the Bot API does: over HTTP every value is a string.
INT_PARAMS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "reply_to_message_id",
        "message_thread_id",
        "user_id",
        "from_chat_id",
        "duration",
        "width",
        "height",
        "max_connections",
    }
)
BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "scope",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "media",
    }
)

PARSE_MODES = ("HTML", "MarkdownV2", "Markdown")
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # setWebhook's secret_token
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "web_app",
    "pay",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "copy_text",
)
SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_URL_RE = re.compile(r"(https?|tg)://\S+", re.IGNORECASE)


def normalise(params: dict[str, object]) -> dict[str, object]:
    """Decode form values (JSON-encoded strings) and already-decoded values alike."""
    out: dict[str, object] = {}
    for name, value in params.items():
        if value is None:
            continue
        if name in JSON_PARAMS and isinstance(value, str | bytes):
            try:
                value = json.loads(value)
            except ValueError:
                if name == "reply_markup":
                    raise ApiError.bad_request(
                        "can't parse reply keyboard markup JSON object"
                    ) from None
                raise ApiError.bad_request(f"can't parse {name} JSON object") from None
        elif name in INT_PARAMS and isinstance(value, str):
            stripped = value.strip()
            if re.fullmatch(r"-?\d+", stripped):
                value = int(stripped)
            elif name != "chat_id":
                raise ApiError.bad_request(f"invalid {name} specified")
        elif name in BOOL_PARAMS and isinstance(value, str):
            value = value.strip().lower() in ("true", "1")
        out[name] = value
    return out


def formatted(
    text: object, parse_mode: object, *, empty_error: str, lint: bool
) -> tuple[str, list[dict[str, object]]]:
    """Parse ``text`` in ``parse_mode``; return (plain text, entities)."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if parse_mode is not None and parse_mode not in PARSE_MODES:
        raise ApiError.bad_request("unsupported parse_mode")
    if parse_mode == "HTML":
        try:
            plain, entities = parse_html(text, strict_ampersand=lint, require_href=lint)
        except EntityParseError as exc:
            raise ApiError.bad_request(f"can't parse entities: {exc}") from None
    else:
        plain, entities = text.strip(), []
    if not plain:
        raise ApiError.bad_request(empty_error)
    return plain, entities


def check_text_length(plain: str, limit: int, error: str) -> None:
    if utf16_len(plain) > limit:
        raise ApiError.bad_request(error)


def _check_button(button: object) -> Button:
    if not isinstance(button, dict):
        raise ApiError.bad_request("can't parse inline keyboard button: Object expected")
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ApiError.bad_request("BUTTON_TEXT_INVALID")  # wording not verified
    actions = [key for key in BUTTON_ACTIONS if key in button]
    if not actions:
        raise ApiError.bad_request("text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise ApiError.bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    data = button.get("callback_data")
    if "callback_data" in button and (
        not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64
    ):
        raise ApiError.bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if "url" in button and (not isinstance(url, str) or not _URL_RE.fullmatch(url)):
        raise ApiError.bad_request("BUTTON_URL_INVALID")
    return Button(text=text, callback_data=data, url=url)


def check_reply_markup(
    markup: object,
) -> tuple[list[list[Button]], list[list[str]] | None]:
    """Validate reply_markup; return (inline buttons, reply keyboard labels or None)."""
    if markup is None:
        return [], None
    if not isinstance(markup, dict):
        raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        return _inline_keyboard(markup["inline_keyboard"]), None
    if "keyboard" in markup:
        return [], _reply_keyboard(markup["keyboard"])
    if markup.get("remove_keyboard") is True:
        return [], []
    if markup.get("force_reply") is True:
        return [], None
    raise ApiError.bad_request("can't parse reply keyboard markup JSON object")


def _inline_keyboard(rows: object) -> list[list[Button]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError.bad_request("can't parse inline keyboard: array of arrays expected")
    if sum(len(row) for row in rows) > 100:
        raise ApiError.bad_request("REPLY_MARKUP_TOO_LONG")
    return [[_check_button(b) for b in row] for row in rows if row]


def _reply_keyboard(rows: object) -> list[list[str]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError.bad_request("can't parse keyboard: array of arrays expected")
    labels = [[_keyboard_label(button) for button in row] for row in rows]
    if sum(len(row) for row in labels) == 0:
        raise ApiError.bad_request("keyboard must be non-empty")
    return labels


def _keyboard_label(button: object) -> str:
    label = button.get("text") if isinstance(button, dict) else button
    if not isinstance(label, str) or not label:
        raise ApiError.bad_request("keyboard button text is empty")
    return label


def check_commands(commands: object) -> list[dict[str, str]]:
    if not isinstance(commands, list):
        raise ApiError.bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise ApiError.bad_request("BOT_COMMANDS_TOO_MUCH")
    out: list[dict[str, str]] = []
    for item in commands:
        if not isinstance(item, dict):
            raise ApiError.bad_request("can't parse BotCommand")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not _COMMAND_RE.fullmatch(command):
            raise ApiError.bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise ApiError.bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        out.append({"command": command, "description": description})
    return out


def scope_key(scope: object, language_code: object) -> str:
    if scope is None:
        scope = {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in SCOPES:
        raise ApiError.bad_request("can't parse BotCommandScope JSON object")
    if language_code not in (None, "") and not (
        isinstance(language_code, str) and re.fullmatch(r"[a-z]{2}", language_code)
    ):
        raise ApiError.bad_request("invalid language code specified")
    return json.dumps([scope, language_code or ""], sort_keys=True)


IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"RIFF", b"BM")


def looks_like_image(data: bytes) -> bool:
    return data.startswith(IMAGE_MAGIC)
