"""Turning the session and the knowledge into words: prompts, the diagnosis and the advice.

Only here do texts and knowledge meet. Nothing in this module decides anything (that is
:mod:`dialogs.advice` and the graph); it only says it, in the language of the loaded texts.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from dialogs.advice import check_question
from dialogs.civil import AMSTERDAM
from dialogs.events import Option
from dialogs.flow import Flow
from dialogs.session import Answer, Session, Slot
from knowledge import KnowledgeBase
from knowledge.schema import BlindSpot, Intervention, Phase, Precondition
from locales import Bundle, DialogTexts


class Renderer:
    """Writes every text the dialog shows, from one language's texts."""

    def __init__(
        self,
        flow: Flow,
        texts: DialogTexts,
        knowledge: KnowledgeBase,
        progress: dict[str, tuple[int, int]],
        bundle: Bundle | None = None,
    ) -> None:
        self.bundle = bundle
        self.flow = flow
        self.texts = texts
        self.knowledge = knowledge
        self._progress = progress

    # -- prompts -------------------------------------------------------------------------------
    def prompt(self, session: Session) -> str:
        """The question of the session's current step, with its progress where it has one."""
        special = self.flow.states[session.state].render
        if special is None:
            return self._plain(session)
        return SPECIAL_PROMPTS[special](self, session)

    def _plain(self, session: Session) -> str:
        return self.texts.states[session.state].prompt

    def _staging(self, session: Session) -> str:
        number, total = self._progress[session.state]
        return f"{self.progress(number, total)}\n{self._plain(session)}"

    def _check(self, session: Session) -> str:
        _, check = check_question(self.knowledge, session.checks[session.check_index])
        line = self.progress(session.check_index + 1, len(session.checks))
        return f"{line}\n{self.texts.states['check'].prompt.format(question=check.question)}"

    def _result(self, session: Session) -> str:
        assert session.phase is not None
        phase = self.knowledge.phase(session.phase)
        texts = self.texts.result
        lines = [texts.heading.format(number=phase.number, label=phase.label), phase.description]
        answers = staging_answers(self.flow, session.history, self.texts.labels)
        if answers:
            lines.append("")
            lines.append(texts.because)
            lines.extend(
                texts.reason.format(
                    reason=self.texts.states[answer.step].reason,
                    answer=self.texts.labels[answer.option].lower(),
                )
                for answer in answers
            )
        if any(answer.option == "wn" for answer in answers):
            lines.extend(["", texts.uncertain])
        lines.extend(["", self._plain(session)])
        return "\n".join(lines)

    def day(self, moment: datetime) -> str:
        """A moment as a date in a sentence, by the Amsterdam calendar ("9 maart 2026")."""
        return _day(self, moment)

    def progress(self, number: int, total: int) -> str:
        return self.texts.progress.format(number=number, total=total)

    # -- option labels -------------------------------------------------------------------------
    def phase_options(self) -> tuple[Option, ...]:
        return tuple(
            Option(
                f"f{phase.number}",
                self.texts.result.phase_option.format(number=phase.number, label=phase.label),
            )
            for phase in self.knowledge.phases
        )

    def advised_options(self, advised: Sequence[str]) -> tuple[Option, ...]:
        return tuple(
            Option(
                f"i{number}",
                self.texts.advice.explain_option.format(
                    number=number, title=self.knowledge.intervention(item).title
                ),
            )
            for number, item in enumerate(advised, start=1)
        )

    def slot_options(self, session: Session) -> tuple[Option, ...]:
        """One option per listed employee: `s1`.. in the order of the team list."""
        return tuple(
            Option(
                f"s{number}",
                self.texts.result.phase_option.format(
                    number=number, label=self.texts.team.slot_heading.format(letter=slot.letter)
                ),
            )
            for number, slot in enumerate(listed_slots(session), start=1)
        )

    # -- notes ---------------------------------------------------------------------------------
    def role_label(self, role: str) -> str:
        return self.texts.roles[role].label

    def picked(self, phase: Phase) -> str:
        return self.texts.result.picked.format(
            number=phase.number, label=phase.label, description=phase.description
        )

    def item(self, number: int, item: Intervention) -> str:
        return self.texts.advice.item.format(
            number=number,
            title=item.title,
            evidence=self._evidence(item),
            explanation=item.explanation,
            first_step=item.first_step,
        )

    def _evidence(self, item: Intervention) -> str:
        return f" {self.texts.advice.evidence}" if item.evidence else ""

    def advice(
        self,
        session: Session,
        primary: Sequence[Intervention],
        levers: Sequence[Intervention],
        gaps: Sequence[Precondition],
        spots: Sequence[BlindSpot],
    ) -> list[str]:
        """The advice as two messages: what to do, then what else and what to watch out for."""
        assert session.phase is not None and session.role is not None
        texts = self.texts.advice
        phase = self.knowledge.phase(session.phase)
        first = [
            texts.heading.format(
                number=phase.number, label=phase.label, role=self.role_label(session.role)
            )
        ]
        if len(primary) < self.flow.advice.few_below:
            first.append(texts.few)
        first.extend(self.item(number, item) for number, item in enumerate(primary, start=1))
        second: list[str] = []
        if levers:
            second.append(texts.levers_heading)
            second.extend(
                self.item(number, item)
                for number, item in enumerate(levers, start=len(primary) + 1)
            )
        if gaps:
            second.append(texts.warnings_heading)
            second.extend(
                texts.warning.format(title=gap.title, when_gap=gap.when_gap) for gap in gaps
            )
        else:
            second.append(texts.no_gaps)
        second.extend(
            texts.blind_spot.format(title=spot.title, advice=spot.advice) for spot in spots
        )
        return ["\n\n".join(first), "\n\n".join(second)]

    def more(self, start: int, items: Sequence[Intervention]) -> str:
        blocks = [self.texts.advice.more_heading]
        blocks.extend(self.item(number, item) for number, item in enumerate(items, start=start))
        return "\n\n".join(blocks)

    def next_phase(self, phase: str, items: Sequence[Intervention]) -> str:
        texts = self.texts.advice
        number = self.knowledge.phase(phase).number
        if not items:
            return texts.last_phase
        following = self.knowledge.phase(number + 1)
        head = texts.next_phase.format(
            number=following.number, label=following.label, description=following.description
        )
        return "\n".join([head, *(texts.next_item.format(title=item.title) for item in items)])

    def span(self, item: Intervention) -> str:
        """The phases an intervention helps in, in words ("fasen 2 t/m 4")."""
        first, last = item.phases.first, item.phases.last
        if first == last:
            return self.texts.advice.span_one.format(first=first)
        return self.texts.advice.span_many.format(first=first, last=last)

    def explain(self, item: Intervention) -> str:
        return self.texts.advice.explain.format(
            title=item.title,
            evidence=self._evidence(item),
            layer=self.knowledge.layer(item.layer).label,
            span=self.span(item),
            explanation=item.explanation,
            first_step=item.first_step,
        )


