"""What a dialog step looks up, read once from the flow and the texts when the engine loads.

Why: the flow and the texts never change after loading, and finding a state's options, their
labels, an option's definition or where an answer leads by walking the flow again on every step
cost more than the step's own work (issue 22). Every table here is keyed by the flow's names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dialogs.events import Option
from dialogs.flow import Flow, OptionSpec
from dialogs.machine import PICK_TRIGGER, Move, option_trigger
from locales import DialogTexts

# The id of an option that goes back by itself (the advice's views have one).
OWN_BACK = "terug"


@dataclass(frozen=True)
class Lookups:
    """The tables of one flow in one language."""

    # Per state: its fixed options as offered, each with the condition that may hide it.
    fixed: dict[str, tuple[tuple[str | None, Option], ...]]
    # Per state whose fixed options have no condition: all of them, as offered.
    always: dict[str, tuple[Option, ...]]
    # Per (state, option id): the fixed option's definition.
    specs: dict[tuple[str, str], OptionSpec]
    # Per answer (state, option id; None for the state's pick list): the states it can lead to.
    leads: dict[tuple[str, str | None], frozenset[str]]
    # The states with a "terug" of their own.
    own_back: frozenset[str]


def read_lookups(flow: Flow, texts: DialogTexts) -> Lookups:
    fixed = {name: _fixed(flow, texts, name) for name in flow.states}
    return Lookups(
        fixed=fixed,
        always={
            name: tuple(option for _, option in options)
            for name, options in fixed.items()
            if all(when is None for when, _ in options)
        },
        specs={
            (name, option.id): option
            for name, state in flow.states.items()
            for option in state.options
        },
        leads=_leads(flow),
        own_back=frozenset(
            name
            for name, state in flow.states.items()
            if any(option.id == OWN_BACK for option in state.options)
        ),
    )


def _fixed(flow: Flow, texts: DialogTexts, name: str) -> tuple[tuple[str | None, Option], ...]:
    return tuple(
        (
            option.when,
            Option(
                option.id,
                texts.option_label(name, option.id),
                texts.option_synonyms(name, option.id),
            ),
        )
        for option in flow.states[name].options
    )


def _leads(flow: Flow) -> dict[tuple[str, str | None], frozenset[str]]:
    leads: dict[tuple[str, str | None], frozenset[str]] = {
        (name, option.id): frozenset(target.to for target in option.targets)
        for name, state in flow.states.items()
        for option in state.options
    }
    leads.update(
        ((name, None), frozenset(target.to for target in state.pick.targets))
        for name, state in flow.states.items()
        if state.pick is not None
    )
    return leads


# -- the tables of one step, from the flow's lookups ---------------------------------------------
# Answers: per fixed option (state, option id), and per state with a pick list (state, None).
AnswerKey = tuple[str, str | None]


def answer_moves(
    flow: Flow, lookups: Lookups, moves: dict[tuple[str, str], tuple[Move, ...]]
) -> dict[AnswerKey, tuple[Move, ...]]:
    """The moves an answer can take (from the machine's table, :func:`machine.moves_of`)."""
    table: dict[AnswerKey, tuple[Move, ...]] = {
        key: moves.get((key[0], option_trigger(key[1])), ()) for key in lookups.specs
    }
    table.update(
        ((name, None), moves.get((name, PICK_TRIGGER), ()))
        for name, state in flow.states.items()
        if state.pick is not None
    )
    return table


def options_by_id(flow: Flow, lookups: Lookups) -> dict[str, dict[str, Option]]:
    """Per state without a pick list or a condition on its options: its options by id, so that
    a tap there is checked with one lookup."""
    return {
        name: {option.id: option for option in options}
        for name, options in lookups.always.items()
        if flow.states[name].pick is None
    }


def in_place_pairs(groups: Iterable[frozenset[str]]) -> frozenset[tuple[str, str]]:
    """The (answered state, reached state) pairs within one of `groups` (flow.yaml `in_place`
    and the intake): their next question may be edited into the one just answered."""
    return frozenset(
        (source, reached) for states in groups for source in states for reached in states
    )


def back_tables(
    flow: Flow, lookups: Lookups
) -> tuple[dict[AnswerKey, frozenset[str]], frozenset[str]]:
    """Where an answer leads, for the answers a step back can undo (not a check-in's, which was
    entered from outside the graph), and the states "← Terug" may show in."""
    entries = set(flow.entries)
    undoable = {key: leads for key, leads in lookups.leads.items() if key[0] not in entries}
    return undoable, frozenset(flow.states) - entries - lookups.own_back


def fixed_buttons(
    flow: Flow, lookups: Lookups, back: Option, most: int
) -> dict[str, tuple[tuple[Option, ...], tuple[Option, ...]]]:
    """Per state whose buttons never change (no pick list, no condition, at most `most`, one
    page): its buttons without and with `back`, as every prompt of the state shows them."""
    return {
        name: (options, (*options, back))
        for name, options in lookups.always.items()
        if flow.states[name].pick is None and len(options) <= most
    }
