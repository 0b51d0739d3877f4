"""Every load-time check of the dialog definition: one small function per rule.

A malformed dialog must fail when it is loaded, never when a user reaches the broken step. So the
flow, its texts and the knowledge it points into are checked together, and every problem is
reported at once, as `where: message`. Each rule is a function `(...) -> list[str]` that only
finds; :func:`problems` runs them all. A new rule is one more function and one more line there.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Literal

from dialogs import choices
from dialogs.flow import Flow, OptionSpec, PickSpec, unreachable
from dialogs.matching import fold
from dialogs.render import BUTTON_LABEL_LIMIT
from dialogs.understanding_checks import understanding_mismatch
from knowledge import KnowledgeBase
from locales import DialogTexts as Texts
from locales.model import strings
from locales.placeholders import placeholder_problems, wanted_in


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
    found += missing_layer_wording(texts, knowledge)
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


def _picks(flow: Flow) -> Iterator[tuple[str, str, PickSpec]]:
    """(state name, `states.<state>.pick`, pick list) for every pick list."""
    for name, state in flow.states.items():
        if state.pick is not None:
            yield name, f"states.{name}.pick", state.pick


def _conditions_used(flow: Flow) -> Iterator[tuple[str, str]]:
    """(where, condition) for every `when` in the flow, of options and pick lists."""
    for _, where, option in _options(flow):
        named = [option.when, *(target.when for target in option.targets)]
        yield from ((where, name) for name in named if name is not None)
    for _, where, pick in _picks(flow):
        yield from ((where, t.when) for t in pick.targets if t.when is not None)


def _effects_used(flow: Flow) -> Iterator[tuple[str, str]]:
    """(where, effect) for every `do` in the flow, of options, their targets and pick lists."""
    for _, where, option in _options(flow):
        for target in option.targets:
            yield from ((where, effect) for effect in target.do)
        yield from ((where, effect) for effect in option.do)
    for _, where, pick in _picks(flow):
        for target in pick.targets:
            yield from ((where, effect) for effect in target.do)
        yield from ((where, effect) for effect in pick.do)


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
        f"{where}: unknown target {target.to!r}"
        for _, where, pick in _picks(flow)
        for target in pick.targets
        if target.to not in flow.states
    ]
    return found


def conditional_last_targets(flow: Flow) -> list[str]:
    """Of conditional targets one must always be taken, so the last has no condition."""
    last = [(where, option.targets) for _, where, option in _options(flow)]
    last += [(where, pick.targets) for _, where, pick in _picks(flow)]
    return [
        f"{where}: the last target must have no condition"
        for where, targets in last
        if targets and targets[-1].when is not None
    ]


def roles_without_role(flow: Flow) -> list[str]:
    """`set_role` takes the option's id as the role, so that id must be a role."""
    return [
        f"{where}: set_role but {option.id!r} is not a role"
        for _, where, option in _options(flow)
        if "set_role" in option.do and option.id not in flow.roles
    ]


# Effects that read the option's `phase`: setting it, or showing what it looks like (issue 20).
PHASE_EFFECTS = frozenset({"set_phase", "show_signals"})


def phases_without_phase(flow: Flow) -> list[str]:
    """`set_phase` (or `show_signals`) takes the option's `phase`: one without the other is a
    mistake."""
    return [
        f"{where}: set_phase and phase go together"
        for _, where, option in _options(flow)
        if bool(PHASE_EFFECTS & set(option.do)) != (option.phase is not None)
    ]