# -- the team and the check-in ------------------------------------------------------------------
def _day(renderer: Renderer, moment: datetime) -> str:
    """A moment as a date in a sentence, by the Amsterdam calendar ("9 maart 2026")."""
    day = moment.astimezone(AMSTERDAM).date()
    return renderer.bundle.long_date(day) if renderer.bundle is not None else day.isoformat()


def _org(renderer: Renderer, session: Session) -> str:
    assert session.org_checked_at is not None
    return renderer.texts.team.org_reuse.format(date=_day(renderer, session.org_checked_at))


def _checkin_step(renderer: Renderer, session: Session) -> str:
    texts = renderer.texts.team
    slot = session.current_slot()
    assert slot is not None and session.checkin_step < len(slot.steps)
    item = renderer.knowledge.intervention(slot.steps[session.checkin_step].item)
    lines = []
    if session.checkin_step == 0:
        lines.append(texts.checkin_heading.format(letter=slot.letter))
    lines.append(
        texts.checkin_step.format(
            number=session.checkin_step + 1, total=len(slot.steps), first_step=item.first_step
        )
    )
    lines.append(renderer._plain(session))
    return "\n".join(lines)


def team_overview(
    renderer: Renderer, session: Session, helps: Sequence[tuple[Intervention, int]]
) -> str:
    """The employees with their phase and last look, and what helps most of them at once."""
    texts = renderer.texts.team
    listed = listed_slots(session)
    if not listed:
        return texts.empty
    lines = [texts.heading]
    for number, slot in enumerate(listed, start=1):
        assert slot.phase is not None and slot.last_look is not None
        phase = renderer.knowledge.phase(slot.phase)
        review = (
            texts.review_line.format(date=_day(renderer, slot.review_at))
            if slot.review_at is not None
            else ""
        )
        lines.append(
            texts.slot_line.format(
                number=number,
                letter=slot.letter,
                phase_number=phase.number,
                phase=phase.label,
                date=_day(renderer, slot.last_look),
                review=review,
            )
        )
    if helps:
        lines.extend(["", texts.helps_most])
        lines.extend(
            texts.helps_item.format(title=item.title, count=count, total=len(listed))
            for item, count in helps
        )
    return "\n".join(lines)


def slot_detail(renderer: Renderer, slot: Slot) -> str:
    """One employee: the path through the phases, and the first steps with how far they got."""
    texts = renderer.texts.team
    lines = [texts.slot_heading.format(letter=slot.letter)]
    for look in slot.assessments:
        phase = renderer.knowledge.phase(look.phase)
        lines.append(
            texts.slot_path.format(
                date=_day(renderer, look.on), number=phase.number, label=phase.label
            )
        )
    if slot.steps:
        lines.extend(["", texts.steps_heading])
        lines.extend(
            texts.step_line.format(
                title=renderer.knowledge.intervention(step.item).title,
                status=texts.status[step.status],
            )
            for step in slot.steps
        )
    if slot.review_at is not None:
        lines.append(texts.review_line.format(date=_day(renderer, slot.review_at)).lstrip(", "))
    return "\n".join(lines)


def listed_slots(session: Session) -> list[Slot]:
    """The employees shown in the team list: those assessed at least once, in letter order."""
    return sorted((slot for slot in session.slots if slot.assessments), key=lambda s: s.letter)


# The prompts that are more than the state's own text, by the name a state's `render` gives. Every
# other state shows its text as it is, so a plain step names no renderer at all.
SPECIAL_PROMPTS: dict[str, Callable[[Renderer, Session], str]] = {
    "staging": Renderer._staging,
    "result": Renderer._result,
    "check": Renderer._check,
    "org": _org,
    "checkin_step": _checkin_step,
}


def staging_answers(
    flow: Flow, history: Sequence[Answer], answer_ids: Collection[str]
) -> list[Answer]:
    """The answers of the latest run of staging questions, oldest first (the result's "why").

    `answer_ids` are the shared answers (ja, nee, weet ik niet); any other choice ends the run.
    """
    found: list[Answer] = []
    for answer in reversed(history):
        state = flow.states.get(answer.step)
        if state is None or state.render != "staging" or answer.option not in answer_ids:
            break
        found.append(answer)
    return found[::-1]
