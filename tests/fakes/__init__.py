"""A strict fake of the Telegram Bot API for tests (no network to Telegram needed).

    api = FakeBotApi()
    app = (
        Application.builder().token(api.token)
        .request(FakeRequest(api)).get_updates_request(FakeRequest(api))
        .build()
    )
    await app.initialize()          # getMe; needed before process_update
    anna = FakeUser(api, app, 1001)
    await anna.send("/start")
    await anna.click("Weiter")
    assert "Danke" in anna.last.text

``FakeBotApiServer(api)`` serves the same fake over HTTP for a bot running in another process.
"""

from tests.fakes.html_entities import EntityParseError, parse_html, utf16_len
from tests.fakes.limits import FaultMode, TelegramLimits
from tests.fakes.models import ApiError, Button, Call, ChatMessage, SentFile
from tests.fakes.request import FakeRequest
from tests.fakes.server import FakeBotApiServer
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.user import FakeUser

__all__ = [
    "ApiError",
    "Button",
    "Call",
    "ChatMessage",
    "EntityParseError",
    "FakeBotApi",
    "FakeBotApiServer",
    "FakeRequest",
    "FakeUser",
    "FaultMode",
    "SentFile",
    "TelegramLimits",
    "parse_html",
    "utf16_len",
]
