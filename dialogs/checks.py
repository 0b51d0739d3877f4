"""Every load-time check of the dialog definition: one small function per rule.

A malformed dialog must fail when it is loaded, never when a user reaches the broken step. So the
flow, its texts and the knowledge it points into are checked together, and every problem is
reported at once, as `where: message`. Each rule is a function `(...) -> list[str]` that only
finds; :func:`problems` runs them all. A new rule is one more function and one more line there.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from dialogs.flow import Flow, OptionSpec, unreachable
from knowledge import KnowledgeBase
from locales import DialogTexts as Texts


@dataclass(frozen=True)
class Known:
    """The names the code offers to the flow: conditions, effects and special prompts."""

    conditions: Collection[str]
    effects: Collection[str]
    renderers: Collection[str]


def problems(
    flow: Flow,
    texts: Texts,
    knowledge: KnowledgeBase,
    conditions: Collection[str],
    effects: Collection[str],
    renderers: Collection[str],
) -> list[str]:
    """Every problem of the definition as a whole, as `where: message`; empty when sound."""
    known = Known(conditions, effects, renderers)
    found = graph_problems(flow)
    found += [problem for named in NAME_RULES for problem in named(flow, known)]
    found += [problem for worded in TEXT_RULES for problem in worded(flow, texts)]
    found += [problem for modelled in KNOWLEDGE_RULES for problem in modelled(flow, knowledge)]
    return found


def graph_problems(flow: Flow) -> list[str]:
    """The problems of the graph on its own (what a drawing of it needs to be sound)."""
    return [problem for rule in FLOW_RULES for problem in rule(flow)]


# -- walking the flow ------------------------------------------------------------------------------
def _options(flow: Flow) -> Iterator[tuple[str, str, OptionSpec]]:
    """(state name, `states.<state>.<option>`, option) for every fixed option."""
    for name, state in flow.states.items():
        for option in state.options:
            yield name, f"states.{name}.{option.id}", option


def _conditions_used(flow: Flow) -> Iterator[tuple[str, str]]:
    """(where, condition) for every `when` in the flow."""
    for _, where, option in _options(flow):
        named = [option.when, *(target.when for target in option.targets)]
        yield from ((where, name) for name in named if name is not None)


def _effects_used(flow: Flow) -> Iterator[tuple[str, str]]:
    """(where, effect) for every `do` in the flow, of options, their targets and pick lists."""
    for _, where, option in _options(flow):
        for target in option.targets:
            yield from ((where, effect) for effect in target.do)
        yield from ((where, effect) for effect in option.do)
    for name, state in flow.states.items():
        if state.pick is not None:
            yield from ((f"states.{name}.pick", effect) for effect in state.pick.do)


# -- the graph ---------------------------------------------------------------------------------
def unknown_start_states(flow: Flow) -> list[str]:
    """The initial and the start state must exist."""
    return [
        f"{name}: unknown initial state"
        for name in (flow.initial, flow.start)
        if name not in flow.states
    ]


def duplicate_option_ids(flow: Flow) -> list[str]:
    """An option id says which button was pressed, so it is unique within its state."""
    found: list[str] = []
    for name, state in flow.states.items():
        ids = [option.id for option in state.options]
        found += [
            f"states.{name}.{option_id}: option id occurs more than once"
            for index, option_id in enumerate(ids)
            if option_id in ids[:index]
        ]
    return found


def actions_that_move(flow: Flow) -> list[str]:
    """An action (restart) is the engine's business: it neither leads anywhere nor does anything."""
    return [
        f"{where}: an action has no next or do"
        for _, where, option in _options(flow)
        if option.action and (option.next is not None or option.do)
    ]


def unknown_targets(flow: Flow) -> list[str]:
    """Every option and pick list leads to a state that exists."""
    found = [
        f"{where}: unknown target {target.to!r}"
        for _, where, option in _options(flow)
        for target in option.targets
        if target.to not in flow.states
    ]
    found += [
        f"states.{name}.pick: unknown target {state.pick.next!r}"
        for name, state in flow.states.items()
        if state.pick is not None and state.pick.next not in flow.states
    ]
    return found


