"""Benchmark: one `Engine.handle` call against one bare `transitions` trigger, in the same run.

The engine's floor is the state-machine library it is built on; the ratio says how much our
dialog logic (staging, advice composition, rendering Dutch text) costs on top of a trigger.

    python -m bench.engine_step --conversations 200
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable

from transitions import Machine

from bench.common import Result, median, percentile
from bench.conversation import conversation_events
from dialogs import Engine, new_session

DEADLINE_SECONDS = 60.0


class _Model:
    """The smallest transitions model: one state, one self-transition."""

    state: str
    go: Callable[[], bool]


def _bare_trigger_costs(samples: int) -> list[float]:
    model = _Model()
    Machine(model=model, states=["a"], transitions=[["go", "a", "a"]], initial="a")
    costs = []
    for _ in range(samples):
        start = time.perf_counter()
        model.go()
        costs.append(time.perf_counter() - start)
    return costs


def _engine_step_costs(engine: Engine, conversations: int, deadline: float) -> list[float]:
    events = conversation_events(engine)
    costs = []
    for _ in range(conversations):
        session = new_session()
        for event in events:
            start = time.perf_counter()
            engine.handle(session, event)
            costs.append(time.perf_counter() - start)
        if time.monotonic() > deadline:
            break
    return costs


def run(conversations: int = 200) -> Result:
    """Median and p99 of a step over `conversations` full conversations vs a bare trigger."""
    engine = Engine.load()
    deadline = time.monotonic() + DEADLINE_SECONDS
    gc.collect()
    steps = _engine_step_costs(engine, conversations, deadline)
    triggers = _bare_trigger_costs(len(steps))
    ours, floor = median(steps), median(triggers)
    return Result(
        name="engine step (median)",
        unit="µs",
        ours=ours * 1e6,
        baseline=floor * 1e6,
        baseline_name="bare transitions trigger",
        ratio=ours / floor,
        target="report only",
        met=None,
        details={
            "steps": len(steps),
            "steps_per_conversation": len(steps) // max(1, conversations),
            "p99_us": percentile(steps, 0.99) * 1e6,
            "baseline_p99_us": percentile(triggers, 0.99) * 1e6,
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=200)
    args = parser.parse_args()
    result = run(args.conversations)
    print(result)


if __name__ == "__main__":
    main()
