"""Plain records the fake Bot API keeps, for assertions in tests."""

from __future__ import annotations

from dataclasses import dataclass, field


class ApiError(Exception):
    """A Bot API error reply: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self, description: str, error_code: int = 400, parameters: dict[str, object] | None = None
    ) -> None:
        super().__init__(description)
        self.description = description
        self.error_code = error_code
        self.parameters = parameters

    @classmethod
    def bad_request(cls, reason: str) -> ApiError:
        return cls(f"Bad Request: {reason}", 400)


@dataclass(frozen=True)
class Button:
    """One inline keyboard button as the bot sent it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass
class SentFile:
    """A document or photo in a chat: uploaded bytes, or a file_id / URL the bot reused."""

    file_id: str
    file_unique_id: str
    file_name: str | None = None
    mime_type: str | None = None
    data: bytes | None = None
    url: str | None = None

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else 0


@dataclass
class ChatMessage:
    """One message in a private chat, as the user would see it now."""

    message_id: int
    from_bot: bool
    date: int
    kind: str = "text"  # text, document, photo, sticker, voice, location
    text: str | None = None  # plain text after HTML parsing (None for media messages)
    html: str | None = None  # the text exactly as sent (with parse_mode markup)
    parse_mode: str | None = None
    entities: list[dict[str, object]] = field(default_factory=list)
    buttons: list[list[Button]] = field(default_factory=list)
    keyboard: list[list[str]] | None = None  # a reply keyboard shown with this message
    reply_markup: dict[str, object] | None = None  # as sent (inline keyboards only are kept)
    document: SentFile | None = None
    photo: SentFile | None = None
    caption: str | None = None  # plain caption after parsing
    caption_html: str | None = None
    caption_entities: list[dict[str, object]] = field(default_factory=list)
    reply_to: int | None = None
    extra: dict[str, object] = field(default_factory=dict)  # user-side sticker/voice/location
    edited: bool = False
    edit_date: int | None = None
    deleted: bool = False

    @property
    def button_labels(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]


@dataclass(frozen=True)
class Call:
    """One request the bot made, in order; ``at`` is ``time.monotonic()``."""

    method: str
    params: dict[str, object]
    at: float
    ok: bool
    error_code: int | None = None
    description: str | None = None

    @property
    def chat_id(self) -> object:
        return self.params.get("chat_id")


@dataclass
class Failure:
    """An error queued by ``FakeBotApi.fail_next``."""

    method: str
    error_code: int
    description: str
    parameters: dict[str, object] | None
    chat_id: int | None
    times: int