def conditional_last_targets(flow: Flow) -> list[str]:
    """Of conditional targets one must always be taken, so the last has no condition."""
    return [
        f"{where}: the last target must have no condition"
        for _, where, option in _options(flow)
        if option.targets and option.targets[-1].when is not None
    ]


def roles_without_role(flow: Flow) -> list[str]:
    """`set_role` takes the option's id as the role, so that id must be a role."""
    return [
        f"{where}: set_role but {option.id!r} is not a role"
        for _, where, option in _options(flow)
        if "set_role" in option.do and option.id not in flow.roles
    ]


def phases_without_phase(flow: Flow) -> list[str]:
    """`set_phase` takes the option's `phase`: one without the other is a mistake."""
    return [
        f"{where}: set_phase and phase go together"
        for _, where, option in _options(flow)
        if ("set_phase" in option.do) != (option.phase is not None)
    ]


def picks_with_options(flow: Flow) -> list[str]:
    """A pick list makes its own options; fixed ones beside it would never be shown."""
    return [
        f"states.{name}.pick: a pick list has no fixed options"
        for name, state in flow.states.items()
        if state.pick is not None and state.options
    ]


def dead_ends(flow: Flow) -> list[str]:
    """A state without options or pick list would leave the user stuck."""
    return [
        f"states.{name}: no options (a dead end)"
        for name, state in flow.states.items()
        if state.pick is None and not state.options
    ]


def unchosen_roles(flow: Flow) -> list[str]:
    """A role that no option chooses (with `set_role`) can never be advised."""
    chosen = {option.id for _, _, option in _options(flow) if "set_role" in option.do}
    return [
        f"roles.{role}: no option chooses this role" for role in flow.roles if role not in chosen
    ]


def levers_in_own_layers(flow: Flow) -> list[str]:
    """A lever is a layer outside the role; one of its own layers would be advised twice."""
    return [
        f"roles.{role}.levers: {lever!r} is already one of its layers"
        for role, spec in flow.roles.items()
        for lever in spec.levers
        if lever in spec.layers
    ]


def unreachable_states(flow: Flow) -> list[str]:
    """A state that no sequence of choices reaches is dead wood, or a missing `next`."""
    return [f"states.{name}: unreachable" for name in sorted(unreachable(flow))]


FLOW_RULES: tuple[Callable[[Flow], list[str]], ...] = (
    unknown_start_states,
    duplicate_option_ids,
    actions_that_move,
    unknown_targets,
    conditional_last_targets,
    roles_without_role,
    phases_without_phase,
    picks_with_options,
    dead_ends,
    unchosen_roles,
    levers_in_own_layers,
    unreachable_states,
)


# -- names the code must offer -----------------------------------------------------------------
def unknown_conditions(flow: Flow, known: Known) -> list[str]:
    """Every `when` names a method marked @condition."""
    return [
        f"{where}: unknown condition {name!r}"
        for where, name in _conditions_used(flow)
        if name not in known.conditions
    ]


def unknown_effects(flow: Flow, known: Known) -> list[str]:
    """Every `do` names a method marked @effect."""
    return [
        f"{where}: unknown effect {name!r}"
        for where, name in _effects_used(flow)
        if name not in known.effects
    ]


def unknown_renderers(flow: Flow, known: Known) -> list[str]:
    """A `render` names one of the special prompts; a plain step names none."""
    return [
        f"states.{name}.render: unknown renderer {state.render!r}"
        for name, state in flow.states.items()
        if state.render is not None and state.render not in known.renderers
    ]


NAME_RULES: tuple[Callable[[Flow, Known], list[str]], ...] = (
    unknown_conditions,
    unknown_effects,
    unknown_renderers,
)


