"""Polling of our own: handled or parked on disk before confirmed, a poison update skipped, a kill
strands nobody, a waiting chat holds up no one (500 chats behind one held by flood control), one
getUpdates per new update without pauses, and a failing getUpdates is backed off from."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import FAKE_TOKEN
from fake_bot_api.harness import BotProcess, User, clean_environ, free_port, option_id
from fake_bot_api.server import FakeBotApi
from telegram import Bot, Update
from test_dialog_typing import TYPED_REST, TYPED_ROLE

from bot.persistence import SessionStore
from bot.telegram.parking import PARKED_DIR, Parking
from bot.telegram.polling import Poller

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
    # The tap is kept until it was handled: parked on disk, or still with Telegram.
    assert bot_api.pending_updates() >= 1 or _parked_ids(bot_process.data_dir / PARKED_DIR)
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
        deadline = time.monotonic() + 120  # a bound for a broken bot, not a time limit
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


# ---- per-chat queues: a slow chat holds up no one, and its update is never confirmed unhandled --


async def test_a_slow_chat_holds_up_no_one_and_its_update_survives_a_kill(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    slow, quick = 905, 906
    # Telegram's flood control makes chat A wait 60 s for its reply (the longest wait the bot sits
    # out, and longer than any test waits); only A's reply is held back.
    bot_api.fail_next("sendMessage", 1, code=429, retry_after=60)
    waiting = bot_api.send_text(slow, "/start")["update_id"]
    await bot_process.wait_for(lambda: bot_api.method_calls("sendMessage"), what="A's reply")
    # B writes only now, so B's update comes with a later getUpdates than A's.
    answered = await User(bot_process, quick).send("/start")
    assert answered.buttons() and bot_api.chat(slow) == [], "B answered while A still waits"
    sent_to_quick = list(bot_api.chat(quick))
    # A's update is parked on disk before any offset passed it: Telegram may forget it.
    assert waiting in _parked_ids(bot_process.data_dir / PARKED_DIR)
    # The kill comes once B's turn is marked delivered. A kill between Telegram taking B's
    # question and the bot's mark of it is the one documented exception (that message once more,
    # nothing else: see test_a_kill_before_the_answer_of_a_message_repeats_that_message_only).
    store = SessionStore(bot_process.data_dir)
    await bot_process.wait_for(
        lambda: (r := store.load(str(quick))) is not None and r.delivery and r.delivery.delivered,
        what="B's turn marked delivered",
    )
    bot_process.kill()
    await bot_process.start()
    await bot_process.wait_for(lambda: bot_api.last_with_buttons(slow), what="A's question")
    await bot_process.wait_for(lambda: bot_api.pending_updates() == 0, what="all confirmed")
    await bot_process.stop()
    texts = [m.text for m in bot_api.chat(slow)]
    assert texts and len(texts) == len(set(texts)), "A's update handled once: each reply once"
    assert bot_api.chat(quick) == sent_to_quick, "B's redelivered update sends nothing again"
    record = SessionStore(bot_process.data_dir).load(str(slow))
    assert record is not None and record.last_update_id == waiting
    assert bot_api.rejections == []


def _screen(api: FakeBotApi, chat: int) -> list[tuple[str | None, list[Any]]]:
    """What the chat shows: each message's text and buttons, in order."""
    return [(m.text, m.buttons()) for m in api.chat(chat)]


@pytest.mark.slow
async def test_a_chat_held_by_flood_control_holds_up_none_of_500_and_a_kill_loses_none_of_it(
    bot_api: FakeBotApi, bot_process: BotProcess
) -> None:
    held, twin, others = 7001, 7002, range(1, 501)
    answers = ["/start", *TYPED_ROLE["lijn"], *TYPED_REST[:2]]
    # Telegram's flood control holds one chat for 55 s (just under the longest wait the bot sits
    # out, so that 500 answers fit inside the hold even on a busy machine): its first reply gets
    # 429, retry_after=55.
    bot_api.hold(held, 55)
    first = bot_api.send_text(held, answers[0])["update_id"]
    await bot_process.wait_for(lambda: bot_api.flood_refusals, what="the held chat's 429")
    # The held chat goes on typing; a twin chat types the same, unheld, to show what is due.
    waiting = {first} | {bot_api.send_text(held, text)["update_id"] for text in answers[1:]}
    for text in answers:
        bot_api.send_text(twin, text)
    for chat in others:
        bot_api.send_text(chat, "/start")
    await bot_process.wait_for(
        lambda: all(bot_api.last_with_buttons(chat) for chat in others), what="500 chats answered"
    )
    assert bot_api.held(held), "all 500 answered while the held chat still waits"
    assert bot_api.chat(held) == []
    # The held chat's updates are parked: Telegram forgot them, the disk has them.
    assert waiting <= _parked_ids(bot_process.data_dir / PARKED_DIR)
    assert not waiting & {update["update_id"] for update in bot_api.queued()}
    bot_process.kill()
    await bot_process.start()
    # Handled means parked no more: the held chat's updates leave the parking once delivered.
    await bot_process.wait_for(
        lambda: not bot_api.held(held) and bot_process.all_handled(), what="every update handled"
    )
    await bot_process.stop()
    assert _screen(bot_api, held) == _screen(bot_api, twin), "the held chat's turns, once, in order"
    store = SessionStore(bot_process.data_dir)
    record, twins = store.load(str(held)), store.load(str(twin))
    assert record is not None and record.session is not None and twins is not None
    assert twins.session is not None and record.session.history == twins.session.history
    assert len(record.session.history) == len(answers) - 1
    assert bot_api.rejections == []


