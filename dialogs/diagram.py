"""A picture of the flow: the engine's own machine, drawn by `transitions` as a mermaid diagram.

A drawing made by hand goes stale with the first change to flow.yaml. So the picture is generated:
from the very machine the engine runs (plus restart, which the engine handles outside the graph),
and the diagram in `data/README.md` is replaced between two marker comments by ``make diagram``.
A test keeps the committed picture equal to the generated one.
"""

from __future__ import annotations

from typing import Any

from transitions import Machine
from transitions.extensions.diagrams import GraphMachine

from dialogs.flow import DATA_DIR, Flow
from dialogs.machine import PICK_TRIGGER, build_machine, option_trigger

README = DATA_DIR / "README.md"
START = "<!-- flow:start -->"
END = "<!-- flow:end -->"


def mermaid(flow: Flow) -> str:
    """The flow as a mermaid state diagram: states, and each move labelled with its option id.

    A label shows `[condition]` when the move is conditional and `[internal]` for an option that
    only shows something; `pick phases` and `pick advised` stand for the options made at run time.
    """
    moves = _machine_moves(flow, build_machine(flow)) + _restarts(flow)
    graph = GraphMachine(
        states=list(flow.states),
        transitions=moves,
        initial=flow.initial,
        auto_transitions=False,
        graph_engine="mermaid",
        show_conditions=True,
        # transitions writes the title as it is into mermaid's front matter, which is YAML.
        title="title: flow.yaml",
    )
    source: str = graph.get_graph().source
    return "\n".join(line.rstrip() for line in source.splitlines()) + "\n"


def _machine_moves(flow: Flow, machine: Machine) -> list[dict[str, Any]]:
    """Every transition of the engine's machine, labelled with the option id that triggers it."""
    labels = {
        option_trigger(option.id): option.id
        for state in flow.states.values()
        for option in state.options
    }
    moves: list[dict[str, Any]] = []
    for trigger, event in machine.events.items():
        for source, transitions in event.transitions.items():
            pick = flow.states[source].pick
            label = (
                f"{PICK_TRIGGER} {pick.source}"
                if trigger == PICK_TRIGGER and pick
                else labels[trigger]
            )
            moves.extend(
                {
                    "trigger": trigger,
                    "source": source,
                    "dest": transition.dest,
                    "conditions": [condition.func for condition in transition.conditions],
                    "label": label,
                }
                for transition in transitions
            )
    return moves


def _restarts(flow: Flow) -> list[dict[str, Any]]:
    """Restart options, which lead to the start state outside the machine."""
    return [
        {
            "trigger": option_trigger(option.id),
            "source": name,
            "dest": flow.start,
            "label": f"{option.id} (restart)",
        }
        for name, state in flow.states.items()
        for option in state.options
        if option.action == "restart"
    ]


def embed(document: str, diagram: str) -> str:
    """`document` with the part between the flow markers replaced by `diagram` as a mermaid block.

    ValueError when the markers are missing or out of order, so nothing is written in the wrong
    place.
    """
    start, end = document.find(START), document.find(END)
    if start < 0 or end < start:
        raise ValueError(f"expected {START} followed by {END}")
    block = f"{START}\n```mermaid\n{diagram}```\n"
    return document[:start] + block + document[end:]
