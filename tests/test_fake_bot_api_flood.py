"""The test Bot API server's opt-in flood control refuses what Telegram would, in Telegram's words.

The limits are checked on a clock the test moves by hand, and once over HTTP with PTB, which must
read the 429 as a RetryAfter with the server's retry_after.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from conftest import FAKE_TOKEN
from fake_bot_api.server import COUNTED_METHODS, FakeBotApi, FloodControl
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import RetryAfter

from bot.telegram.retry import retry_after_seconds


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _limits(clock: Clock, **overrides: float) -> FloodControl:
    return FloodControl(jitter=0.0, clock=clock, **overrides)


def test_thirty_calls_a_second_for_the_bot_then_refused() -> None:
    clock = Clock()
    flood = _limits(clock)
    admitted = [flood.admit("sendMessage", chat) for chat in range(1, 31)]
    assert admitted == [None] * 30
    assert flood.admit("sendMessage", 31) == 1
    clock.now += 1 / 30 + 1e-9  # the bucket drains one call's worth
    assert flood.admit("sendMessage", 31) is None
    assert flood.admit("sendMessage", 32) == 1


def test_one_call_a_second_per_chat() -> None:
    clock = Clock()
    flood = _limits(clock)
    assert flood.admit("sendMessage", 5) is None
    assert flood.admit("editMessageText", 5) == 1  # every counted method shares the chat's budget
    assert flood.admit("sendMessage", 6) is None  # another chat is not held up
    clock.now += 0.6
    assert flood.admit("sendPhoto", 5) == 1
    clock.now += 0.4
    assert flood.admit("sendPhoto", 5) is None


def test_a_longer_wait_is_rounded_up_to_whole_seconds() -> None:
    clock = Clock()
    flood = _limits(clock, chat_calls=1, chat_period=3)
    assert flood.admit("sendMessage", 5) is None
    clock.now += 0.5
    assert flood.admit("sendMessage", 5) == 3  # 2.5 s to go


def test_callback_answers_and_polling_are_not_counted() -> None:
    clock = Clock()
    flood = _limits(clock)
    assert flood.admit("sendMessage", 5) is None
    for method in ("answerCallbackQuery", "getUpdates", "getMe", "setMyCommands"):
        assert method not in COUNTED_METHODS
        for _ in range(50):
            assert flood.admit(method, 5) is None
    assert flood.admit("sendMessage", 6) is None  # the 50s above used none of the 30


def test_jitter_lets_a_call_that_is_only_just_early_through() -> None:
    clock = Clock()
    flood = FloodControl(jitter=0.05, clock=clock)
    assert flood.admit("sendMessage", 5) is None
    clock.now += 0.97
    assert flood.admit("sendMessage", 5) is None
    clock.now += 0.5
    assert flood.admit("sendMessage", 5) == 1


def _keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data=data)]])


@pytest.fixture
async def bot(bot_api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(FAKE_TOKEN, base_url=f"{bot_api.url}/bot") as client:
        yield client


async def test_off_by_default(bot_api: FakeBotApi, bot: Bot) -> None:
    bot_api.send_text(11, "hallo")
    for index in range(40):
        await bot.send_message(11, f"bericht {index}")
    assert bot_api.flood_refusals == []


async def test_a_refusal_is_telegrams_429_and_counted(bot_api: FakeBotApi, bot: Bot) -> None:
    bot_api.send_text(11, "hallo")
    bot_api.set_flood_control(FloodControl())
    await bot.send_message(11, "een")
    with pytest.raises(RetryAfter) as refused:
        await bot.send_message(11, "twee")
    assert retry_after_seconds(refused.value) == 1
    assert [(r.method, str(r.chat_id), r.retry_after) for r in bot_api.flood_refusals] == [
        ("sendMessage", "11", 1)
    ]
    assert [m.text for m in bot_api.chat(11)] == ["een"]  # the refused call changed nothing
    assert bot_api.rejections == []  # a 429 is not the bot's mistake


async def test_a_callback_answer_goes_through_when_the_chat_is_at_its_limit(
    bot_api: FakeBotApi, bot: Bot
) -> None:
    bot_api.send_text(11, "hallo")
    sent = await bot.send_message(11, "kies", reply_markup=_keyboard("0:ja"))
    query_id = bot_api.tap(11, sent.message_id, index=0)
    await bot.get_updates(timeout=0)
    bot_api.set_flood_control(FloodControl())
    await bot.edit_message_text("kies\n\nJa", chat_id=11, message_id=sent.message_id)
    assert await bot.answer_callback_query(query_id)
    assert bot_api.flood_refusals == []


async def test_switched_on_and_off_over_http(bot_api: FakeBotApi) -> None:
    bot_api.send_text(11, "hallo")
    async with aiohttp.ClientSession() as http:
        switch = f"{bot_api.url}/_test/flood_control"
        async with http.post(switch, json={"chat_calls": 1, "chat_period": 2}) as response:
            assert response.status == 200
        send = f"{bot_api.url}/bot{FAKE_TOKEN}/sendMessage"
        async with http.post(send, json={"chat_id": 11, "text": "een"}) as response:
            assert response.status == 200
        async with http.post(send, json={"chat_id": 11, "text": "twee"}) as response:
            assert response.status == 429
            assert await response.json() == {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 2",
                "parameters": {"retry_after": 2},
            }
        async with http.post(f"{bot_api.url}/_test/state") as response:
            assert (await response.json())["result"]["too_many_requests"] == 1
        async with http.post(switch, json={"on": False}) as response:
            assert response.status == 200
        async with http.post(send, json={"chat_id": 11, "text": "twee"}) as response:
            assert response.status == 200