def _text_of(update: Update) -> tuple[int, str]:
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and message.text is not None and chat is not None
    return chat.id, message.text


def _held_at_wait() -> tuple[
    asyncio.Event, list[tuple[int, str]], Callable[[Update], Awaitable[None]]
]:
    """A handler that records (chat, text) and holds the text "wait" until the event is set."""
    release = asyncio.Event()
    handled: list[tuple[int, str]] = []

    async def process(update: Update) -> None:
        chat, text = _text_of(update)
        if text == "wait":
            await release.wait()
        handled.append((chat, text))

    return release, handled, process


def _parked_ids(directory: Path) -> set[int]:
    """The ids of the updates in the parking's files (an update handled while its file was
    written may be among them: only the replay skips it)."""
    found: set[int] = set()
    for path in directory.glob("*.json"):
        with contextlib.suppress(FileNotFoundError):  # all its updates handled meanwhile
            found.update(raw["update_id"] for raw in json.loads(path.read_text()))
    return found


async def test_each_chat_in_order_chats_side_by_side_and_memory_bounded(
    bot_api: FakeBotApi, tmp_path: Path
) -> None:
    release, handled, process = _held_at_wait()
    chat_1 = {bot_api.send_text(1, "wait")["update_id"]}
    bot_api.send_text(2, "b0")
    chat_1 |= {bot_api.send_text(1, text)["update_id"] for text in ("after", "after that")}
    beyond = bot_api.send_text(2, "beyond the limit")["update_id"]
    stop = asyncio.Event()
    async with Bot(FAKE_TOKEN, base_url=f"{bot_api.url}/bot") as bot:
        poller = Poller(bot, process, 1, [], Parking(tmp_path), max_in_hand=3)
        running = asyncio.create_task(poller.run(stop))
        await bot_api.wait_for(lambda: poller.pending == 3, what="three in hand")
        assert handled == [(2, "b0")], "chat 2 goes on while chat 1 waits"
        await bot_api.wait_for(lambda: chat_1 <= _parked_ids(tmp_path), what="chat 1 parked")
        calls = len(bot_api.method_calls("getUpdates"))
        await asyncio.sleep(0.3)
        # Three updates are in hand: no call is made, and the fifth update stays with Telegram.
        assert len(bot_api.method_calls("getUpdates")) == calls
        assert beyond in [u["update_id"] for u in bot_api.queued()]
        release.set()
        await bot_api.wait_for(lambda: len(handled) == 5, what="the rest")
        stop.set()
        await running
        await poller.confirm()
    assert [text for chat, text in handled if chat == 1] == ["wait", "after", "after that"]
    assert handled.index((1, "wait")) < handled.index((2, "beyond the limit"))
    assert bot_api.pending_updates() == 0
    assert _parked_ids(tmp_path) == set(), "a parked update is deleted once handled"


async def test_one_get_updates_call_per_new_update_at_one_user(
    bot_api: FakeBotApi, tmp_path: Path
) -> None:
    handled: list[str] = []

    async def process(update: Update) -> None:
        # The update is still in hand when the poller asks again, as with a real handler whose
        # replies take a moment: that call must wait for something new, not bring it back.
        seen = len(bot_api.method_calls("getUpdates"))
        await bot_api.wait_for(
            lambda: len(bot_api.method_calls("getUpdates")) > seen, what="the next call"
        )
        handled.append(_text_of(update)[1])

    stop = asyncio.Event()
    async with Bot(FAKE_TOKEN, base_url=f"{bot_api.url}/bot") as bot:
        poller = Poller(bot, process, 30, [], Parking(tmp_path))
        running = asyncio.create_task(poller.run(stop))
        await bot_api.wait_for(lambda: bot_api.method_calls("getUpdates"), what="polling")
        before = len(bot_api.method_calls("getUpdates"))
        for tap in range(10):
            bot_api.send_text(1, f"tap {tap}")
            await bot_api.wait_for(lambda: len(handled) == tap + 1, what=f"tap {tap}")  # noqa: B023
        calls = len(bot_api.method_calls("getUpdates")) - before
        stop.set()
        await running
    assert handled == [f"tap {tap}" for tap in range(10)]
    # One call brings each tap (the long poll already waiting), none brings one back.
    assert calls <= 10 + 1, f"{calls} getUpdates calls for 10 updates"


