"""The action plan's content, taken from the dialog's one decision of what to advise.

What goes on paper is chosen in :mod:`dialogs.advice` (`AdvicePlan`): the steps shown so far, the
gaps, the blind spot and the referrals. This module only collects that in the reader's words,
with the knowledge those keys point to. It never holds a name: the document offers a line to
write the name by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dialogs.advice import AdvicePlan
from dialogs.civil import AMSTERDAM, review_day
from dialogs.session import Session
from knowledge import KnowledgeBase
from knowledge.schema import Intervention

# The review after four weeks: the reminder "w4" offered right after the plan (flow.yaml
# team.review_weeks) names the same day (test_plan_and_reminder_name_one_working_day).
CHECK_IN_WEEKS = 4
# The model's phases: an intervention spanning them all is relevant in every phase.
PHASE_COUNT = 5


@dataclass(frozen=True)
class ActionPlan:
    """The full content of one action plan, in reading order (its parts follow below)."""

    made_on: date
    role_label: str
    layer_labels: tuple[str, ...]
    check_in: date
    phase_number: int
    phase_label: str
    phase_description: str
    steps: tuple[PlanStep, ...]
    gaps: tuple[PlanNote, ...]
    all_preconditions: tuple[str, ...]
    blind_spots: tuple[PlanNote, ...]
    referrals: tuple[PlanNote, ...]
    reader: str  # who reads the plan (flow.yaml roles' `reader`)


@dataclass(frozen=True)
class PlanStep:
    """One chosen intervention, as a checklist item.

    `report_title`: the report's own name, kept for traceability where it differs from the plain
    title (None where it does not); `reconstructed`: we completed that name, as the report cuts
    it off. `span_note`: the report gives no phase for it, so its span is our estimate.
    `phases`: where the report finds it most relevant ("2-4"; None: in every phase);
    `evidence`: the report's mark for scientific literature. `first_step` is the coach's tip,
    not the report's.
    """

    title: str
    first_step: str
    report_title: str | None = None
    reconstructed: bool = False
    span_note: str | None = None
    phases: str | None = None
    evidence: bool = False

    @classmethod
    def of(cls, item: Intervention, reader: str, work: str | None = None) -> PlanStep:
        shown = item.report_title_differs or item.title_reconstructed
        return cls(
            title=item.title,
            first_step=item.first_step_for_reader(reader, work),
            report_title=item.report_title if shown else None,
            reconstructed=item.title_reconstructed,
            span_note=item.span_note,
            phases=None if item.phases.width == PHASE_COUNT else str(item.phases),
            evidence=item.evidence,
        )


@dataclass(frozen=True)
class PlanNote:
    """A titled piece of guidance: a precondition, a blind spot, a place to find help."""

    title: str
    text: str


def check_in_day(session: Session, today: date) -> date:
    """The plan's review date: the reminder's day when one is set for this employee, else the
    day the reminder offered after the plan would name (`review_day`, the one rule for both)."""
    slot = session.current_slot()
    if slot is not None and slot.review_at is not None:
        return slot.review_at.astimezone(AMSTERDAM).date()
    return review_day(today, CHECK_IN_WEEKS)


def build_action_plan(
    session: Session,
    kb: KnowledgeBase,
    advice: AdvicePlan,
    role_label: str,
    today: date,
) -> ActionPlan:
    """Collect the plan's content; ValueError when the session has no diagnosis or advice yet.

    `advice` is the dialog's one decision of what it advised and what goes on paper
    (`dialogs.advice.plan_of`): the plan prints exactly that, in the reader's words — the same
    steps as the chat, the warnings without repeated first steps, its blind spot and referrals.
    The session adds what the dialog found (its layers).
    """
    if session.phase is None or not session.advised:
        raise ValueError("an action plan needs a diagnosed phase and advice already shown")
    reader = advice.reader
    phase = kb.phase(advice.phase)
    return ActionPlan(
        made_on=today,
        role_label=role_label,
        layer_labels=tuple(item.label for item in kb.layers if item.key in session.layers),
        check_in=check_in_day(session, today),
        phase_number=phase.number,
        phase_label=phase.label,
        phase_description=phase.description_for_reader(reader),
        steps=tuple(PlanStep.of(item, reader, advice.work) for item in advice.shown),
        gaps=tuple(
            PlanNote(gap.title, text)
            for gap, text in zip(advice.gaps, advice.gap_advice, strict=True)
        ),
        all_preconditions=tuple(item.title for item in kb.preconditions),
        blind_spots=tuple(
            PlanNote(spot.title, spot.advice_for_reader(reader)) for spot in advice.plan_blind_spots
        ),
        referrals=tuple(PlanNote(item.name, item.what) for item in advice.plan_referrals),
        reader=reader,
    )