def options_like_picks(flow: Flow) -> list[str]:
    """Beside a pick list, a fixed option id must not look like a picked one (`i.<id>`)."""
    return [
        f"states.{name}.{option.id}: looks like an option of the pick list"
        for name, state in flow.states.items()
        if state.pick is not None
        for option in state.options
        if choices.parse(option.id) is not None
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
    options_like_picks,
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
def placeholder_mismatch(flow: Flow, texts: Texts) -> list[str]:
    """A template offers exactly the placeholders the code fills in (locales/placeholders.yaml),
    with braces that parse."""
    wanted = wanted_in("dialog.yaml")
    return [f"{path}: {message}" for path, message in placeholder_problems(texts, wanted)]


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
    return _not_options(flow, texts, "options")


def stray_synonyms(flow: Flow, texts: Texts) -> list[str]:
    """Synonyms for an option a state does not have are a typo or a leftover."""
    return _not_options(flow, texts, "synonyms") + [
        f"synonyms.{option_id}: not a shared label"
        for option_id in texts.synonyms
        if option_id not in texts.labels
    ]


def _not_options(flow: Flow, texts: Texts, field: Literal["options", "synonyms"]) -> list[str]:
    """The keys of a state's texts `field` (labels or synonyms, by option) that name no option
    of that state."""
    return [
        f"states.{name}.{field}.{option_id}: not an option of this step"
        for name, state in flow.states.items()
        if name in texts.states
        for option_id in getattr(texts.states[name], field)
        if option_id not in {option.id for option in state.options}
    ]


def _labelled(flow: Flow, texts: Texts) -> Iterator[tuple[str, OptionSpec, str]]:
    """(state, option, label) for every fixed option that has a label."""
    shared = texts.labels.keys() | texts.roles.keys()
    for name, _, option in _options(flow):
        if name in texts.states and (
            option.id in texts.states[name].options or option.id in shared
        ):
            yield name, option, texts.option_label(name, option.id)


def long_labels(flow: Flow, texts: Texts) -> list[str]:
    """A button's label fits a phone: longer ones Telegram cuts off where nobody can read them."""
    return [
        f"states.{name}.options.{option.id}: label {label!r} is longer than "
        f"{BUTTON_LABEL_LIMIT} characters"
        for name, option, label in _labelled(flow, texts)
        if len(label) > BUTTON_LABEL_LIMIT
    ]


def ambiguous_words(flow: Flow, texts: Texts) -> list[str]:
    """A typed word (an id, a label or a synonym) names at most one option of a step."""
    found: list[str] = []
    for name in flow.states:
        owners: dict[str, str] = {}
        for state, option, label in _labelled(flow, texts):
            if state != name:
                continue
            names = {option.id, label, *texts.option_synonyms(name, option.id)}
            for word in {fold(typed) for typed in names}:
                if word in owners and owners[word] != option.id:
                    found.append(
                        f"states.{name}: {word!r} names both {owners[word]!r} and {option.id!r}"
                    )
                owners.setdefault(word, option.id)
    return found


def stray_texts(flow: Flow, texts: Texts) -> list[str]:
    """Text for a state the flow does not have is a typo or a leftover."""
    extra = texts.states.keys() - flow.states.keys()
    return [f"states.{name}: not a step of the dialog" for name in texts.states if name in extra]


def missing_reader_lines(flow: Flow, texts: Texts) -> list[str]:
    """Every role's reader has the advice's first line in words that fit them."""
    return [
        f"advice.phase_line.{reader}: missing (the reader of role {role!r})"
        for role, spec in flow.roles.items()
        if (reader := spec.reader) not in texts.advice.phase_line
    ]


def unread_text_variants(flow: Flow, texts: Texts) -> list[str]:
    """A text's variant for a reader (`prompt_for.zzp`) that no role has is dead text or a typo."""
    readers = {spec.reader for spec in flow.roles.values()}
    found: list[str] = []
    for path, _ in strings(texts, ""):
        *_, variants, reader = ["", *path.split(".")]
        if variants.endswith("_for") and reader not in readers:
            found.append(f"{path}: no role has the reader {reader!r}")
    return found


TEXT_RULES: tuple[Callable[[Flow, Texts], list[str]], ...] = (
    placeholder_mismatch,
    missing_reader_lines,
    unread_text_variants,
    missing_role_labels,
    missing_texts,
    missing_reasons,
    missing_option_labels,
    stray_option_labels,
    stray_synonyms,
    long_labels,
    ambiguous_words,
    stray_texts,
    understanding_mismatch,
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


def readers_of_layers(flow: Flow) -> dict[str, set[str]]:
    """Who reads each layer's advice: the readers of roles whose layers or levers include it."""
    found: dict[str, set[str]] = {}
    for spec in flow.roles.values():
        for layer in (*spec.layers, *spec.levers):
            found.setdefault(layer, set()).add(spec.reader)
    return found


def unreachable_variants(flow: Flow, knowledge: KnowledgeBase) -> list[str]:
    """A reader variant that no role reads is dead text, or a reader given the wrong layer.

    First steps are read by the readers of the intervention's layer; what to do about a gap by
    every role's reader; a blind spot's advice by the readers of the layers in its scope (all
    readers when the scope names no layer).
    """
    layers = readers_of_layers(flow)
    everyone = {spec.reader for spec in flow.roles.values()}
    found = [
        f"interventions.{item.id}.first_step_for.{reader}: no role reads this layer as {reader}"
        for item in knowledge.interventions
        for reader in item.first_step_for
        if reader not in layers.get(item.layer, set())
    ]
    found += [
        f"preconditions.{item.id}.when_gap_for.{reader}: no role has this reader"
        for item in knowledge.preconditions
        for reader in item.when_gap_for
        if reader not in everyone
    ]
    for spot in knowledge.blind_spots:
        scoped = {
            role.reader
            for role in flow.roles.values()
            if not spot.scope.layers or set(role.layers) & set(spot.scope.layers)
        }
        found += [
            f"blind_spots.{spot.id}.advice_for.{reader}: no role in its scope has this reader"
            for reader in spot.advice_for
            if reader not in scoped
        ]
    return found


def missing_layer_wording(texts: Texts, knowledge: KnowledgeBase) -> list[str]:
    """Every layer of the model has words for where an intervention works ("via HR")."""
    return [
        f"advice.via.{layer.key}: missing"
        for layer in knowledge.layers
        if layer.key not in texts.advice.via
    ]


def keys_too_long_for_a_button(flow: Flow, knowledge: KnowledgeBase) -> list[str]:
    """A button names its phase, intervention, warning or word by the knowledge's own key
    (dialogs/choices.py), and Telegram carries at most 64 bytes: each key must fit."""
    keyed = [
        *((f"phases.{p.key}", p.key) for p in knowledge.phases),
        *((f"interventions.{i.id}", i.id) for i in knowledge.interventions),
        *((f"preconditions.{p.id}", p.id) for p in knowledge.preconditions),
        *((f"glossary.{t.id}", t.id) for t in knowledge.glossary),
    ]
    return [
        f"{where}: id too long for a button (at most {choices.MAX_KEY} characters)"
        for where, key in keyed
        if not choices.fits(key)
    ]


KNOWLEDGE_RULES: tuple[Callable[[Flow, KnowledgeBase], list[str]], ...] = (
    keys_too_long_for_a_button,
    unreachable_variants,
    unknown_phases,
    unknown_layers,
    missing_priorities,
    unknown_priority_phases,
    repeated_preconditions,
    too_few_checks,
)