# -- texts ---------------------------------------------------------------------------------------
# The placeholders each template must offer, by dotted path; others must have none.
PLACEHOLDERS: dict[str, set[str]] = {
    "progress": {"number", "total"},
    "checks_intro": {"count"},
    "states.check.prompt": {"question"},
    "result.heading": {"number", "label"},
    "result.reason": {"reason", "answer"},
    "result.picked": {"number", "label", "description"},
    "result.phase_option": {"number", "label"},
    "advice.heading": {"number", "label", "role"},
    "advice.item": {"number", "title", "evidence", "explanation", "first_step"},
    "advice.warning": {"title", "when_gap"},
    "advice.warning_unsure": {"title", "when_gap"},
    "ask_which": {"first", "second"},
    "navigation.trail": {"answers"},
    "result.short": {"number", "label"},
    "advice.blind_spot": {"title", "advice"},
    "advice.next_phase": {"number", "label", "description"},
    "advice.next_item": {"title"},
    "advice.explain": {"title", "evidence", "layer", "span", "explanation", "first_step"},
    "advice.explain_option": {"number", "title"},
    "advice.span_one": {"first"},
    "advice.span_many": {"first", "last"},
}


def _fields(template: str) -> set[str] | None:
    """The placeholder names in a template; None when its braces do not parse."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError:
        return None


def _strings(value: object, path: str) -> list[tuple[str, str]]:
    """Every string in a texts model or part of it, with its dotted path."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, BaseModel):
        value = {name: getattr(value, name) for name in type(value).model_fields}
    if isinstance(value, dict):
        return [
            item
            for key, inner in value.items()
            for item in _strings(inner, f"{path}.{key}" if path else str(key))
        ]
    return []


def placeholder_mismatch(flow: Flow, texts: Texts) -> list[str]:
    """A template offers exactly the placeholders the code fills in, with braces that parse."""
    found: list[str] = []
    for path, template in _strings(texts, ""):
        fields = _fields(template)
        wanted = PLACEHOLDERS.get(path, set())
        if fields is None:
            found.append(f"{path}: braces do not match")
        elif fields != wanted:
            found.append(f"{path}: placeholders {sorted(fields)} but expected {sorted(wanted)}")
    return found


def missing_role_labels(flow: Flow, texts: Texts) -> list[str]:
    """Every role has a label (its button, and its name in the advice)."""
    return [f"roles.{role}: label missing" for role in flow.roles if role not in texts.roles]


def missing_texts(flow: Flow, texts: Texts) -> list[str]:
    """Every state has its text (prompt and help)."""
    return [f"states.{name}: text missing" for name in flow.states if name not in texts.states]


def missing_reasons(flow: Flow, texts: Texts) -> list[str]:
    """A staging question says what its answer means, for the result's "why"."""
    return [
        f"states.{name}.reason: missing (needed for the result's 'why')"
        for name, state in flow.states.items()
        if state.render == "staging" and name in texts.states and not texts.states[name].reason
    ]


def missing_option_labels(flow: Flow, texts: Texts) -> list[str]:
    """Every fixed option has a label: its state's own, a shared one, or a role's."""
    shared = texts.labels.keys() | texts.roles.keys()
    return [
        f"states.{name}.options.{option.id}: label missing"
        for name, _, option in _options(flow)
        if name in texts.states
        and option.id not in texts.states[name].options
        and option.id not in shared
    ]


def stray_option_labels(flow: Flow, texts: Texts) -> list[str]:
    """A state's label for an option it does not have is a typo or a leftover."""
    return [
        f"states.{name}.options.{option_id}: not an option of this step"
        for name, state in flow.states.items()
        if name in texts.states
        for option_id in texts.states[name].options
        if option_id not in {option.id for option in state.options}
    ]


