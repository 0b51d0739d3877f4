"""Sessions survive the process: SIGKILL mid-dialog, restart, erase with /vergeet."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from fake_bot_api.harness import BotProcess, User
from fake_bot_api.server import FakeBotApi

from bot.persistence import ChatRecord, SessionStore
from bot.persistence.records import utc_now
from bot.persistence.store import record_bytes
from bot.telegram.health import heartbeat_path
from bot.telegram.housekeeping import TEST_HEARTBEAT_ENV
from dialogs import new_session
from locales import load_bundle

REPEATED_TAP_REFUSALS = {
    (
        "answerCallbackQuery",
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    ),
    (
        "editMessageText",
        "Bad Request: message is not modified: specified new message content and reply markup"
        " are exactly the same as a current content and reply markup of the message",
    ),
}


async def test_sigkill_mid_dialog_then_continue_at_the_same_step(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    user = User(bot_process, 301)
    other = User(bot_process, 302)
    await user.send("/start")
    await other.send("/start mkb")
    await user.choose("dir")
    await user.choose("geen")  # the kind of work, skipped
    await user.choose("nee")
    question = user.question()
    options = user.options()

    bot_process.kill()
    await bot_process.start()

    # The same question stands, with the same buttons. A kill between sending it and noting that
    # it went out sends it once more (at-least-once delivery); its buttons stay the same turn's.
    assert user.options() == options and user.question().text == question.text
    await user.choose("ja")  # the button sent before the crash still belongs to the current step
    record = SessionStore(bot_process.data_dir).load("301")
    assert record is not None and record.session is not None
    assert [a.option for a in record.session.history] == ["dir", "geen", "nee", "ja"]
    assert record.session.role == "dir" and record.session.phase == "actie"
    other_record = SessionStore(bot_process.data_dir).load("302")
    assert other_record is not None and other_record.session is not None
    assert other_record.session.role == "mkb"
    assert [a.option for a in other_record.session.history] == ["mkb"]
    # A kill after the replies went out but before the update was confirmed makes Telegram send
    # the tap again; the bot then answers it and marks the choice once more, which Telegram
    # refuses as already done. Those repeats are kept apart; any other refusal is a bug.
    assert set(bot_api.repeats) <= REPEATED_TAP_REFUSALS
    assert bot_api.rejections == []
    assert bot_api.unanswered_callbacks() == []


async def test_a_tap_sent_while_the_bot_is_down_is_handled_after_restart(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    user = User(bot_process, 303)
    await user.send("/start")
    bot_process.kill()
    question = user.question()
    label = next(b["text"] for b in question.buttons() if b["callback_data"].endswith(":lijn"))
    query_id = bot_api.tap(303, question.message_id, label=label)
    await bot_process.start()
    await bot_process.wait_for(lambda: bot_api.callback_queries[query_id].answered)
    # The next question: the tapped one edited in place, or a new message.
    await bot_process.wait_for(
        lambda: (
            (m := bot_api.last_with_buttons(303))
            and (m.message_id > question.message_id or m.edits > 0)
        )
    )
    record = SessionStore(bot_process.data_dir).load("303")
    assert record is not None and record.session is not None and record.session.role == "lijn"


async def test_vergeet_erases_and_nothing_comes_back_after_restart(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    texts = load_bundle().telegram
    user = User(bot_process, 304)
    await user.send("/start")
    await user.choose("hr")
    store = SessionStore(bot_process.data_dir)
    assert store.load("304") is not None

    confirm = await user.send("/vergeet")
    assert confirm.text == texts.forget.question
    cancelled = await user.tap_label(texts.forget.cancel)  # cancel first: nothing is erased
    # Nothing erased, and the question of now comes back with its buttons.
    assert (cancelled[-1].text or "").startswith(texts.forget.cancelled)
    assert cancelled[-1].buttons()
    record = store.load("304")
    assert record is not None and record.session is not None and record.session.role == "hr"

    confirm = await user.send("/vergeet")
    confirm_data = confirm.buttons()[0]["callback_data"]
    done = await user.tap_label(texts.forget.confirm)
    assert done[-1].text == texts.forget.done
    assert store.load("304") is None and not store.path_for("304").exists()
    # The old confirmation button (and every other old button) is dead now.
    assert await user.tap_raw(confirm.message_id, confirm_data) == texts.expired

    await bot_process.stop()
    await bot_process.start()
    assert store.load("304") is None
    replies = await user.say("/privacy")
    assert "vergeet" in (replies[-1].text or "")
    assert store.load("304") is None, "reading the privacy text stores nothing"
    assert (await user.say("/vergeet"))[-1].text == texts.forget.nothing
    await user.send("/start")
    record = store.load("304")
    assert record is not None and record.session is not None
    assert record.session.role is None and record.session.history == []


async def test_idle_sessions_are_deleted_once_the_bot_runs(
    bot_api: FakeBotApi, tmp_path: Path
) -> None:
    """...and a `[]` file among them is set aside, while the purge and the heartbeat go on."""
    store = SessionStore(tmp_path / "data")
    old = utc_now() - timedelta(days=10)
    idle = [str(key) for key in range(501, 512) if key != 502]
    for key in [*idle, "599"]:
        store.save(key, ChatRecord(session=new_session()))
        store.path_for(key).write_bytes(
            record_bytes(ChatRecord(session=new_session(), saved_at=old))
        )
    store.path_for("599").write_bytes(b"[]")  # valid JSON of the wrong shape
    for key in [*idle, "599"]:
        os.utime(store.path_for(key), (old.timestamp(), old.timestamp()))
    store.save("502", ChatRecord(session=new_session()))
    bot = BotProcess(bot_api, tmp_path, BOT_RETENTION_DAYS="7", **{TEST_HEARTBEAT_ENV: "0.2"})
    await bot.start()
    try:
        await bot.wait_for(
            lambda: all(not store.path_for(key).exists() for key in idle),
            what="purge of the idle sessions",
        )
        assert [path.stem for path in store.files()] == ["502"]
        assert [p.read_bytes() for p in store.quarantine.files()] == [b"[]"], "moved, not deleted"
        # The housekeeping task outlived that file: its heartbeat comes again.
        heartbeat = heartbeat_path(tmp_path / "data")
        os.utime(heartbeat, (old.timestamp(), old.timestamp()))
        await bot.wait_for(
            lambda: heartbeat.stat().st_mtime > old.timestamp(), what="the next heartbeat"
        )
        await User(bot, 503).send("/start")  # and everyone is served
    finally:
        await bot.stop()
    assert "Session file moved to quarantine" in bot.output()