async def test_a_waiting_chat_is_parked_and_polling_goes_on_without_spinning(
    bot_api: FakeBotApi, tmp_path: Path
) -> None:
    release, handled, process = _held_at_wait()
    first = bot_api.send_text(1, "wait")["update_id"]
    stop = asyncio.Event()
    async with Bot(FAKE_TOKEN, base_url=f"{bot_api.url}/bot") as bot:
        poller = Poller(bot, process, 30, [], Parking(tmp_path))
        running = asyncio.create_task(poller.run(stop))
        # Parked, so Telegram was told to forget it while it is still in hand.
        await bot_api.wait_for(
            lambda: _parked_ids(tmp_path) == {first} and bot_api.pending_updates() == 0,
            what="chat 1 parked and confirmed",
        )
        assert poller.pending == 1 and handled == []
        calls = len(bot_api.method_calls("getUpdates"))
        bot_api.send_text(2, "later")
        await bot_api.wait_for(lambda: handled == [(2, "later")], what="chat 2")
        # The long poll that was waiting brought chat 2's update: no call brought chat 1's again.
        assert len(bot_api.method_calls("getUpdates")) - calls <= 2
        assert all(int(c.get("offset") or 0) != first for c in bot_api.method_calls("getUpdates"))
        release.set()
        await bot_api.wait_for(lambda: len(handled) == 2, what="chat 1")
        await bot_api.wait_for(lambda: _parked_ids(tmp_path) == set(), what="the parking emptied")
        stop.set()
        await running
        await poller.confirm()
    assert bot_api.pending_updates() == 0


async def test_updates_in_hand_at_a_stop_are_replayed_by_the_next_run_in_order_once(
    bot_api: FakeBotApi, tmp_path: Path
) -> None:
    first_run: list[tuple[int, str]] = []

    async def stuck(update: Update) -> None:
        chat, text = _text_of(update)
        if chat == 1:
            await asyncio.Event().wait()  # never done: cut off at the stop
        first_run.append((chat, text))

    sent = {
        (chat, text): bot_api.send_text(chat, text)["update_id"]
        for chat, text in [(1, "stuck"), (2, "fine"), (1, "next"), (1, "last")]
    }
    chat_1 = {update_id for (chat, _), update_id in sent.items() if chat == 1}

    def chat_1_of(handled: list[tuple[int, str]]) -> list[str]:
        return [text for chat, text in handled if chat == 1]

    stop = asyncio.Event()
    async with Bot(FAKE_TOKEN, base_url=f"{bot_api.url}/bot") as bot:
        poller = Poller(bot, stuck, 30, [], Parking(tmp_path), stop_grace=0.2)
        running = asyncio.create_task(poller.run(stop))
        await bot_api.wait_for(
            lambda: first_run == [(2, "fine")] and chat_1 <= _parked_ids(tmp_path),
            what="chat 1 parked",
        )
        stop.set()
        await running  # within the grace period, then the stuck update is cut off
        await poller.confirm()
        assert bot_api.pending_updates() == 0, "Telegram forgot them: they are parked"
        second_run: list[tuple[int, str]] = []

        async def record(update: Update) -> None:
            second_run.append(_text_of(update))

        stop = asyncio.Event()
        poller = Poller(bot, record, 30, [], Parking(tmp_path))
        running = asyncio.create_task(poller.run(stop))
        await bot_api.wait_for(lambda: len(chat_1_of(second_run)) == 3, what="the replay")
        await bot_api.wait_for(lambda: _parked_ids(tmp_path) == set(), what="the parking emptied")
        bot_api.send_text(1, "new")
        await bot_api.wait_for(lambda: len(chat_1_of(second_run)) == 4, what="a new update")
        stop.set()
        await running
    assert chat_1_of(second_run) == ["stuck", "next", "last", "new"]
    # Chat 2's update was handled before its file was written, or while it was: then it is
    # replayed (the conversation service recognises it by its id and changes nothing).
    assert second_run.count((2, "fine")) <= 1


