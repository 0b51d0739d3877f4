"""Benchmark: a tap's callback answer for one person tapping at a normal pace, against a bare bot.

Why: a tap shows a spinner on the button until the bot answers the callback query, so this is the
wait a user feels first. Our poller once paused up to half a second whenever an update was still in
hand, which put ~480 ms on this figure against ~16 ms for a bare PTB bot. Both bots here poll the
same test Bot API server with the same polling timeout, without flood control (a callback answer is
not counted by Telegram); ours keeps Telegram's pace in its own limiter. The baseline is a bare PTB
bot making our calls (`bench.replay_bot`), which answers the callback first, as ours does.

Reported: p50 and p95 from the tap to the callback answer's arrival at the server, over all taps
of `users` users each playing the scripted conversation to the advice, reading `think` seconds
before each tap; the bots play in turns for `rounds` rounds. Also our getUpdates calls per update.

    python -m bench.tap_answer --users 1
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import Result, percentile, ratio_of
from bench.live import api_server, running, wait_until_polling
from bench.script import Script
from bench.users import Tally, answer_delays, play, process_args, record_script

TARGET = 1.5  # our p95 at most this many times the bare bot's (issue 24)
THINK = (1.2, 3.6)  # seconds a user reads before tapping: a normal pace
SEED = 24


@dataclass(frozen=True)
class Sizes:
    users: int = 1
    rounds: int = 3
    think: tuple[float, float] = THINK
    max_taps: int | None = None  # None: to the advice


QUICK = Sizes(users=1, rounds=1, think=(0.05, 0.1), max_taps=2)


@dataclass
class Measured:
    """One bot's taps over all its rounds."""

    answers: list[float] = field(default_factory=list)  # tap → callback answer, seconds
    updates: int = 0
    polls: int = 0


async def _round(kind: str, sizes: Sizes, workdir: Path, index: int, into: Measured) -> None:
    module, args = process_args(kind, workdir)  # the replaying bot reads workdir/script.json
    seed = SEED + index
    async with api_server() as api, running(api, module, workdir / f"{kind}-{index}", args) as proc:
        await wait_until_polling(api, proc)
        polls_before = len(api.method_calls("getUpdates"))
        tally = Tally()
        chats = [3000 + number for number in range(sizes.users)]
        await play(api, chats, tally, think=sizes.think, seed=seed, max_taps=sizes.max_taps)
        into.answers.extend(answer_delays(api))
        into.updates += tally.updates
        into.polls += len(api.method_calls("getUpdates")) - polls_before


def _results(sizes: Sizes, ours: Measured, base: Measured) -> list[Result]:
    mine = {q: percentile(ours.answers, q) * 1000 for q in (0.5, 0.95)}
    theirs = {q: percentile(base.answers, q) * 1000 for q in (0.5, 0.95)}
    details: dict[str, float | int | str] = {
        "users": sizes.users,
        "rounds": sizes.rounds,
        "think_s": f"{sizes.think[0]:g}-{sizes.think[1]:g}",
        "bot_taps": len(ours.answers),
        "baseline_taps": len(base.answers),
        "bot_p50_ms": mine[0.5],
        "baseline_p50_ms": theirs[0.5],
        "bot_getupdates_per_update": ours.polls / max(1, ours.updates),
        "baseline_getupdates_per_update": base.polls / max(1, base.updates),
    }
    name = f"tap -> callback answer, {sizes.users} user{'s' if sizes.users > 1 else ''}"
    rows = []
    for q, label, target in ((0.5, "p50", None), (0.95, "p95", TARGET)):
        ratio = ratio_of(mine[q], theirs[q])
        rows.append(
            Result(
                name=f"{name}, {label}",
                unit="ms",
                ours=mine[q],
                baseline=theirs[q],
                baseline_name="bare PTB bot, same calls",
                ratio=ratio,
                target="report only" if target is None else f"<= {target}",
                met=None if target is None else ratio is not None and ratio <= target,
                details=details,
            )
        )
    return rows


async def _run(sizes: Sizes, script: Script | None) -> list[Result]:
    ours, base = Measured(), Measured()
    with tempfile.TemporaryDirectory(prefix="bench-tap-answer-") as temp:
        workdir = Path(temp)
        if script is None:
            await record_script(workdir)
        else:
            script.save(workdir / "script.json")
        for index in range(sizes.rounds):
            order = [("bot", ours), ("replay", base)]
            if index % 2:
                order.reverse()  # interleaved: neither bot always runs on a fresher machine
            for kind, into in order:
                await _round(kind, sizes, workdir, index, into)
    return _results(sizes, ours, base)


def run(sizes: Sizes | None = None, script: Script | None = None) -> list[Result]:
    return asyncio.run(_run(sizes or Sizes(), script))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parsed = parser.parse_args()
    for result in run(Sizes(users=parsed.users, rounds=parsed.rounds)):
        print(result)


if __name__ == "__main__":
    main()
