"""Delivery under trouble: a send is never repeated when it may have arrived, a flood-control
wait too long to sit out ends the turn quietly — no duplicate question, no apology after it — and
replies that neither the turn nor the apology got out are sent again a while later."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from conftest import FAKE_TOKEN
from fake_bot_api.harness import BotProcess, User, option_id
from fake_bot_api.server import FakeBotApi

import bot.telegram.handlers as handlers_module
from bot.persistence import SessionStore
from bot.settings import Settings
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.polling import serve_polling
from dialogs import Engine
from locales import load_bundle

# PTB's default read timeout is 5 s; the fake server answers this much later (having sent it).
LATE = 7.0


@pytest.mark.slow
async def test_a_send_accepted_after_the_read_timeout_is_not_sent_again(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    user = User(bot_process, 701)
    await user.send("/start")
    bot_api.answer_late_next("sendMessage", LATE)
    # Typed: the next question is a new message, stored by Telegram at once, answered too late.
    question = await user.send("leidinggevende")
    asked = question.text
    assert asked
    store = SessionStore(bot_process.data_dir)
    # Given up, the turn counts as delivered: no resend after a restart can double it either.
    await bot_process.wait_for(
        lambda: (
            (r := store.load("701")) is not None and r.delivery is not None and r.delivery.delivered
        ),
        what="the outbox marked delivered",
    )
    sent = [m.text or "" for m in user.messages()]
    assert sum(text == asked for text in sent) == 1, "the question arrived once"
    # The chat's lock is held until that turn is over: this tap is handled only after it.
    await user.choose("ja")
    sent = [m.text or "" for m in user.messages()]
    assert load_bundle().telegram.error not in sent, "no apology for a message that did arrive"
    assert bot_api.unanswered_callbacks() == [] and bot_api.rejections == []
    await bot_process.stop()
    assert "may have reached Telegram (telegram.TimedOut <- httpx.ReadTimeout" in (
        bot_process.output()
    )


async def test_a_flood_wait_beyond_the_limit_gives_up_without_apology_or_second_answer(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    texts = load_bundle().telegram
    user = User(bot_process, 702)
    question = await user.send("/start")
    label = next(b["text"] for b in question.buttons() if option_id(b) == "lijn")
    # The tap edits the question in place: that edit is what Telegram refuses.
    bot_api.fail_next("editMessageText", 1, retry_after=3600)
    counted = ("sendMessage", "editMessageText", "editMessageReplyMarkup")
    calls_before = sum(len(bot_api.method_calls(method)) for method in counted)
    query_id = bot_api.tap(702, question.message_id, label=label)
    # A later message of the same chat is handled after that turn (per-chat lock); Telegram
    # asked for an hour's pause in this chat, so its reply is dropped quietly too.
    bot_api.send_text(702, "/help")
    await bot_process.wait_for(lambda: bot_api.pending_updates() == 0, what="/help handled")
    await bot_process.wait_for(
        lambda: bot_process.output().count("this turn is dropped") >= 2, what="both dropped"
    )
    answers = [
        params
        for params in bot_api.method_calls("answerCallbackQuery")
        if str(params.get("callback_query_id")) == query_id
    ]
    assert len(answers) == 1, "the tap was answered once"
    assert texts.error not in [m.text for m in user.messages()], "no apology into a flood wait"
    calls = sum(len(bot_api.method_calls(method)) for method in counted) - calls_before
    assert calls == 1, "the refused edit, not repeated; nothing into the pause"
    assert bot_api.rejections == []
    await bot_process.stop()
    assert "Flood control asks for 3600 s; this turn is dropped" in bot_process.output()


async def test_replies_that_neither_turn_nor_apology_got_out_are_sent_again_later(
    bot_api: FakeBotApi,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    monkeypatch.setattr(handlers_module, "RETRY_UNSENT_AFTER", 0.2)  # 30 s in production
    settings = Settings(
        telegram_bot_token=FAKE_TOKEN,
        telegram_api_url=bot_api.url,
        bot_data_dir=tmp_path,
        bot_poll_timeout=1,
    )
    app = build_application(settings, Engine.load())
    stop = asyncio.Event()
    serving = asyncio.create_task(serve_polling(app, 1, ALLOWED_UPDATES, stop))
    try:
        await bot_api.wait_for(lambda: bot_api.method_calls("getUpdates"), what="polling")
        # The turn's first message is refused, and so is the apology after it.
        bot_api.fail_next("sendMessage", 2, code=400, description="Bad Request: injected failure")
        bot_api.send_text(703, "/start")
        await bot_api.wait_for(
            lambda: "Apology not sent" in caplog.text, what="the apology failing too"
        )
        assert bot_api.chat(703) == []
        question = await bot_api.wait_for(
            lambda: bot_api.last_with_buttons(703), what="the saved replies sent again"
        )
    finally:
        stop.set()
        await serving
    texts = load_bundle().telegram
    assert texts.error not in [m.text for m in bot_api.chat(703)], "the turn itself, no apology"
    assert [m for m in bot_api.chat(703) if m.buttons()] == [question]
    record = SessionStore(tmp_path).load("703")
    assert record is not None and record.delivery is not None and record.delivery.delivered
    assert "Unsent replies not sent on retry" not in caplog.text
    assert bot_api.rejections == []
