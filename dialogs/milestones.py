"""Which milestones of a conversation one accepted step reached, from the session before and after.

Why here and why pure: the anonymous count (bot/stats/) must not spread hooks over the engine and
its effects, which change often. Comparing two sessions in one function keeps every rule in one
place, testable without a store, and independent of option ids (they are positions or names that
may change): it reads only the session's data and the names of a few states of
dialogs/data/flow.yaml (checked by a test, so a renamed state fails loudly).

A milestone carries only coarse, anonymous dimensions: the role, the phase, the kind of business
(not asked by the dialog yet, so always empty today) and one precondition that was a gap. No key,
no time, no free text: the caller adds the day.

Rules of thumb kept here: a step back (the history shrinks) reaches no milestone; a step back and
the same answer again count again (the count is of events, not of people).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dialogs.session import Session

# The flow's states these rules name (dialogs/data/flow.yaml).
INITIAL = "welkom"
QUICK_CHECK = ("org", "check")
CHECK = "check"
ADVICE = "advies"
DETAIL = "uitleg"
TERM = "woord"
PLAN = "plan"
REMINDER = "herinnering"
CHECKIN_PHASE = ("ci_fase", "ci_kies")
STATES = (INITIAL, *QUICK_CHECK, ADVICE, DETAIL, TERM, PLAN, REMINDER, *CHECKIN_PHASE)


class Milestone(StrEnum):
    """What can be counted today; the values are the names in the count files (never change)."""

    STARTED = "started"
    ROLE = "role"
    PHASE = "phase"
    CHECKED = "checked"  # the quick check finished (its gaps are counted as GAP, one each)
    GAP = "gap"
    ADVICE = "advice"
    DETAIL = "detail"
    PLAN = "plan"
    REMINDER = "reminder"
    CHECKIN_UP = "checkin_up"
    CHECKIN_SAME = "checkin_same"
    CHECKIN_DOWN = "checkin_down"
    STEP_DONE = "step_done"
    STEP_BUSY = "step_busy"
    STEP_NOT_YET = "step_not_yet"


STEP_MILESTONES = {
    "gedaan": Milestone.STEP_DONE,
    "bezig": Milestone.STEP_BUSY,
    "nog_niet": Milestone.STEP_NOT_YET,
}


@dataclass(frozen=True, slots=True)
class Mark:
    """One milestone reached, with its coarse dimensions ("" where not known or not asked)."""

    milestone: Milestone
    role: str = ""
    phase: str = ""
    business: str = ""  # the kind of business: not asked by the dialog yet, always "" today
    gap: str = ""


def milestones(before: Session | None, after: Session) -> list[Mark]:
    """The milestones reached by the step that turned `before` into `after`.

    `before` is None for a chat that had no session (its first contact). `before` must be a copy
    taken before the step: the engine changes the session in place.
    """
    if before is None:
        before = Session(language=after.language, state=INITIAL)
    if after.turn == before.turn:
        return []  # nothing accepted: a stale tap, a help text, a resumed start
    marks: list[Mark] = []
    role, phase = after.role or "", after.phase or ""
    restarted = _restarted(before, after)
    if restarted:
        marks.append(Mark(Milestone.STARTED))
    if len(after.history) < len(before.history) and not restarted:
        return marks  # a step back: nothing new was reached
    if after.role is not None and (after.role != before.role or restarted):
        marks.append(Mark(Milestone.ROLE, role))
    if after.state in QUICK_CHECK and before.state not in QUICK_CHECK and after.phase:
        marks.append(Mark(Milestone.PHASE, role, phase))
    if before.state == CHECK and after.state != CHECK:
        marks.append(Mark(Milestone.CHECKED, role, phase))
        marks.extend(Mark(Milestone.GAP, role, phase, gap=gap) for gap in after.precondition_gaps)
    if before.state in CHECKIN_PHASE and after.state not in CHECKIN_PHASE:
        marks.append(Mark(_outcome(after.state), role, before.phase or ""))
    if after.state == ADVICE and after.advised and after.advised != before.advised:
        marks.append(Mark(Milestone.ADVICE, role, phase))
    if after.state == DETAIL and before.state not in (DETAIL, TERM):
        marks.append(Mark(Milestone.DETAIL, role, phase))
    if after.state == PLAN and before.state != PLAN:
        marks.append(Mark(Milestone.PLAN, role, phase))
    marks.extend(_team_marks(before, after, role))
    return marks


def _restarted(before: Session, after: Session) -> bool:
    """A first start, or a confirmed restart (which always asks first when answers would go)."""
    if before.state == INITIAL:
        return after.state != INITIAL
    asked = before.confirm_restart is not None and after.confirm_restart is None
    return asked and after.history != before.history


def _outcome(state: str) -> Milestone:
    """Where a check-in's phase answer led: the advice (moved up), the reminder (same), or a new
    look with the quick check (an earlier phase picked)."""
    if state == ADVICE:
        return Milestone.CHECKIN_UP
    if state == REMINDER:
        return Milestone.CHECKIN_SAME
    return Milestone.CHECKIN_DOWN


def _team_marks(before: Session, after: Session, role: str) -> list[Mark]:
    """A reminder set, and first steps answered at a check-in, per employee (letters not kept)."""
    marks: list[Mark] = []
    if after.slots is before.slots:
        return marks
    earlier = {slot.letter: slot for slot in before.slots}
    for slot in after.slots:
        old = earlier.get(slot.letter)
        phase = slot.phase or ""
        old_review = old.review_at if old is not None else None
        if slot.review_at is not None and slot.review_at != old_review:
            marks.append(Mark(Milestone.REMINDER, role, phase))
        if old is None or slot.steps is old.steps:
            continue
        old_status = {step.item: step.status for step in old.steps}
        for step in slot.steps:
            if step.status != "open" and old_status.get(step.item) != step.status:
                marks.append(Mark(STEP_MILESTONES[step.status], role, phase))
    return marks
