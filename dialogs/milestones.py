"""Which milestones of a conversation one accepted step reached, from the session before and after.

Why here and why pure: the anonymous count (bot/stats/) must not spread hooks over the engine and
its effects, which change often. Comparing two sessions in one function keeps every rule in one
place, testable without a store, and independent of option ids (they are positions or names that
may change): it reads only the session's data and the names of a few states of
dialogs/data/flow.yaml (checked by a test, so a renamed state fails loudly).

A milestone carries only coarse, anonymous dimensions: the role, the phase, the kind of business
(the session's `work`, once the reader said it), one precondition that was a gap, and for a
check-in's outcome how far the first steps got in that same check-in. No key, no time, no free
text: the caller adds the day.

Rules of thumb kept here: a step back (the history shrinks) reaches no milestone; a step back and
the same answer again count again (the count is of events, not of people).
"""

from __future__ import annotations

from enum import StrEnum
from operator import itemgetter
from typing import NamedTuple

from dialogs.session import Answer, Session, Slot

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
    SELF_SHARED = "self_shared"  # an employee shared their own self-check (issue 21)


STEP_MILESTONES = {
    "gedaan": Milestone.STEP_DONE,
    "bezig": Milestone.STEP_BUSY,
    "nog_niet": Milestone.STEP_NOT_YET,
}


# A check-in's first steps in one word, the furthest any of them got (the order of the buttons).
FURTHEST = ("gedaan", "bezig", "nog_niet")


class Mark(NamedTuple):
    """One milestone reached, with its coarse dimensions ("" where not known or not asked)."""

    milestone: Milestone
    role: str = ""
    phase: str = ""
    business: str = ""  # the kind of work (`maken`, `bouw`, ...): "" when skipped or not asked
    gap: str = ""
    # On a check-in's outcome only: the furthest first step of that check-in (FURTHEST), "" when
    # the check-in asked none.
    step: str = ""


class Before(NamedTuple):
    """What the rules read of a session, taken in well under a microsecond.

    Read from the model's `__dict__` (where pydantic keeps the fields): an attribute read on the
    model costs several times more, and the count must stay under 1 % of a step
    (bench/stats_cost.py). Holding the session's lists is safe: the engine replaces a session's
    lists and employees on a change, it never changes them in place.
    """

    state: str
    turn: int
    history: list[Answer]
    role: str | None
    phase: str | None
    advised: list[str]
    confirm_restart: str | None
    slots: list[Slot]
    gaps: list[str]
    work: str | None
    current: str | None
    checkin_step: int


_READ = itemgetter(
    "state",
    "turn",
    "history",
    "role",
    "phase",
    "advised",
    "confirm_restart",
    "slots",
    "precondition_gaps",
    "work",
    "current",
    "checkin_step",
)


def snapshot(session: Session) -> Before:
    """The session's state before a step, for :func:`milestones` after it."""
    return tuple.__new__(Before, _READ(session.__dict__))


FIRST = Before(INITIAL, 0, [], None, None, [], None, [], [], None, None, 0)


def milestones(before: Before | None, session: Session) -> list[Mark]:
    """The milestones reached by the step that turned `before` into `session`.

    `before` is None for a chat that had no session (its first contact).
    """
    return between(before, snapshot(session))


def between(before: Before | None, after: Before) -> list[Mark]:
    """:func:`milestones` from two snapshots: the count takes them at the step and works out the
    milestones later, in batches (bot/stats/tally.py)."""
    if before is None:
        before = FIRST
    # An employee's share reaches the manager's session from another chat, between its turns.
    shared = _shared_marks(before.slots, after.slots, after.role or "", after.work or "")
    if after.turn == before.turn:
        return shared  # nothing accepted here: a stale tap, a help text, a resumed start
    restarted = _restarted(before, after)
    if not restarted and len(after.history) < len(before.history):
        return []  # a step back: nothing new was reached
    return _reached(before, after, restarted) + shared


