"""Benchmark: the bot under Telegram's flood control, against a bare PTB bot under AIORateLimiter.

Real Telegram lets a bot make about 30 counted calls a second (messages sent or edited) and about
one a second per chat, and answers more with 429 and a retry_after. Here the test Bot API server
enforces exactly that (`FloodControl`), 200 users start within one second, and each plays the
scripted conversation to the advice, reading 1-3 s before each tap. The baseline is a bare PTB bot
making the same calls with the same payloads (`bench.replay_bot`), under PTB's AIORateLimiter.

Reported per bot: 429s received, users left without an answer (none within ANSWER_WAIT seconds),
p50/p95/p99 from a tap to the next question (a tap left without an answer counts as ANSWER_WAIT),
and the counted calls per intake tap (a tap that only leads to the next question of the intake: no
picture, not yet the advice).

A second, moderate load (`MODERATE`: 20 users tapping every 1-4 s, under the same limits) is what
one person feels on a normal day: there it reports tap -> callback answer and tap -> next question,
p50 and p95, for both bots in the same run (issue 24).

    python -m bench.flood --users 200
    python -m bench.flood --moderate
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from bench.common import Result, percentile, ratio_of
from bench.conversation import intake_taps
from bench.live import (
    FloodControl,
    api_server,
    running,
    wait_until_polling,
)
from bench.script import Script
from bench.users import Tally, answer_delays, play, process_args, record_script
from dialogs import Engine

LATENCY_TARGET = 1.25  # our p95 at most this many times the baseline's
CALLS_TARGET = 1.0  # counted calls per intake tap (the callback answer is not counted)
START_WINDOW = 1.0  # every user starts within this many seconds
THINK = (1.0, 3.0)  # seconds a user reads before tapping
ANSWER_WAIT = 120.0  # a user without an answer this long is counted and gives up
SEED = 30


@dataclass(frozen=True)
class Sizes:
    users: int = 200
    think: tuple[float, float] = THINK
    max_taps: int | None = None  # None: to the advice
    chat_burst: float = 1.0  # calls a chat may make at once (still one a second on average)
    start_window: float = START_WINDOW  # every user starts within this many seconds


# Tiny, and with room for a short burst per chat, so that the check that it runs takes no 429 waits.
QUICK = Sizes(users=3, think=(0.05, 0.1), max_taps=1, chat_burst=5)
# A normal day: 15-30 users tapping every 1-4 s (issue 24), to the advice.
MODERATE = Sizes(users=20, think=(1.0, 4.0), start_window=10.0)
MODERATE_TARGET = 1.25  # our p50 and p95 of tap -> next question at most this times PTB's
MODERATE_QUICK = Sizes(users=2, think=(0.05, 0.1), max_taps=1, chat_burst=5)


@dataclass(frozen=True)
class Outcome:
    """One bot's run under flood control."""

    tally: Tally
    too_many_requests: int
    intake_calls: list[int]  # counted calls for each intake tap of each user
    seconds: float
    rejected: int  # calls refused as a bad request (a bot's mistake, e.g. answered twice)
    answers: list[float]  # tap -> callback answer, seconds


async def _phase(kind: str, sizes: Sizes, workdir: Path, intake: frozenset[int]) -> Outcome:
    module, args = process_args(kind, workdir)
    async with api_server() as api, running(api, module, workdir / kind, args) as proc:
        await wait_until_polling(api, proc)
        api.set_flood_control(
            FloodControl(chat_calls=sizes.chat_burst, chat_period=sizes.chat_burst)
        )
        tally = Tally()
        chats = [2000 + index for index in range(sizes.users)]
        begin = time.perf_counter()
        await play(
            api,
            chats,
            tally,
            think=sizes.think,
            seed=SEED,
            start_window=sizes.start_window,
            max_taps=sizes.max_taps,
            timeout=ANSWER_WAIT,
            give_up=True,
        )
        seconds = time.perf_counter() - begin
        intake_calls = [
            segment.counted()
            for chat_id in chats
            for index, segment in enumerate(api.segments[chat_id])
            if index in intake
        ]
        return Outcome(
            tally,
            len(api.flood_refusals),
            intake_calls,
            seconds,
            len(api.rejections),
            answer_delays(api),
        )


def _both_runs(sizes: Sizes, ours: Outcome, base: Outcome) -> dict[str, float | int | str]:
    """The details every flood row shows: the load, and taps, 429s and unanswered per run."""
    return {
        "users": sizes.users,
        "think_s": f"{sizes.think[0]:g}-{sizes.think[1]:g}",
        "bot_taps": len(ours.tally.latencies),
        "baseline_taps": len(base.tally.latencies),
        "bot_429s": ours.too_many_requests,
        "baseline_429s": base.too_many_requests,
        "bot_unanswered": ours.tally.unanswered,
        "baseline_unanswered": base.tally.unanswered,
    }


