"""What goes into a manager's action plan, decided apart from how it is printed.

The plan holds only what the session holds (role, layers, phase, precondition gaps, the advice
shown) plus the knowledge those keys point to. It never holds a name: the document offers a line to
write the employee's name by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol, TypeVar

from dialogs.advice import AdvicePlan
from dialogs.session import Session
from knowledge import KnowledgeBase
from knowledge.schema import Scope

CHECK_IN_AFTER = timedelta(weeks=4)
# The plan should fit one page: the most specific blind spots and referrals are enough on paper;
# the dialog shows the rest.
MAX_BLIND_SPOTS = 1
MAX_REFERRALS = 2


class _Scoped(Protocol):
    @property
    def scope(self) -> Scope: ...


T = TypeVar("T", bound=_Scoped)


def most_specific(items: Sequence[T], limit: int) -> list[T]:
    """The `limit` items whose scope names the most criteria; the author's order breaks ties.

    A referral meant for this phase or layer helps more than one that applies everywhere.
    """

    def specificity(item: T) -> int:
        scope = item.scope
        return -sum(bool(criterion) for criterion in (scope.phases, scope.layers, scope.audiences))

    return sorted(items, key=specificity)[:limit]


@dataclass(frozen=True)
class PlanStep:
    """One chosen intervention, as a checklist item."""

    title: str
    first_step: str


@dataclass(frozen=True)
class PlanNote:
    """A titled piece of guidance: a precondition, a blind spot, a place to find help."""

    title: str
    text: str


@dataclass(frozen=True)
class ActionPlan:
    """The full content of one action plan, in reading order."""

    made_on: date
    check_in: date
    role_label: str
    layer_labels: tuple[str, ...]
    phase_number: int
    phase_label: str
    phase_description: str
    steps: tuple[PlanStep, ...]
    gaps: tuple[PlanNote, ...]
    all_preconditions: tuple[str, ...]
    blind_spots: tuple[PlanNote, ...]
    referrals: tuple[PlanNote, ...]
    reader: str  # who reads the plan (flow.yaml roles' `reader`)


def build_action_plan(
    session: Session,
    kb: KnowledgeBase,
    advice: AdvicePlan,
    role_label: str,
    audiences: list[str],
    today: date,
) -> ActionPlan:
    """Collect the plan's content; ValueError when the session has no diagnosis or advice yet.

    `advice` is the dialog's one decision of what it advised (`dialogs.advice.plan_of`): the plan
    prints exactly that, in the reader's words — the same steps as the chat, the warnings without
    repeated first steps. The session adds what the dialog found (its layers); `audiences` choose
    the referrals.
    """
    if session.phase is None or not session.advised:
        raise ValueError("an action plan needs a diagnosed phase and advice already shown")
    reader = advice.reader
    phase = kb.phase(advice.phase)
    return ActionPlan(
        made_on=today,
        check_in=today + CHECK_IN_AFTER,
        role_label=role_label,
        layer_labels=tuple(item.label for item in kb.layers if item.key in session.layers),
        phase_number=phase.number,
        phase_label=phase.label,
        phase_description=phase.description,
        steps=tuple(
            PlanStep(item.title, item.first_step_for_reader(reader)) for item in advice.shown
        ),
        gaps=tuple(
            PlanNote(gap.title, text)
            for gap, text in zip(advice.gaps, advice.gap_advice, strict=True)
        ),
        all_preconditions=tuple(item.title for item in kb.preconditions),
        blind_spots=tuple(
            PlanNote(spot.title, spot.advice_for_reader(reader))
            for spot in advice.blind_spots[:MAX_BLIND_SPOTS]
        ),
        referrals=tuple(
            PlanNote(referral.name, referral.what)
            for referral in most_specific(
                kb.referrals_for(phase.key, session.layers, audiences), MAX_REFERRALS
            )
        ),
        reader=reader,
    )
