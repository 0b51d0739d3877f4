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
    role_label: str | None
    layer_labels: tuple[str, ...]
    phase_number: int
    phase_label: str
    phase_description: str
    steps: tuple[PlanStep, ...]
    gaps: tuple[PlanNote, ...]
    all_preconditions: tuple[str, ...]
    blind_spots: tuple[PlanNote, ...]
    referrals: tuple[PlanNote, ...]
    reader: str | None = None  # who reads the plan (flow.yaml roles' `reader`)


def build_action_plan(
    session: Session,
    kb: KnowledgeBase,
    role_label: str | None,
    audiences: list[str],
    today: date,
    advice: AdvicePlan | None = None,
) -> ActionPlan:
    """Collect the plan's content; ValueError when the session has no diagnosis or advice yet.

    With `advice` (the dialog's one decision of what it advised) the plan prints exactly that, in
    the reader's words: the same steps as the chat, the warnings without repeated first steps.
    """
    if session.phase is None or not session.advised:
        raise ValueError("an action plan needs a diagnosed phase and advice already shown")
    phase = kb.phase(session.phase)
    if advice is not None:
        return _from_advice(session, kb, role_label, audiences, today, advice)
    return ActionPlan(
        made_on=today,
        check_in=today + CHECK_IN_AFTER,
        role_label=role_label,
        layer_labels=tuple(item.label for item in kb.layers if item.key in session.layers),
        phase_number=phase.number,
        phase_label=phase.label,
        phase_description=phase.description,
        steps=tuple(
            PlanStep(item.title, item.first_step)
            for item in (kb.intervention(i) for i in session.advised)
        ),
        gaps=tuple(
            PlanNote(item.title, item.when_gap)
            for item in (kb.precondition(i) for i in session.precondition_gaps)
        ),
        all_preconditions=tuple(item.title for item in kb.preconditions),
        blind_spots=tuple(
            PlanNote(spot.title, spot.advice)
            for spot in most_specific(
                kb.blind_spots_for(phase.key, session.layers, audiences), MAX_BLIND_SPOTS
            )
        ),
        referrals=tuple(
            PlanNote(referral.name, referral.what)
            for referral in most_specific(
                kb.referrals_for(phase.key, session.layers, audiences), MAX_REFERRALS
            )
        ),
    )


def _from_advice(
    session: Session,
    kb: KnowledgeBase,
    role_label: str | None,
    audiences: list[str],
    today: date,
    advice: AdvicePlan,
) -> ActionPlan:
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