def _results(sizes: Sizes, ours: Outcome, base: Outcome) -> list[Result]:
    mine, theirs = ours.tally.latency_ms(), base.tally.latency_ms()
    latency_ratio = ratio_of(mine["p95_ms"], theirs["p95_ms"])
    baseline_name = "PTB bot, same calls, AIORateLimiter"
    common: dict[str, float | int | str] = {
        **_both_runs(sizes, ours, base),
        "bot_rejected_calls": ours.rejected,
        "baseline_rejected_calls": base.rejected,
        "bot_seconds": ours.seconds,
        "baseline_seconds": base.seconds,
    }
    calls = statistics.fmean(ours.intake_calls) if ours.intake_calls else 0.0
    return [
        Result(
            name="flood control: tap -> next question p95",
            unit="ms",
            ours=mine["p95_ms"],
            baseline=theirs["p95_ms"],
            baseline_name=baseline_name,
            ratio=latency_ratio,
            target=f"<= {LATENCY_TARGET}",
            met=latency_ratio is not None and latency_ratio <= LATENCY_TARGET,
            details={
                **common,
                **{f"bot_{k}": v for k, v in mine.items()},
                **{f"baseline_{k}": v for k, v in theirs.items()},
            },
        ),
        Result(
            name="flood control: 429s received",
            unit="",
            ours=float(ours.too_many_requests),
            baseline=float(base.too_many_requests),
            baseline_name=baseline_name,
            ratio=None,
            target="0",
            met=ours.too_many_requests == 0,
            details=common,
        ),
        Result(
            name="flood control: users without an answer",
            unit="",
            ours=float(ours.tally.unanswered),
            baseline=float(base.tally.unanswered),
            baseline_name=baseline_name,
            ratio=None,
            target="0",
            met=ours.tally.unanswered == 0,
            details={**common, "answer_wait_s": ANSWER_WAIT},
        ),
        Result(
            name="counted calls per intake tap",
            unit="calls",
            ours=calls,
            baseline=CALLS_TARGET,
            baseline_name="target, plus the callback answer",
            ratio=calls / CALLS_TARGET,
            target=f"<= {CALLS_TARGET:g}",
            met=bool(ours.intake_calls) and calls <= CALLS_TARGET,
            details={
                "intake_taps": len(ours.intake_calls),
                "max_calls": max(ours.intake_calls, default=0),
            },
        ),
    ]


def _moderate_results(sizes: Sizes, ours: Outcome, base: Outcome) -> list[Result]:
    """Tap -> callback answer and tap -> next question, p50 and p95, at a moderate load."""
    baseline_name = "PTB bot, same calls, AIORateLimiter"
    details = _both_runs(sizes, ours, base)
    rows = []
    for what, mine, theirs, target in (
        ("callback answer", ours.answers, base.answers, None),
        ("next question", ours.tally.latencies, base.tally.latencies, MODERATE_TARGET),
    ):
        for q in (0.5, 0.95):
            a = percentile(mine, q) * 1000 if mine else 0.0
            b = percentile(theirs, q) * 1000 if theirs else 0.0
            ratio = ratio_of(a, b)
            met = None
            if target is not None:
                met = ratio is not None and ratio <= target and ours.too_many_requests == 0
            rows.append(
                Result(
                    name=f"moderate load ({sizes.users} users): tap -> {what} p{int(q * 100)}",
                    unit="ms",
                    ours=a,
                    baseline=b,
                    baseline_name=baseline_name,
                    ratio=ratio,
                    target="report only" if target is None else f"<= {target}, 0 x 429",
                    met=met,
                    details=details,
                )
            )
    return rows


async def _run(sizes: Sizes, script: Script | None, moderate: bool = False) -> list[Result]:
    intake = intake_taps(Engine.load())
    with tempfile.TemporaryDirectory(prefix="bench-flood-") as temp:
        workdir = Path(temp)
        if script is None:
            await record_script(workdir)
        else:
            script.save(workdir / "script.json")
        ours = await _phase("bot", sizes, workdir, intake)
        base = await _phase("replay-limited", sizes, workdir, intake)
    if moderate:
        return _moderate_results(sizes, ours, base)
    return _results(sizes, ours, base)


def run(
    sizes: Sizes | None = None, script: Script | None = None, *, moderate: bool = False
) -> list[Result]:
    """The flood benchmark (a burst of users), or with `moderate` the moderate-load one."""
    chosen = sizes or (MODERATE if moderate else Sizes())
    return asyncio.run(_run(chosen, script, moderate))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=None)
    parser.add_argument("--moderate", action="store_true")
    args = parser.parse_args()
    base = MODERATE if args.moderate else Sizes()
    sizes = base if args.users is None else replace(base, users=args.users)
    for result in run(sizes, moderate=args.moderate):
        print(result)


if __name__ == "__main__":
    main()
