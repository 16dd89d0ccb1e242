"""The fake Bot API is strict: it rejects what Telegram rejects, through PTB's real Bot."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
from collections.abc import AsyncIterator
from typing import Any, TypeAlias

import pytest
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    JobQueue,
    MessageHandler,
    filters,
)

from bot.fake_telegram import FakeBotApi, FakeBotApiServer, FakeRequest, FakeUser, parse_html

CHAT = 1001
# What Application.builder().build() makes: PTB's default context, plain dicts for the data.
DefaultApp: TypeAlias = Application[
    ExtBot[None],
    ContextTypes.DEFAULT_TYPE,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[ContextTypes.DEFAULT_TYPE],
]


@pytest.fixture
def api() -> FakeBotApi:
    api = FakeBotApi()
    api.add_chat(CHAT, "Anna")
    return api


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[ExtBot[None]]:
    bot: ExtBot[None] = ExtBot(
        api.token, request=FakeRequest(api), get_updates_request=FakeRequest(api)
    )
    async with bot:
        yield bot


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(d[:10] or "x", callback_data=d)] for d in data]
    )


async def test_get_me_looks_like_telegram(bot: ExtBot[None]) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.username == "hagenow_agenda_bot" and me.can_join_groups


async def test_unescaped_less_than_is_rejected(bot: ExtBot[None]) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(CHAT, "Umsatz < 10 %", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)Can't find end tag"):
        await bot.send_message(CHAT, "<b>fett", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r'(?i)Unsupported start tag "br"'):
        await bot.send_message(CHAT, "a<br>b", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(CHAT, "Tourismus & Mobilität", parse_mode="HTML")
    ok = await bot.send_message(CHAT, "Umsatz &lt; 10 % &amp; <b>mehr</b>", parse_mode="HTML")
    assert ok.text == "Umsatz < 10 % & mehr"
    assert ok.entities[0].type == "bold" and ok.entities[0].offset == 16


async def test_without_parse_mode_anything_goes(bot: ExtBot[None]) -> None:
    msg = await bot.send_message(CHAT, "a < b & <i>")
    assert msg.text == "a < b & <i>"


async def test_length_is_counted_after_entity_parsing(bot: ExtBot[None]) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(CHAT, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(CHAT, "😀" * 2049)  # 4098 UTF-16 code units
    text = "&amp;" + "<b>" + "x" * 4095 + "</b>"
    msg = await bot.send_message(CHAT, text, parse_mode="HTML")
    assert msg.text is not None and len(msg.text) == 4096
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(CHAT, "<b> </b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)unsupported parse_mode"):
        await bot.send_message(CHAT, "hi", parse_mode="html5")


async def test_callback_data_is_limited_to_64_bytes(bot: ExtBot[None]) -> None:
    await bot.send_message(CHAT, "ok", reply_markup=keyboard("a" * 64))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "zu lang", reply_markup=keyboard("a" * 65))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "33 Umlaute", reply_markup=keyboard("ä" * 33))


async def test_unknown_method_and_unknown_chat(bot: ExtBot[None]) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "hallo")


async def test_editing_with_identical_content_is_rejected(bot: ExtBot[None]) -> None:
    msg = await bot.send_message(
        CHAT, "<b>Frage 1</b>", parse_mode="HTML", reply_markup=keyboard("q1")
    )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "<b>Frage 1</b>", CHAT, msg.message_id, parse_mode="HTML", reply_markup=keyboard("q1")
        )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(CHAT, msg.message_id, reply_markup=keyboard("q1"))
    edited = await bot.edit_message_text("Frage 1 beantwortet", CHAT, msg.message_id)
    assert isinstance(edited, Message)
    assert edited.edit_date is not None and edited.reply_markup is None  # keyboard dropped
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", CHAT, 9999)


async def test_callback_query_can_be_answered_once(api: FakeBotApi, bot: ExtBot[None]) -> None:
    msg = await bot.send_message(CHAT, "Weiter?", reply_markup=keyboard("next"))
    query = api.issue_callback_query({"id": CHAT, "first_name": "Anna"}, msg.message_id, "next")
    await bot.answer_callback_query(query["id"], text="Gespeichert")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query["id"])
    with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):
        await bot.answer_callback_query("12345")


async def test_rate_limit_hook_raises_retry_after(
    api: FakeBotApi, bot: ExtBot[None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # else PTB warns on .retry_after (an error here)
    api.fail_next("sendMessage", 429, parameters={"retry_after": 3}, chat_id=CHAT)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(CHAT, "eins")
    assert info.value.retry_after == dtm.timedelta(seconds=3)
    await bot.send_message(CHAT, "zwei")  # only the next call failed
    assert [c.ok for c in api.calls_of("sendMessage")] == [False, True]


async def test_blocked_chat_raises_forbidden(api: FakeBotApi, bot: ExtBot[None]) -> None:
    api.block(CHAT)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(CHAT, "Erinnerung")
    api.fail_next("sendChatAction", 403)
    api.unblock(CHAT)
    with pytest.raises(Forbidden):
        await bot.send_chat_action(CHAT, "typing")


async def test_dates_are_seconds_and_ids_increase(api: FakeBotApi, bot: ExtBot[None]) -> None:
    first = await bot.send_message(CHAT, "eins")
    second = await bot.send_message(CHAT, "zwei")
    assert second.message_id == first.message_id + 1
    assert abs(first.date.timestamp() - time.time()) < 5
    raw = api.chat(CHAT)[-1].date
    assert isinstance(raw, int) and raw < 10**10
    assert first.chat.type == "private" and first.from_user is not None
    assert first.from_user.id == api.bot_id


async def test_set_my_commands_is_validated(api: FakeBotApi, bot: ExtBot[None]) -> None:
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Hilfe", "Hilfe anzeigen")])
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_DESCRIPTION_INVALID"):
        await bot.set_my_commands([BotCommand("hilfe", "x" * 257)])
    await bot.set_my_commands([BotCommand("hilfe", "Hilfe anzeigen")], language_code="de")
    assert [c.command for c in await bot.get_my_commands(language_code="de")] == ["hilfe"]
    assert await bot.get_my_commands() == ()


async def test_documents_and_captions(api: FakeBotApi, bot: ExtBot[None]) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_document(CHAT, b"%PDF-1.4", filename="pack.pdf", caption="x" * 1025)
    msg = await bot.send_document(
        CHAT, b"%PDF-1.4", filename="pack.pdf", caption="<i>Pack</i>", parse_mode="HTML"
    )
    assert msg.document is not None and msg.document.file_name == "pack.pdf"
    stored = api.sent_to(CHAT)[-1]
    assert stored.document is not None and stored.document.data == b"%PDF-1.4"
    assert stored.caption == "Pack"
    again = await bot.send_document(CHAT, msg.document.file_id)
    assert again.document is not None and again.document.file_id == msg.document.file_id
    with pytest.raises(BadRequest, match=r"(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(CHAT, b"not an image")


def test_html_parser_offsets_are_utf16() -> None:
    text, entities = parse_html(
        '😀 <a href="https://x.de">Link</a> <pre><code class="language-py">x</code></pre>'
    )
    assert text == "😀 Link x"
    assert entities == [
        {"type": "text_link", "offset": 3, "length": 4, "url": "https://x.de"},
        {"type": "pre", "offset": 8, "length": 1, "language": "py"},
    ]
    with pytest.raises(ValueError, match="Unmatched end tag"):
        parse_html("<b><i>x</b></i>")


def build_app(api: FakeBotApi) -> DefaultApp:
    return (
        Application.builder()
        .token(api.token)
        .request(FakeRequest(api))
        .get_updates_request(FakeRequest(api))
        .build()
    )


async def test_fake_user_drives_the_real_application(api: FakeBotApi) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        payload = " ".join(context.args or [])
        await update.message.reply_html(
            f"Hallo <b>{update.message.chat.first_name}</b> {payload}",
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton("Ja, weiter", callback_data="yes"),
                        InlineKeyboardButton("Stumm", callback_data="mute"),
                    ]
                ]
            ),
        )

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        if query.data == "yes":
            await query.answer("Gespeichert")
            await query.edit_message_text("Danke!")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        replied = update.message.reply_to_message
        await update.message.reply_text(f"reply to {replied.message_id if replied else None}")

    app = build_app(api)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with app:
        anna = FakeUser(api, app, 2002, "Anna")
        await anna.send("/start TOKEN42")
        assert anna.last.text == "Hallo Anna TOKEN42"
        assert anna.buttons() == ["Ja, weiter", "Stumm"]
        with pytest.raises(AssertionError, match="Ja, weiter"):
            await anna.click("Nein")
        with pytest.raises(AssertionError, match="never answered"):
            await anna.click("Stumm")
        assert await anna.click("weiter") == "Gespeichert"
        assert anna.last.text == "Danke!" and anna.last.edited and anna.last.buttons == []
        await anna.reply_to(anna.last.message_id, "gut")
        assert anna.last.text == f"reply to {anna.messages[0].message_id}"
        assert [m.from_bot for m in api.chat(2002)] == [False, True, False, True]


async def test_over_http_send_and_long_poll() -> None:
    api = FakeBotApi()
    api.add_chat(CHAT)
    with FakeBotApiServer(api) as server:
        bot: ExtBot[None] = ExtBot(
            api.token, base_url=server.base_url, base_file_url=server.base_file_url
        )
        async with bot:
            msg = await bot.send_message(
                CHAT, "<b>über HTTP</b>", parse_mode="HTML", reply_markup=keyboard("a")
            )
            assert (
                msg.text == "über HTTP" and api.sent_to(CHAT)[-1].buttons[0][0].callback_data == "a"
            )
            with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
                await bot.send_message(CHAT, "1 < 2", parse_mode="HTML")
            doc = await bot.send_document(CHAT, b"data;1", filename="export.csv")
            assert doc.document is not None
            file = await bot.get_file(doc.document.file_id)
            assert await file.download_as_bytearray() == bytearray(b"data;1")

            async def push_later() -> None:
                await asyncio.sleep(0.3)
                chat = {"id": CHAT, "type": "private", "first_name": "Anna"}
                message = {
                    "message_id": 99,
                    "date": int(time.time()),
                    "chat": chat,
                    "text": "hallo",
                }
                api.push_update({"message": message})

            started = time.monotonic()
            pusher = asyncio.create_task(push_later())
            updates = await bot.get_updates(timeout=5)
            await pusher
            assert time.monotonic() - started >= 0.25
            assert [u.message.text for u in updates if u.message] == ["hallo"]
            assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
        wrong: ExtBot[None] = ExtBot("999:WRONG", base_url=server.base_url)
        with pytest.raises(InvalidToken):
            await wrong.get_me()


async def test_polling_in_process_with_via_polling_user(api: FakeBotApi) -> None:
    async def hello(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"Echo: {update.message.text}")

    app = build_app(api)
    app.add_handler(MessageHandler(filters.TEXT, hello))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=5, poll_interval=0)
        try:
            ben = FakeUser(api, None, 3003, "Ben", via_polling=True)
            await ben.send("Moin")
            reply = await ben.wait_for_reply(timeout=5)
            assert reply.text == "Echo: Moin"
            mark = ben.activity
            await ben.send("noch mal")
            assert (await ben.wait_for_reply(timeout=5, after=mark)).text == "Echo: noch mal"
        finally:
            await app.updater.stop()
            await app.stop()
