"""Delivery under trouble: a step of several messages always ends with its question (a note in
doubt is let be, a question in doubt sent once more), an upload gets the time it needs, a
flood-control wait too long to sit out ends the turn quietly — no duplicate question, no apology
after it — and replies that neither the turn nor the apology got out are sent again later."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest
from conftest import FAKE_TOKEN
from fake_bot_api.harness import BotProcess, User, option_id
from fake_bot_api.server import BotMessage, FakeBotApi

import bot.telegram.handlers as handlers_module
from bot.persistence import SessionStore
from bot.persistence.records import Delivery, StoredOption, StoredReply
from bot.settings import Settings
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.polling import serve_polling
from dialogs import Engine, Event
from locales import load_bundle

# PTB's default read timeout is 5 s; the fake server answers this much later (having sent it).
LATE = 7.0


@pytest.mark.slow
async def test_a_question_whose_answer_came_too_late_is_sent_once_more_and_works(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    """The one case of doubt outside a kill: Telegram took the question, its answer never came.

    A user without buttons is stuck, a question seen twice still works: the question is sent
    once more (never a third time), both copies carry the same turn's buttons, and the turn is
    marked delivered, so no restart sends it again.
    """
    user = User(bot_process, 701)
    await user.send("/start")
    bot_api.answer_late_next("sendMessage", LATE)
    # Typed: the next question is a new message, stored by Telegram at once, answered too late.
    question = await user.send("leidinggevende")
    asked = question.text
    assert asked
    store = SessionStore(bot_process.data_dir)
    await bot_process.wait_for(
        lambda: (
            (r := store.load("701")) is not None and r.delivery is not None and r.delivery.delivered
        ),
        what="the outbox marked delivered",
    )
    copies = [m for m in user.messages() if m.text == asked]
    assert len(copies) == 2, "the question in doubt, sent once more"
    assert copies[0].buttons() == copies[1].buttons(), "the same turn's buttons on both"
    await user.choose("geen")  # the kind of work (issue 20), skipped
    sent = [m.text or "" for m in user.messages()]
    assert load_bundle().telegram.error not in sent, "no apology for a message that did arrive"
    assert bot_api.unanswered_callbacks() == [] and bot_api.rejections == []
    await bot_process.stop()
    sends = [p for p in bot_api.method_calls("sendMessage") if p.get("text") == asked]
    assert len(sends) == 2, "never a third copy"
    assert "may have reached Telegram (telegram.TimedOut <- httpx.ReadTimeout" in (
        bot_process.output()
    )


async def _model_step(user: User) -> int:
    """The user is at the role question; returns the newest message id before /model."""
    await user.send("/start")
    return user.messages()[-1].message_id


async def _after_model(bot_process: BotProcess, user: User, newest: int) -> list[BotMessage]:
    """/model: the picture and the question again; waits for the turn to be marked delivered."""
    bot_process.api.send_text(user.chat_id, "/model")
    store = SessionStore(bot_process.data_dir)
    key = str(user.chat_id)

    def delivered() -> bool:
        record = store.load(key)
        return record is not None and record.delivery is not None and record.delivery.delivered

    await bot_process.wait_for(
        lambda: bot_process.all_handled() and delivered(), what="/model delivered"
    )
    return [m for m in user.messages() if m.message_id > newest]


@pytest.mark.parametrize("fault", ["picture", "question"])
async def test_a_broken_connection_in_a_step_of_several_messages_leaves_the_question(
    bot_api: FakeBotApi, bot_process: BotProcess, fault: str
) -> None:
    """A connection reset on the picture or on the question after it: the user still ends with
    the question and its buttons, as the last message, once; the turn counts as delivered only
    after its last message went out."""
    user = User(bot_process, 704)
    newest = await _model_step(user)
    role_question = user.question()
    bot_api.reset_next("sendPhoto" if fault == "picture" else "sendMessage")
    new = await _after_model(bot_process, user, newest)
    questions = [m for m in new if m.buttons()]
    assert len(questions) == 1, "the question, once"
    assert questions[0].text and role_question.text, "the welcome rode along with it at /start"
    assert role_question.text.endswith(questions[0].text)
    assert new[-1] == questions[0], "the last message carries the live buttons"
    if fault == "question":
        assert [m.kind for m in new] == ["photo", "text"]
    record = SessionStore(bot_process.data_dir).load("704")
    assert record is not None and record.delivery is not None
    # /model keeps no outbox: the one stored is /start's (its welcome rode along: one message).
    assert record.delivery.sent == 1 and record.keyboard_message == new[-1].message_id
    await user.choose("lijn")  # the buttons work
    assert bot_api.rejections == []


async def test_a_picture_whose_upload_is_answered_after_8_seconds_does_not_end_the_turn(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    user = User(bot_process, 705)
    newest = await _model_step(user)
    bot_api.answer_late_next("sendPhoto", 8.0)  # an upload over a slow line
    new = await _after_model(bot_process, user, newest)
    assert [m.kind for m in new] == ["photo", "text"] and new[-1].buttons()
    assert "may have reached Telegram" not in bot_process.output()
    assert bot_api.rejections == []


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
    await bot_process.wait_for(bot_process.all_handled, what="/help handled")
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
        # Both refused: the turn's first message, then the apology (the retry that follows 0.2 s
        # later may already be under way, so the chat itself is not looked at here).
        refused = bot_api.method_calls("sendMessage")[:2]
        assert refused[1]["text"].startswith(load_bundle().telegram.error), "then the apology"
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


async def test_a_kill_before_the_answer_of_a_message_repeats_that_message_only(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    """The one honest exception, and no more: Telegram took the picture of a step, the process
    died before its answer came back. After the restart the picture comes once more; the
    question before it (the notes riding along, edited into the tapped message), counted as
    sent, is not sent again and keeps the live buttons."""
    user = User(bot_process, 706)
    await user.send("/start")
    await user.choose("mkb")
    await user.choose("geen")  # the kind of work (issue 20), skipped
    await user.choose("kies")
    store = SessionStore(bot_process.data_dir)
    bot_api.answer_late_next("sendPhoto", 30.0)  # taken at once, answered after the kill
    turn = user.question()
    label = next(b["text"] for b in turn.buttons() if option_id(b) == "f.actie")
    bot_api.tap(706, turn.message_id, label=label)

    def question_counted() -> bool:
        record = store.load("706")
        return record is not None and record.delivery is not None and record.delivery.sent >= 1

    await bot_process.wait_for(
        lambda: question_counted() and bot_api.method_calls("sendPhoto"),
        what="the question counted and the picture taken",
    )
    sends = len(bot_api.method_calls("sendMessage"))
    edits = len(bot_api.method_calls("editMessageText"))
    bot_process.kill()
    await bot_process.start()
    await bot_process.wait_for(
        lambda: (r := store.load("706")) is not None and r.delivery and r.delivery.delivered,
        what="the turn finished after the restart",
    )
    assert len(bot_api.method_calls("sendMessage")) == sends, "no note or question again"
    assert len(bot_api.method_calls("editMessageText")) == edits, "nor edited in again"
    assert len(bot_api.method_calls("sendPhoto")) == 2, "the picture in doubt, once more"
    assert [m for m in user.messages() if m.buttons()] == [turn], "the question keeps them"
    assert user.messages()[-1].kind == "photo", "the picture after the question"
    await user.choose("ja")  # the buttons work
    # The tap comes again after the kill; its callback was answered before it, and a second
    # answer is refused as a repeat (kept apart from the rejections). Nothing else is refused.
    assert bot_api.rejections == []


async def test_a_turn_half_sent_in_the_old_layout_resumes_in_that_layout(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    """A record stored by the bot before layouts had numbers (no `plan` in its outbox) counts its
    messages one reply at a time. Killed after the note and the picture's text of the step
    after "Klopt" (2 of its 4 messages), the restarted bot sends the picture and the question,
    nothing twice and nothing less (in today's layout the same count would mean: all sent)."""
    user = User(bot_process, 707)
    await user.send("/start")
    for option in ("mkb", "geen", "ja", "ja"):
        await user.choose(option)
    asked = user.question()
    await bot_process.stop()
    store = SessionStore(bot_process.data_dir)
    record = store.load("707")
    assert record is not None and record.session is not None
    engine = Engine.load()
    outcome = engine.decide(record.session, Event.option("ok"))
    replies = [
        StoredReply(
            text=reply.text,
            options=[StoredOption(id=o.id, label=o.label) for o in reply.options],
            attachment=reply.attachment,
            replaces=reply.replaces,
        )
        for reply in outcome.replies
    ]
    assert [bool(r.attachment) for r in replies] == [False, True, False]
    record.delivery = Delivery(
        update_id=record.last_update_id, turn=record.session.turn, replies=replies, sent=2
    )
    store.save("707", record)
    path = store.path_for("707")
    raw = json.loads(path.read_bytes())
    del raw["delivery"]["plan"]  # as the bot before layouts wrote it
    path.write_bytes(json.dumps(raw, separators=(",", ":")).encode("utf-8"))
    await bot_process.start()
    await bot_process.wait_for(
        lambda: (r := store.load("707")) is not None and r.delivery and r.delivery.delivered,
        what="the old turn finished after the restart",
    )
    new = [m for m in user.messages() if m.message_id > asked.message_id]
    assert [m.kind for m in new] == ["photo", "text"], "the picture, then the question"
    assert new[-1].buttons() and new[-1].text == outcome.replies[-1].text
    await user.choose("ja")  # the buttons work
    assert bot_api.rejections == []
