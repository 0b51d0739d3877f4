"""Shares survive kills: the real bot SIGKILLed again and again while employees share (issue 21).

Per mode (polling, webhook): managers get their advice and a link each; then their employees
open the links and tap through the self-check to "Delen" at once, while the bot is killed at
random (seeded) moments and started again. An employee who sees no new question within a few
seconds taps the newest buttons again, or opens the link again when no buttons are left, as a
person would. After a final restart:

- every share arrives exactly once: each manager's slot holds the share of its own link, and
  every employee's chat says it was shared and counts the hand-over as done;
- none is lost: no hand-over or withdrawal marker is left waiting;
- no notification twice: each manager got the message back once, apart from the one honest
  exception per kill (the message Telegram took just before the kill, whose mark never came
  back; see bot/conversation.py).
"""

from __future__ import annotations

import asyncio
import random
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api.harness import BotProcess, User, option_id, play_to_advice, webhook_bot
from fake_bot_api.server import FakeBotApi
from test_telegram_checkins import clock_offset

from bot.invites import InviteStore, digest
from bot.persistence import SessionStore
from bot.persistence.records import utc_now
from bot.scheduler import TEST_CLOCK_ENV
from locales import load_bundle

SEED = 2121
PAIRS = 5
KILLS = 6
FIRST_MANAGER = 7100
FIRST_EMPLOYEE = 7200
PATIENCE = 3.0
SECRET = "selfcheck-kill-secret"
TEXTS = load_bundle().selfcheck
# What an employee taps, first match wins: share at the consent, on at the result, go at the
# welcome, and yes to every question in between.
PATH = ("z.share", "z.next", "z.go", "z.ja")
BACK = "Jij: "  # how the message back to a manager begins


async def employee(api: FakeBotApi, chat: int, token: str, stop: asyncio.Event) -> None:
    """Open the link and tap to "Delen"; again where nothing came, until told it was shared."""
    while not stop.is_set():
        texts = [message.text or "" for message in api.chat(chat)]
        if TEXTS.shared in texts:
            return
        question = api.last_with_buttons(chat)
        newest = api.chat(chat)[-1].message_id if api.chat(chat) else 0
        edits = question.edits if question is not None else 0
        if question is None:
            api.send_text(chat, f"/start {token}")
        else:
            buttons = {option_id(b): b["text"] for b in question.buttons() if "callback_data" in b}
            choice = next((option for option in PATH if option in buttons), None)
            if choice is None:
                api.send_text(chat, f"/start {token}")
            else:
                api.tap(chat, question.message_id, label=buttons[choice])
        deadline = asyncio.get_running_loop().time() + PATIENCE
        while asyncio.get_running_loop().time() < deadline and not stop.is_set():
            fresh = api.chat(chat)
            if fresh and fresh[-1].message_id > newest:
                break
            if question is not None and question.edits > edits:
                break  # the question was edited into the next one
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.1)


def _sends_back(api: FakeBotApi, chat: int) -> list[int]:
    """The call index of every message back sent to `chat`."""
    return [
        index
        for index, (method, params) in enumerate(api.calls)
        if method == "sendMessage"
        and str(params.get("chat_id")) == str(chat)
        and str(params.get("text", "")).startswith(BACK)
    ]


def _twice(sends: list[int], kills: list[int]) -> bool:
    """More than the first send, beyond one resend per kill that came after the send before."""
    for before, after in pairwise(sends):
        if not any(before < kill <= after for kill in kills):
            return True
    return False


async def _kill_loop(api: FakeBotApi, bot: BotProcess, settled: Any) -> None:
    rng = random.Random(SEED)
    managers = [User(bot, FIRST_MANAGER + n) for n in range(PAIRS)]
    for manager in managers:
        await manager.send("/start")
        await play_to_advice(manager, "mkb")
    invites = InviteStore(bot.data_dir)
    tokens = [invites.create(str(manager.chat_id), "A") for manager in managers]
    stop = asyncio.Event()
    people = [
        asyncio.create_task(employee(api, FIRST_EMPLOYEE + n, token, stop))
        for n, token in enumerate(tokens)
    ]
    kills: list[int] = []
    try:
        for _ in range(KILLS):
            await asyncio.sleep(rng.uniform(0.3, 1.5))
            kills.append(await bot.kill_and_drain())
            await asyncio.sleep(rng.uniform(0.0, 0.3))
            await bot.start()
        await bot.wait_for(
            lambda: all(person.done() for person in people), what="every employee shared"
        )
    finally:
        stop.set()
        await asyncio.gather(*people)
    # the final restart, from whatever state the last moment left
    kills.append(await bot.kill_and_drain())
    await bot.start()
    store = SessionStore(bot.data_dir)

    def every_share_told() -> bool:
        return all(_sends_back(api, manager.chat_id) for manager in managers)

    await bot.wait_for(every_share_told, what="every message back")
    await bot.wait_for(settled, what="every update handled")

    for manager, token, n in zip(managers, tokens, range(PAIRS), strict=True):
        record = store.load(str(manager.chat_id))
        slot = record.session.slot("A") if record and record.session else None
        assert slot is not None and slot.shared is not None
        assert slot.shared.invite == digest(token) and slot.shared.told
        worker = store.load(str(FIRST_EMPLOYEE + n))
        assert worker is not None and worker.selfcheck is not None
        assert worker.selfcheck.handed_over and not worker.selfcheck.dropped
        sends = _sends_back(api, manager.chat_id)
        assert not _twice(sends, kills), f"message back {len(sends)} times over {KILLS} kills"
    assert invites.pending() == [] and invites.untold() == [] and invites.withdrawals() == []


@pytest.mark.slow
async def test_shares_survive_kills_in_polling_mode(bot_api: FakeBotApi, tmp_path: Path) -> None:
    bot = BotProcess(bot_api, tmp_path, **{TEST_CLOCK_ENV: clock_offset(utc_now())})
    await bot.start()
    try:
        await _kill_loop(bot_api, bot, bot.all_handled)
    finally:
        if bot.proc is not None and bot.proc.poll() is None:
            bot.proc.kill()
            bot.proc.wait()


@pytest.mark.slow
async def test_shares_survive_kills_in_webhook_mode(bot_api: FakeBotApi, tmp_path: Path) -> None:
    clock = {TEST_CLOCK_ENV: clock_offset(utc_now())}
    async with webhook_bot(bot_api, tmp_path, SECRET, **clock) as (bot, sender):
        await _kill_loop(bot_api, bot, sender.idle)
