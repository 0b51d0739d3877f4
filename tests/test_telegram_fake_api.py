"""The test Bot API server behaves like Telegram where the bot depends on it (checked with PTB)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from conftest import FAKE_TOKEN
from fake_bot_api.server import FakeBotApi
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter

from bot.telegram.retry import retry_after_seconds


@pytest.fixture
async def bot(bot_api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(FAKE_TOKEN, base_url=f"{bot_api.url}/bot") as client:
        yield client


def _keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data=data)]])


async def test_get_me_and_wrong_token(bot_api: FakeBotApi, bot: Bot) -> None:
    assert (await bot.get_me()).username == "leercultuur_test_bot"
    with pytest.raises(InvalidToken):
        async with Bot("1234567:" + "x" * 35, base_url=f"{bot_api.url}/bot") as other:
            await other.get_me()


async def test_long_polling_delivers_and_confirms(bot_api: FakeBotApi, bot: Bot) -> None:
    assert await bot.get_updates(timeout=0) == ()
    bot_api.send_text(11, "/start mkb")
    updates = await bot.get_updates(timeout=5)
    assert len(updates) == 1 and updates[0].message is not None
    assert updates[0].message.text == "/start mkb"
    assert updates[0].message.entities[0].type == "bot_command"
    # Not yet confirmed: delivered again; confirmed by a higher offset: gone.
    assert len(await bot.get_updates(timeout=0)) == 1
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()


async def test_limits_are_enforced(bot_api: FakeBotApi, bot: Bot) -> None:
    bot_api.send_text(11, "hallo")
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(11, "x" * 4097)
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(11, "😀" * 2049)  # 4098 UTF-16 code units
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(11, "kies", reply_markup=_keyboard("é" * 33))
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "wie?")
    assert len(bot_api.rejections) == 4
    await bot.send_message(11, "x" * 4096, reply_markup=_keyboard("d" * 64))
    assert bot_api.last(11) is not None


async def test_callbacks_must_be_answered_once(bot_api: FakeBotApi, bot: Bot) -> None:
    bot_api.send_text(11, "hallo")
    sent = await bot.send_message(11, "kies", reply_markup=_keyboard("1:ja"))
    query_id = bot_api.tap(11, sent.message_id, label="Ja")
    updates = await bot.get_updates(timeout=5)
    assert updates[-1].callback_query is not None
    assert updates[-1].callback_query.data == "1:ja"
    assert bot_api.unanswered_callbacks() == [query_id]
    await bot.answer_callback_query(query_id)
    assert bot_api.unanswered_callbacks() == []
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)


async def test_edits_and_files(bot_api: FakeBotApi, bot: Bot) -> None:
    bot_api.send_text(11, "hallo")
    sent = await bot.send_message(11, "kies", reply_markup=_keyboard("1:ja"))
    await bot.edit_message_text("kies\n\n➜ Ja", chat_id=11, message_id=sent.message_id)
    message = bot_api.last(11)
    assert message is not None and message.text == "kies\n\n➜ Ja" and not message.buttons()
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("kies\n\n➜ Ja", chat_id=11, message_id=sent.message_id)
    # Made again, the edit is a repeat: refused as Telegram does, but not the bot's mistake.
    assert bot_api.repeats and bot_api.rejections == []
    plain = await bot.send_message(11, "geen knoppen")
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_reply_markup(11, plain.message_id, reply_markup=None)
    # Taking buttons off a message that never had them is needless: a rejection.
    needless = ("editMessageReplyMarkup", "Bad Request: message is not modified")
    assert bot_api.rejections == [needless]
    await bot.send_document(11, b"%PDF-1.4 test", filename="plan.pdf", caption="Je plan")
    document = bot_api.last(11)
    assert document is not None and document.kind == "document"
    assert document.file_name == "plan.pdf" and document.file_data.startswith(b"%PDF")
    await bot.send_photo(11, b"\x89PNG fake", caption="Model")
    photo = bot_api.last(11)
    assert photo is not None and photo.kind == "photo" and photo.caption == "Model"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_injected_flood_control_and_blocking(bot_api: FakeBotApi, bot: Bot) -> None:
    bot_api.send_text(11, "hallo")
    bot_api.fail_next("sendMessage", 1, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(11, "eerste")
    assert retry_after_seconds(caught.value) == 3
    await bot.send_message(11, "tweede")
    bot_api.block(11)
    with pytest.raises(Forbidden):
        await bot.send_message(11, "derde")


async def test_http_test_hooks(bot_api: FakeBotApi, bot: Bot) -> None:
    async with aiohttp.ClientSession(bot_api.url) as http:
        async with http.post("/_test/send_text", json={"chat_id": 12, "text": "hoi"}) as resp:
            assert (await resp.json())["ok"]
        await bot.send_message(12, "dag", reply_markup=_keyboard("1:x"))
        async with http.get("/_test/messages", params={"chat_id": "12"}) as resp:
            messages = (await resp.json())["result"]
        assert messages[-1]["text"] == "dag"
        async with http.post("/_test/state") as resp:
            assert (await resp.json())["result"]["rejections"] == []