def _reached(before: Before, after: Before, restarted: bool) -> list[Mark]:
    """The milestones of a step that went forward (or started afresh), in the order reached."""
    marks: list[Mark] = []
    role, phase, work = after.role or "", after.phase or "", after.work or ""
    if restarted:
        marks.append(Mark(Milestone.STARTED))
    if after.role is not None and (after.role != before.role or restarted):
        marks.append(Mark(Milestone.ROLE, role, "", work))
    if after.state != before.state:
        marks.extend(_moved(before, after, role, phase, work))
    if after.state == ADVICE and after.advised and after.advised != before.advised:
        marks.append(Mark(Milestone.ADVICE, role, phase, work))
    if after.slots is not before.slots:
        marks.extend(_team_marks(before.slots, after.slots, role, work))
    return marks


def _shared_marks(before: list[Slot], after: list[Slot], role: str, work: str) -> list[Mark]:
    """An employee's own view newly on a slot (with the phase they found for themselves)."""
    if after is before:
        return []
    earlier = {slot.__dict__["letter"]: slot.__dict__.get("shared") for slot in before}
    marks = []
    for slot in after:
        shared = slot.__dict__.get("shared")
        was = earlier.get(slot.__dict__["letter"])
        if shared is not None and (was is None or was.invite != shared.invite):
            marks.append(Mark(Milestone.SELF_SHARED, role, shared.view.phase, work))
    return marks


def _moved(before: Before, after: Before, role: str, phase: str, work: str) -> list[Mark]:
    """The milestones of a step that moved to another state: by where it left and arrived."""
    marks: list[Mark] = []
    old, new = before.state, after.state
    if new in QUICK_CHECK and old not in QUICK_CHECK and phase:
        marks.append(Mark(Milestone.PHASE, role, phase, work))
    if old == CHECK:
        marks.append(Mark(Milestone.CHECKED, role, phase, work))
        marks.extend(Mark(Milestone.GAP, role, phase, work, gap) for gap in after.gaps)
    if old in CHECKIN_PHASE and new not in CHECKIN_PHASE:
        outcome = _outcome(new)
        marks.append(Mark(outcome, role, before.phase or "", work, "", _furthest(before)))
    if new == DETAIL and old != TERM:
        marks.append(Mark(Milestone.DETAIL, role, phase, work))
    elif new == PLAN or (new == REMINDER and _answered(after, PLAN)):
        # A reader with staff is asked for the reminder right after the plan: the plan was
        # sent all the same.
        marks.append(Mark(Milestone.PLAN, role, phase, work))
    return marks


def _furthest(before: Before) -> str:
    """How far the first steps got that this check-in asked about, read just before its phase
    answer: the first `checkin_step` steps of the employee (a check-in starts that count at 0 and
    each step's answer adds one, so a status left from an earlier check-in is never read). The
    phase answer replaces the steps (new advice, another step), which is why it is read here."""
    slot = next((s for s in before.slots if s.__dict__["letter"] == before.current), None)
    if slot is None:
        return ""
    answered = {step.status for step in slot.__dict__["steps"][: before.checkin_step]}
    return next((status for status in FURTHEST if status in answered), "")


def _answered(after: Before, option: str) -> bool:
    """The step's own answer (the newest in the history) chose `option`."""
    return bool(after.history) and after.history[-1].option == option


def _restarted(before: Before, after: Before) -> bool:
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


def _team_marks(before: list[Slot], after: list[Slot], role: str, work: str) -> list[Mark]:
    """A reminder set, and first steps answered at a check-in, per employee (letters not kept).

    Fields read from `__dict__`, as in :func:`snapshot`: this runs on most steps.
    """
    marks: list[Mark] = []
    earlier = {slot.__dict__["letter"]: slot.__dict__ for slot in before}
    for slot in after:
        now = slot.__dict__
        was = earlier.get(now["letter"])
        if was is now:
            continue
        review = now["review_at"]
        if review is not None and (was is None or review != was["review_at"]):
            marks.append(Mark(Milestone.REMINDER, role, slot.phase or "", work))
        if was is None or now["steps"] is was["steps"]:
            continue
        old_status = {step.item: step.status for step in was["steps"]}
        for step in now["steps"]:
            if step.status != "open" and old_status.get(step.item) != step.status:
                marks.append(Mark(STEP_MILESTONES[step.status], role, slot.phase or "", work))
    return marks