def stray_synonyms(flow: Flow, texts: Texts) -> list[str]:
    """Synonyms for an option a state does not have are a typo or a leftover."""
    return [
        f"states.{name}.synonyms.{option_id}: not an option of this step"
        for name, state in flow.states.items()
        if name in texts.states
        for option_id in texts.states[name].synonyms
        if option_id not in {option.id for option in state.options}
    ] + [
        f"synonyms.{option_id}: not a shared label"
        for option_id in texts.synonyms
        if option_id not in texts.labels
    ]


def stray_texts(flow: Flow, texts: Texts) -> list[str]:
    """Text for a state the flow does not have is a typo or a leftover."""
    extra = texts.states.keys() - flow.states.keys()
    return [f"states.{name}: not a step of the dialog" for name in texts.states if name in extra]


TEXT_RULES: tuple[Callable[[Flow, Texts], list[str]], ...] = (
    placeholder_mismatch,
    missing_role_labels,
    missing_texts,
    missing_reasons,
    missing_option_labels,
    stray_option_labels,
    stray_synonyms,
    stray_texts,
)


# -- the knowledge -------------------------------------------------------------------------------
def unknown_phases(flow: Flow, knowledge: KnowledgeBase) -> list[str]:
    """A staging answer points to a phase of the model."""
    keys = {phase.key for phase in knowledge.phases}
    return [
        f"{where}: unknown phase {option.phase!r}"
        for _, where, option in _options(flow)
        if option.phase is not None and option.phase not in keys
    ]


def unknown_layers(flow: Flow, knowledge: KnowledgeBase) -> list[str]:
    """A role's layers and levers are layers of the model."""
    keys = {layer.key for layer in knowledge.layers}
    return [
        f"roles.{role}: unknown layer {layer!r}"
        for role, spec in flow.roles.items()
        for layer in (*spec.layers, *spec.levers)
        if layer not in keys
    ]


def missing_priorities(flow: Flow, knowledge: KnowledgeBase) -> list[str]:
    """Every phase of the model has a quick-check order."""
    keys = {phase.key for phase in knowledge.phases}
    return [
        f"quick_check.priority: phase {phase!r} is missing"
        for phase in sorted(keys - flow.quick_check.priority.keys())
    ]


def unknown_priority_phases(flow: Flow, knowledge: KnowledgeBase) -> list[str]:
    """A quick-check order belongs to a phase of the model."""
    keys = {phase.key for phase in knowledge.phases}
    return [
        f"quick_check.priority.{phase}: unknown phase"
        for phase in flow.quick_check.priority
        if phase not in keys
    ]


def _known_priorities(flow: Flow, knowledge: KnowledgeBase) -> Iterator[tuple[str, list[int]]]:
    """(phase, order) for the quick-check orders of phases the model has."""
    keys = {phase.key for phase in knowledge.phases}
    yield from ((p, order) for p, order in flow.quick_check.priority.items() if p in keys)


def repeated_preconditions(flow: Flow, knowledge: KnowledgeBase) -> list[str]:
    """A quick-check order names preconditions of the model, each at most once."""
    numbers = {precondition.number for precondition in knowledge.preconditions}
    return [
        f"quick_check.priority.{phase}: each precondition at most once"
        for phase, order in _known_priorities(flow, knowledge)
        if len(set(order)) != len(order) or not set(order) <= numbers
    ]


def too_few_checks(flow: Flow, knowledge: KnowledgeBase) -> list[str]:
    """A quick check of one question says too little: every phase gets at least two."""
    found: list[str] = []
    for phase, order in _known_priorities(flow, knowledge):
        available = sum(len(p.checks) for p in knowledge.preconditions if p.number in set(order))
        if min(available, flow.quick_check.max_questions) < 2:
            found.append(f"quick_check.priority.{phase}: fewer than two check questions")
    return found


KNOWLEDGE_RULES: tuple[Callable[[Flow, KnowledgeBase], list[str]], ...] = (
    unknown_phases,
    unknown_layers,
    missing_priorities,
    unknown_priority_phases,
    repeated_preconditions,
    too_few_checks,
)
