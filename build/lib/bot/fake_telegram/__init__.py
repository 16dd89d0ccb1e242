"""A strict fake of the Telegram Bot API for the demo, the tests and the benchmarks (no network to
Telegram needed); shipped with the bot so an installed `agenda-bot demo` runs anywhere.

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

from bot.fake_telegram.html_entities import EntityParseError, parse_html, utf16_len
from bot.fake_telegram.limits import FaultMode, TelegramLimits
from bot.fake_telegram.models import ApiError, Button, Call, ChatMessage, SentFile
from bot.fake_telegram.request import FakeRequest
from bot.fake_telegram.server import FakeBotApiServer
from bot.fake_telegram.telegram_api import FakeBotApi
from bot.fake_telegram.user import FakeUser

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