async def test_a_parked_update_that_telegram_sends_again_is_handled_once(
    bot_api: FakeBotApi, tmp_path: Path
) -> None:
    # Parked, then killed before any call passed them: Telegram still has them too.
    Parking(tmp_path).write([bot_api.send_text(1, text) for text in ("een", "twee")])
    handled: list[str] = []

    async def record(update: Update) -> None:
        handled.append(_text_of(update)[1])

    stop = asyncio.Event()
    async with Bot(FAKE_TOKEN, base_url=f"{bot_api.url}/bot") as bot:
        poller = Poller(bot, record, 30, [], Parking(tmp_path))
        running = asyncio.create_task(poller.run(stop))
        await bot_api.wait_for(lambda: len(handled) == 2, what="the replay")
        bot_api.send_text(1, "drie")
        await bot_api.wait_for(lambda: len(handled) == 3, what="a new update")
        await bot_api.wait_for(lambda: bot_api.pending_updates() == 0, what="all confirmed")
        stop.set()
        await running
    assert handled == ["een", "twee", "drie"]
    assert _parked_ids(tmp_path) == set()


class FullDisk(Parking):
    """A parking whose disk is full."""

    def write(self, raws: list[Any]) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")


async def test_when_parking_fails_telegram_keeps_the_update_and_the_poller_does_not_spin(
    bot_api: FakeBotApi, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.telegram.polling")
    release, handled, process = _held_at_wait()
    first = bot_api.send_text(1, "wait")["update_id"]
    stop = asyncio.Event()
    async with Bot(FAKE_TOKEN, base_url=f"{bot_api.url}/bot") as bot:
        poller = Poller(bot, process, 1, [], FullDisk(tmp_path))
        running = asyncio.create_task(poller.run(stop))
        await bot_api.wait_for(lambda: poller.pending == 1, what="chat 1 in hand")
        calls = len(bot_api.method_calls("getUpdates"))
        await asyncio.sleep(1.0)
        # Telegram answers at once while an update is unconfirmed: the poller pauses instead.
        assert len(bot_api.method_calls("getUpdates")) - calls < 5
        bot_api.send_text(2, "later")
        await bot_api.wait_for(lambda: handled == [(2, "later")], what="chat 2")
        assert all(int(c.get("offset") or 0) <= first for c in bot_api.method_calls("getUpdates"))
        release.set()
        await bot_api.wait_for(lambda: len(handled) == 2, what="chat 1")
        stop.set()
        await running
        await poller.confirm()
    assert bot_api.pending_updates() == 0
    assert caplog.text.count("could not be parked") == 1


# ---- a getUpdates that keeps failing ------------------------------------------------------------


class TimedApi(FakeBotApi):
    """The fake server, noting when each getUpdates arrived."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.polled_at: list[float] = []

    def _observe(self, method: str, params: Any, files: Any, status: int, body: Any) -> None:
        if method == "getUpdates":
            self.polled_at.append(time.monotonic())


async def test_a_failing_get_updates_is_backed_off_from_and_recovered(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.telegram.polling")
    api = TimedApi(token=FAKE_TOKEN)
    await api.start()
    handled: list[str] = []

    async def process(update: Update) -> None:
        handled.append(_text_of(update)[1])

    def retries() -> list[float]:
        messages = [record.getMessage() for record in caplog.records]
        return [float(m.split("retrying in ")[1].split()[0]) for m in messages if "retrying" in m]

    try:
        api.profiles[907] = {"first_name": "Geheimvoornaam", "username": "geheim_account"}
        api.fail_next("getUpdates", 4, code=502)
        api.send_text(907, "geheime tekst")
        stop = asyncio.Event()
        async with Bot(FAKE_TOKEN, base_url=f"{api.url}/bot") as bot:
            poller = Poller(bot, process, 1, [], Parking(tmp_path), retry_start=0.05)
            running = asyncio.create_task(poller.run(stop))
            await api.wait_for(lambda: handled == ["geheime tekst"], what="recovery")
            assert retries() == [0.05, 0.1, 0.2, 0.4], "the wait doubles"
            gaps = [b - a for a, b in zip(api.polled_at, api.polled_at[1:], strict=False)]
            assert all(gap >= wait * 0.9 for gap, wait in zip(gaps, retries(), strict=False))
            # After a call that worked, the next failure starts from the shortest wait again.
            api.fail_next("getUpdates", 1, code=502)
            api.send_text(907, "again")
            await api.wait_for(lambda: len(retries()) == 5, what="one more failure")
            assert retries()[-1] == 0.05
            await api.wait_for(lambda: handled[-1:] == ["again"], what="recovery again")
            stop.set()
            await running
    finally:
        await api.stop()
    ours = [r for r in caplog.records if r.name.startswith("bot.") and r.args]
    assert ours and all("NetworkError" in r.getMessage() for r in ours)
    for secret in ("Geheimvoornaam", "geheim_account", "geheime tekst", FAKE_TOKEN):
        assert secret not in caplog.text
