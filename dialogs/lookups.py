"""What a dialog step looks up, read once from the flow and the texts when the engine loads.

Why: the flow and the texts never change after loading, and finding a state's options, their
labels, an option's definition or where an answer leads by walking the flow again on every step
cost more than the step's own work (issue 22). Every table here is keyed by the flow's names.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogs.events import Option
from dialogs.flow import Flow, OptionSpec
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
