"""Choosing what to advise: pure functions from (role, phase, answers) to knowledge records.

Kept apart from wording (:mod:`dialogs.render`) and from the dialog graph, so that the tests can
check the choice against the knowledge store's own ranking without reading any Dutch.
"""

from __future__ import annotations

from collections.abc import Sequence

from dialogs.flow import AdviceSpec, QuickCheckSpec, RoleSpec
from knowledge import KnowledgeBase
from knowledge.schema import BlindSpot, CheckQuestion, Intervention, Precondition


def quick_checks(knowledge: KnowledgeBase, spec: QuickCheckSpec, phase: str) -> list[str]:
    """The check question ids to ask for this phase: by the phase's priority, at most the maximum.

    All check questions of one precondition come before the next precondition, because the
    priority says which condition matters most in this phase, not which question.
    """
    chosen: list[str] = []
    for number in spec.priority[phase]:
        for precondition in knowledge.preconditions:
            if precondition.number == number:
                chosen.extend(check.id for check in precondition.checks)
    return chosen[: spec.max_questions]


def check_question(knowledge: KnowledgeBase, check_id: str) -> tuple[Precondition, CheckQuestion]:
    """A check question with the precondition it belongs to; KeyError when unknown."""
    for precondition in knowledge.preconditions:
        for check in precondition.checks:
            if check.id == check_id:
                return precondition, check
    raise KeyError(check_id)


def ranked(knowledge: KnowledgeBase, role: RoleSpec, phase: str) -> list[Intervention]:
    """All interventions of the role's own layers for this phase, best first (the store's order)."""
    return knowledge.interventions_for(role.layers, phase)


def levers(
    knowledge: KnowledgeBase,
    role: RoleSpec,
    phase: str,
    spec: AdviceSpec,
    shown: Sequence[Intervention],
) -> list[Intervention]:
    """The best one or two interventions in the lever layers (tasks, colleagues) for this phase.

    Skips what is already shown and what shares a theme with something shown (the report lists
    e.g. "constructief feedback geven" in two layers; saying it twice helps nobody).
    """
    seen_ids = {item.id for item in shown}
    seen_themes = {item.theme for item in shown if item.theme}
    chosen: list[Intervention] = []
    for layer in role.levers:
        candidates = [
            item
            for item in knowledge.interventions_for([layer], phase)
            if item.id not in seen_ids and item.theme not in seen_themes
        ]
        for item in candidates[: spec.levers_per_layer]:
            chosen.append(item)
            seen_ids.add(item.id)
            if item.theme:
                seen_themes.add(item.theme)
    return chosen


def first_advice(
    knowledge: KnowledgeBase, role: RoleSpec, phase: str, spec: AdviceSpec
) -> tuple[list[Intervention], list[Intervention]]:
    """The first advice: the role's best interventions, and the levers beside them."""
    primary = ranked(knowledge, role, phase)[: spec.first]
    return primary, levers(knowledge, role, phase, spec, primary)


def more_advice(
    knowledge: KnowledgeBase,
    role: RoleSpec,
    phase: str,
    spec: AdviceSpec,
    advised: Sequence[str],
) -> list[Intervention]:
    """The next interventions of the role's own layers that were not advised yet."""
    done = set(advised)
    return [item for item in ranked(knowledge, role, phase) if item.id not in done][: spec.more]


def blind_spots(
    knowledge: KnowledgeBase,
    role: RoleSpec,
    phase: str,
    spec: AdviceSpec,
) -> list[BlindSpot]:
    """The blind-spot notes that apply here, the most specific first, at most the maximum.

    A note scoped to this phase, layer or audience says more than one that applies everywhere.
    """
    found = knowledge.blind_spots_for(phase, role.layers, role.audiences)
    found.sort(
        key=lambda spot: (
            -(bool(spot.scope.phases) + bool(spot.scope.layers) + bool(spot.scope.audiences))
        )
    )
    return found[: spec.blind_spots]


def next_phase_advice(
    knowledge: KnowledgeBase, role: RoleSpec, phase: str, spec: AdviceSpec
) -> list[Intervention]:
    """What helps in the following phase, for this role; empty in the last phase."""
    number = knowledge.phase(phase).number
    if number >= max(p.number for p in knowledge.phases):
        return []
    return ranked(knowledge, role, str(number + 1))[: spec.next_phase]


def team_helpers(
    knowledge: KnowledgeBase, layers: Sequence[str], phases: Sequence[str], limit: int = 3
) -> list[tuple[Intervention, int]]:
    """The interventions of these layers that help most employees at once, with how many.

    An intervention helps an employee when its span covers the employee's phase; the best reach
    first, ties in the store's order (best first), and only those that help more than one.
    """
    counts: dict[str, int] = {}
    found: dict[str, Intervention] = {}
    for phase in phases:
        for item in knowledge.interventions_for(list(layers), phase):
            counts[item.id] = counts.get(item.id, 0) + 1
            found[item.id] = item
    ranked_ids = sorted(found, key=lambda item_id: -counts[item_id])  # stable: store order kept
    return [(found[i], counts[i]) for i in ranked_ids if counts[i] > 1][:limit]
