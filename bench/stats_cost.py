"""Benchmark: CPU per update of the conversation service with the anonymous count on and off.

Why: the count (bot/stats/) runs on every saved step; the issue allows it less than 1 % of the
CPU an update costs. Both sides run the same conversations through the same service on a store
on disk (as the bot runs), taking turns conversation by conversation (off, on, on, off, ...) so
that a slower moment of a shared machine hits both; the count's flushes to its month file (every
60 s, as in the bot) are inside the figure. CPU time of this process, not wall time: the fsyncs
of a save wait on the disk, not on the CPU. A second figure, `own_us_per_update`, is the count's
own CPU measured from inside (thread CPU clock around each observe, plus the flushes).

    python -m bench.stats_cost --rounds 10 --conversations 40
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import Result
from bench.conversation import conversation_events
from bench.live import (
    QUICK_PACE,
    api_server,
    cpu_seconds,
    start_process,
    stop_process,
    wait_until_polling,
)
from bench.users import Tally as UsersSaw
from bench.users import conversation
from bot.conversation import Conversation
from bot.persistence import SessionStore
from bot.settings import Settings
from bot.stats import Tally
from dialogs import Engine, Event, Session
from dialogs.milestones import Before

TARGET_PERCENT = 1.0
FLUSH_SECONDS = Settings.model_fields["bot_stats_flush_seconds"].default


class _Timed:
    """The count's own CPU time, measured from inside: each observe (in the worker thread that
    runs the step) and each flush. A second view, far less noisy than a difference of two sides;
    it leaves out only the snapshot of the session before the step (about 1.5 us)."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.seconds = 0.0

    def observe(self, before: Before | None, after: Session) -> None:
        start = time.thread_time()
        self.tally.observe(before, after)
        self.seconds += time.thread_time() - start

    def flush(self) -> None:
        self.tally.flush()  # timed by the caller, apart


async def _conversation(conversation: Conversation, events: list[Event], key: str) -> float:
    """CPU seconds of one whole conversation through the service."""
    start = time.process_time()
    turn = await conversation.handle(key, 1, events[0])
    for update, event in enumerate(events[1:], start=2):
        turn = await conversation.handle(key, update, event, tap_turn=turn.turn)
    return time.process_time() - start


@dataclass
class _Measured:
    ratios: list[list[float]]  # per round, per conversation: CPU with the count / CPU without
    off: float = 0.0  # CPU seconds of every conversation without the count
    flush: float = 0.0  # CPU seconds of the counted side's flushes
    updates: int = 0


async def _rounds(
    engine: Engine, events: list[Event], rounds: int, conversations: int, temp: Path
) -> tuple[_Measured, _Timed]:
    """The two sides take turns conversation by conversation (who goes first alternates), each
    with its own store on disk, so each pair of runs shares the moment's load of a busy machine.
    The counted side flushes every FLUSH_SECONDS, as the bot does, and once at the end."""
    timed = _Timed(Tally(temp / "on"))
    sides = {
        True: Conversation(engine, SessionStore(temp / "on"), 30, stats=timed.observe),
        False: Conversation(engine, SessionStore(temp / "off"), 30),
    }
    measured = _Measured([])
    due = time.monotonic() + FLUSH_SECONDS
    for index in range(rounds):
        ratios: list[float] = []
        for chat in range(conversations):
            key = str(index * conversations + chat)
            spent = {True: 0.0, False: 0.0}
            for counted in (True, False) if chat % 2 else (False, True):
                spent[counted] = await _conversation(sides[counted], events, key)
            ratios.append(spent[True] / spent[False])
            measured.off += spent[False]
            measured.updates += len(events)
            if time.monotonic() >= due or (index == rounds - 1 and chat == conversations - 1):
                start = time.process_time()
                timed.flush()
                measured.flush += time.process_time() - start
                due = time.monotonic() + FLUSH_SECONDS
        measured.ratios.append(ratios)
    return measured, timed


