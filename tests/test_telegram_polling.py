"""Polling of our own: handled before confirmed, a poison update skipped, a kill strands nobody."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import FAKE_TOKEN
from fake_bot_api.harness import BotProcess, User, clean_environ, free_port, option_id
from fake_bot_api.server import FakeBotApi

from bot.persistence import SessionStore

# A poll message as an older self-hosted Bot API server sends it: without `allows_revoting` and
# `members_only`, which python-telegram-bot 22 requires, so parsing it raises.
POISON_POLL = {
    "message": {
        "message_id": 1,
        "date": 1,
        "chat": {"id": 901, "type": "private", "first_name": "Geheimvoornaam"},
        "from": {"id": 901, "is_bot": False, "first_name": "Geheimvoornaam"},
        "poll": {
            "id": "p1",
            "question": "Geheime vraag?",
            "options": [{"text": "a", "voter_count": 0}, {"text": "b", "voter_count": 0}],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
        },
    }
}


async def test_a_poison_update_is_skipped_once_and_everyone_else_is_served(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    bot_api.push_raw(dict(POISON_POLL))
    user = User(bot_process, 902)
    await user.send("/start")
    assert user.options()  # the next user got the first question
    polls = len(bot_api.method_calls("getUpdates"))
    await asyncio.sleep(1.0)
    # Long polling goes on at its normal pace: no storm of getUpdates for the same batch.
    assert len(bot_api.method_calls("getUpdates")) - polls < 5
    await bot_process.wait_for(lambda: bot_api.pending_updates() == 0, what="all confirmed")
    log = bot_process.output()
    assert log.count("dropped: the Telegram library cannot read it") == 1
    assert "Geheimvoornaam" not in log and "Geheime vraag" not in log


async def test_an_update_is_confirmed_only_after_it_was_handled(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    user = User(bot_process, 903)
    await user.send("/start")
    question = user.question()
    # Telegram is slow to take the edit that turns the question into the next one: the tap is
    # saved, but its reply is still in flight when the process dies.
    bot_api.delay_next("editMessageText", 30)
    label = next(b["text"] for b in question.buttons() if b["callback_data"].endswith(":lijn"))
    bot_api.tap(903, question.message_id, label=label)
    await bot_process.wait_for(
        lambda: bot_api.method_calls("editMessageText"), what="the slow edit"
    )
    bot_process.kill()
    assert bot_api.pending_updates() >= 1  # the tap was not confirmed to Telegram
    await bot_process.start()
    # The tap comes again; its saved replies never went out, so they are sent now: the user
    # gets the next question, with live buttons, exactly once (the question edited in place).
    newest = await bot_process.wait_for(
        lambda: (
            (m := bot_api.last_with_buttons(903))
            and (m.message_id > question.message_id or m.edits > 0)
            and "lijn" not in [option_id(b) for b in m.buttons()]
            and m
        ),
        what="the next question",
    )
    assert "lijn" not in user.options() and user.options()
    store = SessionStore(bot_process.data_dir)
    # The outbox is marked delivered just after the replies went out (by the catch-up after the
    # start or by the redelivered tap, whichever comes first; the other then sends nothing).
    await bot_process.wait_for(
        lambda: (
            (r := store.load("903")) is not None and r.delivery is not None and r.delivery.delivered
        ),
        what="the outbox marked delivered",
    )
    assert sum(1 for m in bot_api.chat(903) if m.text == newest.text) == 1, "sent exactly once"
    assert [m for m in bot_api.chat(903) if m.buttons()] == [newest], "one live question"
    after = await user.choose(user.options()[0])  # those buttons work: not "verlopen"
    assert after.message_id >= newest.message_id and after.buttons()
    record = store.load("903")
    assert record is not None and record.session is not None and len(record.session.history) == 2
    assert bot_api.unanswered_callbacks() == []


async def test_sigterm_confirms_what_was_handled(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    user = User(bot_process, 904)
    await user.send("/start")
    started = time.monotonic()
    assert await bot_process.stop() == 0
    assert time.monotonic() - started < 10
    assert bot_api.pending_updates() == 0


async def test_an_unreachable_api_at_start_up_is_said_at_once(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    env = {
        **clean_environ(),
        "TELEGRAM_BOT_TOKEN": FAKE_TOKEN,
        "TELEGRAM_API_URL": f"http://127.0.0.1:{port}",
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "PYTHONUNBUFFERED": "1",
    }
    err = tmp_path / "err.log"
    with err.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=env, stderr=sink)
    try:
        deadline = time.monotonic() + 20
        while "unreachable" not in err.read_text() and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        text = err.read_text()
        assert "Bot API unreachable at start-up" in text
        assert "retrying in 1 s" in text
        assert FAKE_TOKEN not in text
        assert proc.poll() is None  # it keeps trying
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
