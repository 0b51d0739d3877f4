"""Benchmark: updates per second of the whole bot against a bare echo bot, in the same run.

N simulated users each run a full conversation to the advice, interleaved, through the test Bot
API server on 127.0.0.1; then a bare python-telegram-bot echo bot (same server, same settings)
handles the same number of updates from the same number of users. The ratio bot / echo says what
the dialog, the knowledge and the persistence cost on top of the framework's own per-update cost.

    python -m bench.e2e_throughput --users 200
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from functools import partial
from pathlib import Path

from bench.common import Result
from bench.conversation import DONE_OPTION, MAX_STEPS, choose
from bench.live import (
    TOKEN,
    NotifyingBotApi,
    newest_question,
    option_id,
    start_process,
    stop_process,
    wait_until_polling,
)

TARGET = 0.8


async def _conversation(api: NotifyingBotApi, chat_id: int) -> int:
    """One user from /start to the advice menu; returns the number of updates sent."""
    sent = api.send_text(chat_id, "/start")
    question = await api.until(
        chat_id, lambda: newest_question(api, chat_id, sent["message"]["message_id"])
    )
    updates = 1
    while True:
        buttons = question.buttons()
        offered = [option_id(b) for b in buttons]
        if DONE_OPTION in offered:
            return updates
        choice = choose(offered)
        label = next(b["text"] for b in buttons if option_id(b) == choice)
        newest = api.chat(chat_id)[-1].message_id
        tapped = (question, question.edits)
        api.tap(chat_id, question.message_id, label=str(label))
        updates += 1
        question = await api.until(chat_id, partial(newest_question, api, chat_id, newest, tapped))
        if updates > MAX_STEPS:
            raise RuntimeError("the conversation did not reach the advice")


def _grew(api: NotifyingBotApi, chat_id: int, before: int) -> bool:
    return len(api.chat(chat_id)) > before


async def _echoes(api: NotifyingBotApi, chat_id: int, count: int) -> int:
    """One user sending `count` messages, each after the previous one was answered."""
    for index in range(count):
        before = len(api.chat(chat_id))
        api.send_text(chat_id, f"bericht {index}")
        await api.until(chat_id, partial(_grew, api, chat_id, before))
    return count


async def _mirror_taps(api: NotifyingBotApi, chat_id: int, count: int) -> int:
    """One user: a typed message, then `count - 1` taps, each on the newest question."""
    sent = api.send_text(chat_id, "/start")
    question = await api.until(
        chat_id, lambda: newest_question(api, chat_id, sent["message"]["message_id"])
    )
    for _ in range(count - 1):
        newest = api.chat(chat_id)[-1].message_id
        tapped = (question, question.edits)
        api.tap(chat_id, question.message_id, index=0)
        question = await api.until(chat_id, partial(newest_question, api, chat_id, newest, tapped))
    return count


async def _measure(kind: str, users: int, per_user: int, workdir: Path) -> tuple[float, int, int]:
    """Run one bot, play all users at once: updates per second, updates sent, API calls."""
    api = NotifyingBotApi(token=TOKEN)
    await api.start()
    module, args = ("bot", ()) if kind == "bot" else ("bench.echo_bot", (kind,))
    proc = start_process(module, api, workdir / kind, args)
    try:
        await wait_until_polling(api, proc)
        calls_before = len(api.calls)
        begin = time.perf_counter()
        chats = [1000 + i for i in range(users)]
        if kind == "bot":
            counts = await asyncio.gather(*(_conversation(api, chat) for chat in chats))
        elif kind == "mirror":
            counts = await asyncio.gather(*(_mirror_taps(api, c, per_user) for c in chats))
        else:
            counts = await asyncio.gather(*(_echoes(api, c, per_user) for c in chats))
        elapsed = time.perf_counter() - begin
        if api.rejections:
            raise RuntimeError(f"the server rejected calls: {api.rejections[:3]}")
        calls = sum(1 for name, _ in api.calls[calls_before:] if name != "getUpdates")
        return sum(counts) / elapsed, sum(counts), calls
    finally:
        stop_process(proc)
        await api.stop()


async def _run(users: int) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as temp:
        workdir = Path(temp)
        bot_rate, updates, bot_calls = await _measure("bot", users, 0, workdir)
        per_user = max(1, round(updates / users))
        echo_rate, echo_updates, echo_calls = await _measure("echo", users, per_user, workdir)
        mirror_rate, mirror_updates, mirror_calls = await _measure(
            "mirror", users, per_user, workdir
        )
    common: dict[str, float | int | str] = {
        "users": users,
        "updates": updates,
        "bot_calls_per_update": bot_calls / updates,
    }
    bot_call_rate = bot_rate * bot_calls / updates
    echo_call_rate = echo_rate * echo_calls / echo_updates
    return [
        Result(
            name="end-to-end throughput",
            unit="updates/s",
            ours=bot_rate,
            baseline=echo_rate,
            baseline_name="PTB echo bot, 1 reply/update",
            ratio=bot_rate / echo_rate,
            target=f">= {TARGET}",
            met=bot_rate / echo_rate >= TARGET,
            details={**common, "baseline_calls_per_update": echo_calls / echo_updates},
        ),
        Result(
            name="end-to-end, same Telegram traffic",
            unit="updates/s",
            ours=bot_rate,
            baseline=mirror_rate,
            baseline_name="PTB bot, answer+edit+send/tap",
            ratio=bot_rate / mirror_rate,
            target=f">= {TARGET}",
            met=bot_rate / mirror_rate >= TARGET,
            details={**common, "baseline_calls_per_update": mirror_calls / mirror_updates},
        ),
        # The bot must make ~3 Telegram calls per update (answer the tap, keep the choice visible,
        # send the next question), the echo bot 1: per call, the two do the same framework work.
        Result(
            name="end-to-end, per Telegram call",
            unit="calls/s",
            ours=bot_call_rate,
            baseline=echo_call_rate,
            baseline_name="PTB echo bot",
            ratio=bot_call_rate / echo_call_rate,
            target="report only",
            met=None,
            details=common,
        ),
    ]


def run(users: int = 200) -> list[Result]:
    return asyncio.run(_run(users))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    for result in run(parser.parse_args().users):
        print(result)


if __name__ == "__main__":
    main()
