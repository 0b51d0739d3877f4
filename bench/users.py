"""Simulated users for the live benchmarks, and the recording of our bot's calls for a baseline.

Every user plays the scripted conversation (`bench.conversation`) by tapping the buttons the bot
shows, so the same driver plays our bot and the replaying baseline. A user waits for the next
question before the next tap; its latency is the time from the tap to that question.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from bench.common import percentile
from bench.conversation import DONE_PREFIX, MAX_STEPS, choose
from bench.live import (
    WAIT_SECONDS,
    NotifyingBotApi,
    api_server,
    mark,
    next_question,
    option_id,
    running,
    wait_until_polling,
)
from bench.script import Script, from_segments
from bot.persistence import SessionStore

RECORDING_CHAT = 777
# No call for this long: the bot's answer to an update is complete. Longer than a second, since a
# bot that keeps to Telegram's one message a second per chat spaces its messages that far apart.
QUIET_SECONDS = 1.2


@dataclass
class Tally:
    """What the users of one run saw."""

    updates: int = 0
    latencies: list[float] = field(default_factory=list)  # tap → next question, seconds
    firsts: list[float] = field(default_factory=list)  # /start → first question, seconds
    unanswered: int = 0  # users who gave up waiting for an answer

    def latency_ms(self) -> dict[str, float]:
        """p50/p95/p99 of tap → next question, in ms (0 when there were no taps)."""
        if not self.latencies:
            return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
        return {
            f"p{int(q * 100)}_ms": percentile(self.latencies, q) * 1000 for q in (0.5, 0.95, 0.99)
        }


async def conversation(
    api: NotifyingBotApi,
    chat_id: int,
    tally: Tally,
    *,
    think: Callable[[], float] | None = None,
    max_taps: int | None = None,
    timeout: float = WAIT_SECONDS,
    give_up: bool = False,
    quiet: float = 0.0,
    keep_going: Callable[[], bool] | None = None,
) -> None:
    """One user from /start to the advice menu (or `max_taps` taps).

    `think` gives the seconds the user reads before each tap. `give_up` counts a missing answer in
    `tally.unanswered` and ends this user instead of failing the run; the unanswered tap enters the
    latencies as `timeout` (left out, a bot that drops users would look fast). `quiet` waits after
    each answer until the bot made no call for that long (for a clean recording). `keep_going` is
    asked before each action; the user stops (after the answer it waits for) when it says no.
    """
    if keep_going is not None and not keep_going():
        return
    tapped = False
    try:
        before = mark(api, chat_id)
        begin = time.perf_counter()
        api.user_text(chat_id, "/start")
        question = await api.until(chat_id, partial(next_question, api, chat_id, before), timeout)
        tally.firsts.append(time.perf_counter() - begin)
        tally.updates += 1
        taps = 0
        while True:
            if quiet:
                await api.quiet(quiet)
            buttons = question.buttons()
            offered = [option_id(b) for b in buttons]
            done = any(option.startswith(DONE_PREFIX) for option in offered)
            if done or (max_taps is not None and taps >= max_taps):
                return
            if taps >= MAX_STEPS:
                raise RuntimeError("the conversation did not reach the advice")
            choice = choose(offered)
            label = next(str(b["text"]) for b in buttons if option_id(b) == choice)
            if think is not None:
                await asyncio.sleep(think())
            if keep_going is not None and not keep_going():
                return
            before = mark(api, chat_id, question)
            begin = time.perf_counter()
            api.user_tap(chat_id, question.message_id, label)
            tapped = True
            question = await api.until(
                chat_id, partial(next_question, api, chat_id, before), timeout
            )
            tally.latencies.append(time.perf_counter() - begin)
            tally.updates += 1
            taps += 1
            tapped = False
    except TimeoutError:
        if not give_up:
            raise
        tally.unanswered += 1
        (tally.latencies if tapped else tally.firsts).append(timeout)


def answer_delays(api: NotifyingBotApi) -> list[float]:
    """Per tap in any chat: seconds from the tap to the first answerCallbackQuery after it."""
    delays = []
    for segments in api.segments.values():
        for segment in segments:
            if segment.tapped is None:
                continue
            answers = [c.at for c in segment.calls if c.method == "answerCallbackQuery"]
            if answers:
                delays.append(answers[0] - segment.at)
    return delays


async def play(
    api: NotifyingBotApi,
    chats: Sequence[int],
    tally: Tally,
    *,
    think: tuple[float, float],
    seed: int,
    start_window: float = 0.0,
    max_taps: int | None = None,
    timeout: float = WAIT_SECONDS,
    give_up: bool = False,
) -> None:
    """Users side by side, one conversation each (the loop the live benchmarks share).

    Each chat draws its start (within `start_window` seconds) and its reading times (`think`)
    from its own seeded randomness, so every bot of a comparison meets the same users.
    """

    async def user(chat_id: int) -> None:
        reading = random.Random(seed * 100_000 + chat_id)
        await asyncio.sleep(reading.uniform(0, start_window))
        await conversation(
            api,
            chat_id,
            tally,
            think=lambda: reading.uniform(*think),
            max_taps=max_taps,
            timeout=timeout,
            give_up=give_up,
        )

    await asyncio.gather(*(user(chat_id) for chat_id in chats))


async def echoes(api: NotifyingBotApi, chat_id: int, count: int, tally: Tally) -> None:
    """One user sending `count` messages, each after the previous one was answered."""
    for index in range(count):
        before = len(api.chat(chat_id))
        begin = time.perf_counter()
        api.user_text(chat_id, f"bericht {index}")
        await api.until(chat_id, lambda: len(api.chat(chat_id)) > before)  # noqa: B023
        tally.latencies.append(time.perf_counter() - begin)
        tally.updates += 1


def process_args(kind: str, workdir: Path) -> tuple[str, tuple[str, ...]]:
    """The module and arguments of a bot kind: ours, the echo floor, or a replaying floor."""
    if kind == "bot":
        return "bot", ()
    if kind == "echo":
        return "bench.echo_bot", ()
    script = str(workdir / "script.json")
    if kind == "replay":
        return "bench.replay_bot", (script,)
    if kind == "replay-limited":
        return "bench.replay_bot", (script, "--rate-limiter")
    if kind == "replay-durable":
        size = Script.load(workdir / "script.json").record_size
        return "bench.replay_bot", (script, "--durable-writes", str(size))
    raise ValueError(f"unknown bot kind {kind!r}")


async def record_script(workdir: Path, quiet: float = QUIET_SECONDS, pace: float = 1.0) -> Script:
    """Our bot's calls for one scripted conversation, on a quiet server without flood control.

    Saved as `workdir/script.json`, where the replaying baselines read it. `pace` is the bot's
    flood-limiter pace (see `bench.live.QUICK_PACE`); the calls recorded do not depend on it.
    """
    recording = workdir / "recording"
    shutil.rmtree(recording, ignore_errors=True)  # a stored chat would resume, not start afresh
    async with api_server() as api, running(api, "bot", recording, pace=pace) as proc:
        await wait_until_polling(api, proc)
        await conversation(api, RECORDING_CHAT, Tally(), quiet=quiet)
        script = from_segments(api.segments[RECORDING_CHAT])
    if len(script.steps) < 2:
        raise RuntimeError("the recorded conversation has no taps")
    record = SessionStore(recording / "data").path_for(str(RECORDING_CHAT))
    script = replace(script, record_size=record.stat().st_size)
    script.save(workdir / "script.json")
    return script
