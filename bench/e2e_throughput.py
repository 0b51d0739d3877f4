"""Benchmark: updates per second of the whole bot against bare PTB bots, interleaved, in rounds.

N simulated users each run a full conversation to the advice, interleaved, through the test Bot
API server on 127.0.0.1. Two floors play the same users on the same server with the same settings:

- a bare python-telegram-bot echo bot (one reply per update), the framework's cheapest work;
- a bare PTB bot replaying our bot's recorded calls with the same payloads (`bench.replay_bot`),
  so that the ratio against it isolates what the dialog, the knowledge and the storage cost;
- the same replaying bot doing our bot's disk work per update as well (a read and a durable
  write of a record's size, `--durable-writes`, at its least CPU): the ratio against it is what
  our bot costs besides keeping every turn on disk (report only).

This shared machine's speed drifts by a factor of two between minutes, so one phase after another
says little. The phases run interleaved, in rotating order, for several rounds; a ratio is
taken within each round, and the table shows the median ratio with its lowest and highest. CPU
milliseconds per update of each bot process (steadier than a rate) and the latency from a tap to
the next question are reported beside them.

    python -m bench.e2e_throughput --users 200 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import Result, median
from bench.floor import floor_pool
from bench.live import (
    QUICK_PACE,
    api_server,
    cpu_seconds,
    running,
    wait_until_polling,
)
from bench.script import Script
from bench.users import Tally, conversation, echoes, process_args, record_script
from bot.telegram.app import CONNECTION_POOL

TARGET = 0.8
CPU_TARGET = 1.25  # our CPU per update at most this many times the same-traffic baseline's
KINDS = ("bot", "echo", "replay", "replay-durable")


@dataclass(frozen=True)
class Phase:
    """One bot kind's run with all users."""

    kind: str
    rate: float  # updates per second
    updates: int
    calls: int  # Bot API calls besides getUpdates
    cpu_ms: float  # CPU milliseconds of the bot process per update
    tally: Tally

    @property
    def calls_per_update(self) -> float:
        return self.calls / self.updates

    @property
    def call_rate(self) -> float:
        return self.rate * self.calls_per_update


async def _measure(
    kind: str, users: int, per_user: int, workdir: Path, label: str, pace: float
) -> Phase:
    """Run one bot, play all users at once."""
    module, args = process_args(kind, workdir)
    async with (
        api_server() as api,
        running(api, module, workdir / label, args, pace=pace) as proc,
    ):
        await wait_until_polling(api, proc)
        calls_before = len(api.calls)
        cpu_before = cpu_seconds(proc)
        tally = Tally()
        chats = [1000 + i for i in range(users)]
        begin = time.perf_counter()
        if kind == "echo":
            await asyncio.gather(*(echoes(api, chat, per_user, tally) for chat in chats))
        else:
            await asyncio.gather(*(conversation(api, chat, tally) for chat in chats))
        elapsed = time.perf_counter() - begin
        cpu = cpu_seconds(proc) - cpu_before
        if api.rejections:
            raise RuntimeError(f"the server rejected calls of {kind}: {api.rejections[:3]}")
        calls = sum(1 for name, _ in api.calls[calls_before:] if name != "getUpdates")
        return Phase(
            kind, tally.updates / elapsed, tally.updates, calls, cpu * 1000 / tally.updates, tally
        )


def _order(round_index: int) -> tuple[str, ...]:
    """Rotate the phases, so that no kind always runs first (or last) in a round."""
    shift = round_index % len(KINDS)
    return KINDS[shift:] + KINDS[:shift]


async def _rounds(
    users: int, rounds: int, workdir: Path, script: Script, pace: float
) -> list[dict[str, Phase]]:
    per_user = len(script.steps)  # the echo users send as many updates as a conversation has
    measured: list[dict[str, Phase]] = []
    for index in range(rounds):
        phases: dict[str, Phase] = {}
        for kind in _order(index):
            label = f"{kind}-{index}"
            phases[kind] = await _measure(kind, users, per_user, workdir, label, pace)
        measured.append(phases)
    return measured


def _spread(values: list[float]) -> tuple[float, float]:
    return (min(values), max(values))


def _reported(
    name: str,
    unit: str,
    ours: float,
    baseline: float,
    baseline_name: str,
    ratios: list[float],
    details: dict[str, float | int | str],
) -> Result:
    """A row that only reports: the median of the rounds' ratios and their spread."""
    return Result(
        name=name,
        unit=unit,
        ours=ours,
        baseline=baseline,
        baseline_name=baseline_name,
        ratio=median(ratios),
        spread=_spread(ratios),
        target="report only",
        met=None,
        details=details,
    )


