"""Honest progress through the intake: "Stap 3 van 8", never jumping back or starting over.

The intake is every state with a `section` in the flow (role, staging, result, quick check). The
step number counts the answers given in the current run of intake questions, so it grows by one
with every answer on any path. The total adds the longest way still ahead from the current state,
so it can only shrink as answers rule longer ways out; it never promises less than is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from dialogs.flow import Flow, successors
from dialogs.session import Answer, Session


def intake_states(flow: Flow) -> frozenset[str]:
    """The states that make up the intake: those the flow puts in a section."""
    return frozenset(name for name, state in flow.states.items() if state.section is not None)


def longest_ahead(flow: Flow) -> dict[str, int]:
    """For each intake state: the most questions on any way from it to the end of the intake.

    The state itself counts; a state that loops to itself (the quick check) counts as the most
    questions it may ask, since the session only knows the real number once it is there.
    """
    intake = intake_states(flow)

    @cache
    def ahead(name: str) -> int:
        own = flow.quick_check.max_questions if name in successors(flow, name) else 1
        following = [n for n in successors(flow, name) if n in intake and n != name]
        return own + max((ahead(n) for n in following), default=0)

    return {name: ahead(name) for name in intake}


class Progress:
    """The counter of one flow, its graph worked out once when the flow is loaded.

    Why a class: the intake, the longest ways and the looping states never change after
    loading, and working them out again for every prompt was a tenth of a dialog step.
    """

    def __init__(self, flow: Flow, ahead: dict[str, int] | None = None) -> None:
        self.intake = intake_states(flow)
        self.ahead = longest_ahead(flow) if ahead is None else ahead
        self._loops = frozenset(name for name in self.intake if name in successors(flow, name))

    def run(self, history: Sequence[Answer]) -> list[Answer]:
        """The answers of the intake run the session is in, oldest first."""
        intake, start = self.intake, len(history)
        while start and history[start - 1].step in intake:
            start -= 1
        return list(history[start:])

    def step(self, session: Session, done: int | None = None) -> tuple[int, int] | None:
        """(step number, total) for the session's intake question; None outside the intake.

        `done`: the length of :meth:`run`, when the caller has it already.
        """
        left = self.ahead.get(session.state)
        if left is None:
            return None
        if done is None:
            done = len(self.run(session.history))
        if session.state in self._loops and session.checks:
            left = len(session.checks) - session.check_index
        return done + 1, done + left


def current_run(flow: Flow, history: Sequence[Answer]) -> list[Answer]:
    """The answers of the intake run the session is in, oldest first."""
    return Progress(flow, {}).run(history)


def step_of(flow: Flow, ahead: dict[str, int], session: Session) -> tuple[int, int] | None:
    """(step number, total) for the session's intake question; None outside the intake."""
    return Progress(flow, ahead).step(session)
