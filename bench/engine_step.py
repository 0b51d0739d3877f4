"""Benchmark: one `Engine.handle` call against one bare `transitions` step, in the same run.

The engine's floor is the state-machine library it is built on, used the way a dialog must use
it: a machine of the same size as the dialog's (as many states, the same options), with one model
kept attached, put in the state the chat is at with `set_state` and moved by one trigger. The ratio
says how much our dialog logic (staging, advice composition, rendering Dutch text, copying the
session) costs on top of that.

The engine and the peer take turns for ROUNDS rounds; the figure is the median of the rounds'
ratios, with their spread (a busy machine slows both sides of a round alike).

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
TARGET = 3.0
ROUNDS = 3


class _Model:
    """The peer's one model, kept attached to its machine."""

    state: str
    trigger: Callable[..., bool]


def _peer(states: int) -> tuple[Machine, _Model, list[str]]:
    """A bare machine with the dialog's number of states, built with the dialog machine's flags.

    Every state has one trigger `go` to the next one, so each step is one real transition.
    """
    names = [f"s{index}" for index in range(states)]
    model = _Model()
    machine = Machine(
        model=model,
        states=names,
        transitions=[
            {"trigger": "go", "source": name, "dest": names[(index + 1) % states]}
            for index, name in enumerate(names)
        ],
        initial=names[0],
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=False,
    )
    return machine, model, names


def _bare_step_costs(states: int, samples: int) -> list[float]:
    """Per step: position the model in a state (as a chat's stored state), trigger once."""
    machine, model, names = _peer(states)
    costs = []
    for index in range(samples):
        source = names[(index * 5) % states]
        start = time.perf_counter()
        machine.set_state(source, model=model)
        moved = model.trigger("go")
        costs.append(time.perf_counter() - start)
        if not moved:
            raise RuntimeError("the peer machine did not move")
    return costs


def _engine_step_costs(
    engine: Engine, conversations: int, deadline: float
) -> tuple[list[float], list[float]]:
    """Per step: the whole `handle`, and the part of it that renders the next question.

    Rendering is timed again on the moved session (the question with its options, as the step
    ends with it): the profile's answer to "what does a step cost beyond moving the machine".
    """
    events = conversation_events(engine)
    costs, renders = [], []
    for _ in range(conversations):
        session = new_session()
        for event in events:
            start = time.perf_counter()
            engine.handle(session, event)
            costs.append(time.perf_counter() - start)
            start = time.perf_counter()
            engine.prompt(session)
            renders.append(time.perf_counter() - start)
        if time.monotonic() > deadline:
            break
    return costs, renders


def run(conversations: int = 200, rounds: int = ROUNDS) -> Result:
    """Median and p99 of a step over `conversations` full conversations vs a bare step, in
    `rounds` interleaved rounds; the ratio is the median of the rounds' ratios."""
    engine = Engine.load()
    states = len(engine.flow.states)
    steps: list[float] = []
    renders: list[float] = []
    triggers: list[float] = []
    ratios: list[float] = []
    for _ in range(rounds):
        deadline = time.monotonic() + DEADLINE_SECONDS / rounds
        gc.collect()
        ours, rendered = _engine_step_costs(engine, conversations, deadline)
        floor = _bare_step_costs(states, len(ours))
        ratios.append(median(ours) / median(floor))
        steps.extend(ours)
        renders.extend(rendered)
        triggers.extend(floor)
    ratio = median(ratios)
    return Result(
        name="engine step (median)",
        unit="µs",
        ours=median(steps) * 1e6,
        baseline=median(triggers) * 1e6,
        baseline_name=f"bare transitions, {states} states, set_state + trigger",
        ratio=ratio,
        target=f"<= {TARGET:g}",
        met=ratio <= TARGET,
        details={
            "rounds": rounds,
            "steps": len(steps),
            "steps_per_conversation": len(steps) // max(1, conversations * rounds),
            "states": states,
            "p99_us": percentile(steps, 0.99) * 1e6,
            "render_next_question_median_us": median(renders) * 1e6,
            "baseline_p99_us": percentile(triggers, 0.99) * 1e6,
        },
        spread=(min(ratios), max(ratios)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    result = run(args.conversations, args.rounds)
    print(result)


if __name__ == "__main__":
    main()