def run(rounds: int = 10, conversations: int = 40) -> Result:
    engine = Engine.load()
    events = conversation_events(engine)
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as temp:
        asyncio.run(_rounds(engine, events, 1, 2, Path(temp) / "warm"))  # imports, caches
        measured, timed = asyncio.run(
            _rounds(engine, events, rounds, conversations, Path(temp) / "run")
        )
    # The step's share: the median of all paired ratios, robust to the outliers a shared machine
    # throws in; the flushes' share: their CPU over all the CPU without the count.
    flush_share = measured.flush / measured.off
    ratio = statistics.median(v for round_ in measured.ratios for v in round_) + flush_share
    per_round = [statistics.median(round_) + flush_share for round_ in measured.ratios]
    percent = (ratio - 1) * 100
    off = measured.off / measured.updates
    own = (timed.seconds + measured.flush) / measured.updates
    return Result(
        name="CPU per update, anonymous count on vs off",
        unit="us",
        ours=off * ratio * 1e6,
        baseline=off * 1e6,
        baseline_name="count off",
        ratio=ratio,
        target=f"< {TARGET_PERCENT:g} % more",
        met=percent < TARGET_PERCENT,
        details={
            "overhead_percent": round(percent, 2),
            "flush_percent": round(flush_share * 100, 3),
            "own_us_per_update": round(own * 1e6, 2),
            "own_percent": round(own / off * 100, 2),
            "pairs": rounds * conversations,
            "updates_per_conversation": len(events),
        },
        spread=(min(per_round), max(per_round)),
    )


async def _whole_bot(users: int, counted: bool, workdir: Path, pace: float) -> float:
    """CPU milliseconds per update of the real bot process, every user talking at once."""
    async with api_server() as api:
        env = {"BOT_STATS_ENABLED": "true" if counted else "false"}
        proc = start_process("bot", api, workdir, extra_env=env, pace=pace)
        try:
            await wait_until_polling(api, proc)
            before = cpu_seconds(proc)
            users_saw = UsersSaw()
            await asyncio.gather(*(conversation(api, 3000 + i, users_saw) for i in range(users)))
            spent = cpu_seconds(proc) - before
        finally:
            await stop_process(proc, api)
    return spent * 1000 / users_saw.updates


def run_whole_bot(users: int = 100, rounds: int = 6, pace: float = QUICK_PACE) -> Result:
    """The same comparison on the whole bot (`python -m bot` over the test Bot API server): its
    CPU per update, the figure `make bench` reports as "CPU per update", with
    BOT_STATS_ENABLED true and false in turns (who goes first alternates)."""
    ratios: list[float] = []
    off: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-stats-bot-") as temp:
        for index in range(rounds):
            spent: dict[bool, float] = {}
            for counted in (False, True) if index % 2 == 0 else (True, False):
                workdir = Path(temp) / f"{index}-{counted}"
                spent[counted] = asyncio.run(_whole_bot(users, counted, workdir, pace))
            ratios.append(spent[True] / spent[False])
            off.append(spent[False])
    ratio = statistics.median(ratios)
    percent = (ratio - 1) * 100
    return Result(
        name="CPU per update of the whole bot, anonymous count on vs off",
        unit="ms",
        ours=statistics.median(off) * ratio,
        baseline=statistics.median(off),
        baseline_name="count off",
        ratio=ratio,
        target=f"< {TARGET_PERCENT:g} % more",
        met=percent < TARGET_PERCENT,
        details={"overhead_percent": round(percent, 2), "users": users, "rounds": rounds},
        spread=(min(ratios), max(ratios)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--conversations", type=int, default=40)
    parser.add_argument("--bot-users", type=int, default=0, help="also the whole bot, N users")
    parser.add_argument("--bot-rounds", type=int, default=6)
    args = parser.parse_args()
    if args.bot_users:
        whole = run_whole_bot(args.bot_users, args.bot_rounds)
        print(
            f"{whole.name}: {whole.ours:.3f} ms vs {whole.baseline:.3f} ms"
            f" ({whole.details['overhead_percent']} %, ratio {whole.ratio_text()})"
        )
    result = run(args.rounds, args.conversations)
    print(
        f"{result.name}: {result.ours:.1f} us vs {result.baseline:.1f} us"
        f" ({result.details['overhead_percent']} %, ratio {result.ratio_text()});"
        f" its own time {result.details['own_us_per_update']} us"
        f" ({result.details['own_percent']} %)"
    )


if __name__ == "__main__":
    main()