def _results(users: int, measured: list[dict[str, Phase]], record_size: int) -> list[Result]:
    def med(kind: str, value: str) -> float:
        return median([float(getattr(r[kind], value)) for r in measured])

    def ratios(ours: str, kind: str, value: str = "rate") -> list[float]:
        return [float(getattr(r[ours], value)) / float(getattr(r[kind], value)) for r in measured]

    def latency(kind: str) -> dict[str, float]:
        pooled = Tally(latencies=[x for r in measured for x in r[kind].tally.latencies])
        return pooled.latency_ms()

    def per_round(kind: str, value: str) -> str:
        return " ".join(f"{float(getattr(r[kind], value)):.3g}" for r in measured)

    bot, replay = latency("bot"), latency("replay")
    common: dict[str, float | int | str] = {
        "users": users,
        "rounds": len(measured),
        "updates": measured[0]["bot"].updates,
        "bot_calls_per_update": med("bot", "calls_per_update"),
        "bot_cpu_ms_per_update": med("bot", "cpu_ms"),
        **{f"bot_tap_{k}": v for k, v in bot.items()},
        "bot_rate_per_round": per_round("bot", "rate"),
        "bot_cpu_ms_per_round": per_round("bot", "cpu_ms"),
        # Equal connection pools on both sides (issue 24.4): the floors get the bot's.
        "bot_connection_pool": CONNECTION_POOL,
        "baseline_connection_pool": floor_pool(),
    }
    echo_ratios = ratios("bot", "echo")
    replay_ratios = ratios("bot", "replay")
    call_ratios = ratios("bot", "echo", "call_rate")
    cpu_ratios = ratios("bot", "replay", "cpu_ms")
    durable_cpu_ratios = ratios("bot", "replay-durable", "cpu_ms")
    durable_rate_ratios = ratios("bot", "replay-durable")
    latency_ratio = bot["p95_ms"] / replay["p95_ms"]
    return [
        Result(
            name="end-to-end throughput",
            unit="updates/s",
            ours=med("bot", "rate"),
            baseline=med("echo", "rate"),
            baseline_name="PTB echo bot, 1 reply/update",
            ratio=median(echo_ratios),
            spread=_spread(echo_ratios),
            target=f">= {TARGET}, median",
            met=median(echo_ratios) >= TARGET,
            details={
                **common,
                "baseline_calls_per_update": med("echo", "calls_per_update"),
                "baseline_cpu_ms_per_update": med("echo", "cpu_ms"),
                "baseline_rate_per_round": per_round("echo", "rate"),
            },
        ),
        Result(
            name="end-to-end, same Telegram traffic",
            unit="updates/s",
            ours=med("bot", "rate"),
            baseline=med("replay", "rate"),
            baseline_name="PTB bot replaying our calls",
            ratio=median(replay_ratios),
            spread=_spread(replay_ratios),
            target=f">= {TARGET}, median",
            met=median(replay_ratios) >= TARGET,
            details={
                **common,
                "baseline_calls_per_update": med("replay", "calls_per_update"),
                "baseline_cpu_ms_per_update": med("replay", "cpu_ms"),
                **{f"baseline_tap_{k}": v for k, v in replay.items()},
                "baseline_rate_per_round": per_round("replay", "rate"),
                "baseline_cpu_ms_per_round": per_round("replay", "cpu_ms"),
            },
        ),
        # CPU time per update of the bot process: steadier than a rate on a shared machine.
        Result(
            name="CPU per update, same Telegram traffic",
            unit="ms",
            ours=med("bot", "cpu_ms"),
            baseline=med("replay", "cpu_ms"),
            baseline_name="PTB bot replaying our calls",
            ratio=median(cpu_ratios),
            spread=_spread(cpu_ratios),
            target=f"<= {CPU_TARGET}, median",
            met=median(cpu_ratios) <= CPU_TARGET,
            details={
                "echo_cpu_ms_per_update": med("echo", "cpu_ms"),
                "bot_connection_pool": CONNECTION_POOL,
                "baseline_connection_pool": floor_pool(),
            },
        ),
        # What our bot costs besides the durable write of each turn: the same floor, doing a
        # read and a durable write of a record's size per update with our own primitive.
        _reported(
            name="CPU per update, same traffic and disk writes",
            unit="ms",
            ours=med("bot", "cpu_ms"),
            baseline=med("replay-durable", "cpu_ms"),
            baseline_name="PTB bot replaying our calls + our disk work",
            ratios=durable_cpu_ratios,
            details={
                "record_bytes_written_per_update": record_size,
                "baseline_cpu_ms_per_round": per_round("replay-durable", "cpu_ms"),
                "throughput_ratio": median(durable_rate_ratios),
                "throughput_ratio_per_round": " ".join(f"{r:.3g}" for r in durable_rate_ratios),
                "baseline_rate": med("replay-durable", "rate"),
            },
        ),
        Result(
            name="end-to-end, tap -> next question p95",
            unit="ms",
            ours=bot["p95_ms"],
            baseline=replay["p95_ms"],
            baseline_name="PTB bot replaying our calls",
            ratio=latency_ratio,
            target="report only",
            met=None,
            details={
                **{f"bot_{k}": v for k, v in bot.items()},
                **{f"baseline_{k}": v for k, v in replay.items()},
            },
        ),
        # Per call, our bot and the echo bot do the same framework work.
        _reported(
            name="end-to-end, per Telegram call",
            unit="calls/s",
            ours=med("bot", "call_rate"),
            baseline=med("echo", "call_rate"),
            baseline_name="PTB echo bot",
            ratios=call_ratios,
            details={"bot_calls_per_update": med("bot", "calls_per_update")},
        ),
    ]


async def _run(users: int, rounds: int, script: Script | None, pace: float) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as temp:
        workdir = Path(temp)
        if script is None:
            script = await record_script(workdir, pace=pace)
        else:
            script.save(workdir / "script.json")
        measured = await _rounds(users, rounds, workdir, script, pace)
    return _results(users, measured, script.record_size)


def run(
    users: int = 200, rounds: int = 3, script: Script | None = None, pace: float = 1.0
) -> list[Result]:
    """`pace`: our limiter's pace against Telegram's. `make bench` and the command line give it
    `bench.live.QUICK_PACE`, because the baselines have no limiter and this server no limits."""
    return asyncio.run(_run(users, rounds, script, pace))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    # The pace `make bench` gives our limiter here: the baselines have none, so at Telegram's own
    # pace this would measure our limiter (about 24 updates/s), not the work per update.
    parser.add_argument("--pace", type=float, default=QUICK_PACE)
    args = parser.parse_args()
    for result in run(args.users, args.rounds, pace=args.pace):
        print(result)


if __name__ == "__main__":
    main()
