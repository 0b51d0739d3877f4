"""Benchmark: one /terug after 10,000 answers against one /terug after a short conversation.

/terug once replayed the whole history of answers (1.05 s after 3,000 rounds of opening and
closing one detail, while holding a lock all chats share). A step back now restores the small
snapshot its answer kept, so its cost should not grow with the length of a chat: the ratio says
how much a long chat costs more than a short one, and the target is the issue's "under 5 ms".
The record's size after all those answers is reported with it (the issue's bound: 20 KB).

    python -m bench.back_step --answers 10000
"""

from __future__ import annotations

import argparse
import gc
import time
from itertools import cycle

from bench.common import Result, median, percentile
from bench.conversation import DONE_PREFIX, conversation_events
from bot.persistence.records import ChatRecord
from bot.persistence.store import record_bytes
from dialogs import Command, Engine, Event, Session, new_session

TARGET_MS = 5.0
# At the advice: a detail opened and closed, the plan and back, a check-in period chosen.
ROUND = ["detail", "terug", "plan", "terug", "herinner", "w2"]


def _at_advice(engine: Engine) -> Session:
    session = new_session()
    for event in conversation_events(engine):
        engine.handle(session, event)
    return session


def _answer(engine: Engine, session: Session, name: str) -> None:
    """One answer of ROUND (`detail`: the first intervention on offer), or "meer" when offered."""
    offered = [option.id for option in engine.current_options(session)]
    if name == "detail":
        name = next(option for option in offered if option.startswith(DONE_PREFIX))
    engine.handle(session, Event.option(name))


def _long_chat(engine: Engine, answers: int) -> Session:
    session = _at_advice(engine)
    for given, name in enumerate(cycle(ROUND)):
        if given >= answers:
            break
        _answer(engine, session, name)
    return session


def _back_costs(engine: Engine, session: Session, samples: int) -> list[float]:
    """Per sample: one /terug on a fresh copy of `session` (the copy is not timed)."""
    back = Event.command(Command.BACK)
    costs = []
    for _ in range(samples):
        work = session.model_copy(deep=True)
        start = time.perf_counter()
        engine.handle(work, back)
        costs.append(time.perf_counter() - start)
    return costs


def run(answers: int = 10_000, samples: int = 200) -> Result:
    """Median /terug after `answers` answers vs after the short way to the advice."""
    engine = Engine.load()
    short = _at_advice(engine)
    long = _long_chat(engine, answers)
    gc.collect()
    floor = _back_costs(engine, short, samples)
    ours = _back_costs(engine, long, samples)
    mine, base = median(ours), median(floor)
    return Result(
        name=f"/terug after {answers:,} answers (median)",
        unit="µs",
        ours=mine * 1e6,
        baseline=base * 1e6,
        baseline_name=f"/terug after the {len(short.history)} answers to the advice",
        ratio=mine / base,
        target=f"< {TARGET_MS:g} ms",
        met=mine * 1e3 < TARGET_MS,
        details={
            "answers": answers,
            "history_kept": len(long.history),
            "record_bytes": len(record_bytes(ChatRecord(session=long))),
            "p99_us": percentile(ours, 0.99) * 1e6,
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=10_000)
    args = parser.parse_args()
    print(run(args.answers))


if __name__ == "__main__":
    main()
