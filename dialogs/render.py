"""Turning the session and the knowledge into words: prompts, the diagnosis and the advice.

Only here do texts and knowledge meet. Nothing in this module decides anything (that is
:mod:`dialogs.advice` and the graph); it only says it, in the language of the loaded texts.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from dialogs.advice import check_question
from dialogs.events import Option
from dialogs.flow import Flow
from dialogs.progress import current_run, step_of
from dialogs.session import Answer, Session
from knowledge import KnowledgeBase
from knowledge.schema import BlindSpot, Intervention, Phase, Precondition
from locales import DialogTexts


class Renderer:
    """Writes every text the dialog shows, from one language's texts."""

    def __init__(
        self,
        flow: Flow,
        texts: DialogTexts,
        knowledge: KnowledgeBase,
        ahead: dict[str, int],
    ) -> None:
        self.flow = flow
        self.texts = texts
        self.knowledge = knowledge
        self._ahead = ahead

    # -- prompts -------------------------------------------------------------------------------
    def prompt(self, session: Session) -> str:
        """The question of the session's current step, with the answers so far and its step."""
        special = self.flow.states[session.state].render
        body = self._plain(session) if special is None else SPECIAL_PROMPTS[special](self, session)
        return self._framed(session, body)

    def question(self, session: Session) -> str:
        """The question alone, short, to ask again after an answer that was not understood."""
        special = self.flow.states[session.state].render
        if special == "check":
            body = self._check(session)
        elif special == "result":
            assert session.phase is not None
            phase = self.knowledge.phase(session.phase)
            body = self.texts.result.short.format(number=phase.number, label=phase.label)
        else:
            body = self._plain(session)
        return self._framed(session, body)

    def _framed(self, session: Session, body: str) -> str:
        """`body` under the intake's trail of answers and its step counter, where it has them."""
        lines: list[str] = []
        step = step_of(self.flow, self._ahead, session)
        if step is not None:
            run = current_run(self.flow, session.history)
            if run:
                labels = [self.answer_label(answer) for answer in run]
                separator = f" {self.texts.navigation.trail_separator} "
                lines.append(self.texts.navigation.trail.format(answers=separator.join(labels)))
            lines.append(self.progress(*step))
        return "\n".join([*lines, body])

    def answer_label(self, answer: Answer) -> str:
        """How an answer given reads in the trail: its button label (a phase by its name)."""
        state = self.flow.states[answer.step]
        if state.pick is not None and state.pick.source == "phases":
            return self.knowledge.phase(int(answer.option[1:])).label
        return self.texts.option_label(answer.step, answer.option)

    def _plain(self, session: Session) -> str:
        return self.texts.states[session.state].prompt

    def _staging(self, session: Session) -> str:
        return self._plain(session)

    def _check(self, session: Session) -> str:
        _, check = check_question(self.knowledge, session.checks[session.check_index])
        return self.texts.states["check"].prompt.format(question=check.question)

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

    def progress(self, number: int, total: int) -> str:
        return self.texts.progress.format(number=number, total=total)

    # -- option labels -------------------------------------------------------------------------
    def phase_options(self) -> tuple[Option, ...]:
        return tuple(
            Option(
                f"f{phase.number}",
                button_label(
                    self.texts.result.phase_option.format(number=phase.number, label=phase.label)
                ),
                (phase.label,),
            )
            for phase in self.knowledge.phases
        )

    def advised_options(self, advised: Sequence[str]) -> tuple[Option, ...]:
        return tuple(
            Option(
                f"i{number}",
                button_label(
                    self.texts.advice.explain_option.format(
                        number=number, title=self.knowledge.intervention(item).title
                    )
                ),
                (self.knowledge.intervention(item).title,),
            )
            for number, item in enumerate(advised, start=1)
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
        unsure = [
            self.knowledge.precondition(key)
            for key in session.unsure_gaps
            if key not in {gap.id for gap in gaps}
        ]
        if gaps or unsure:
            second.append(texts.warnings_heading)
            second.extend(
                texts.warning.format(title=gap.title, when_gap=gap.when_gap) for gap in gaps
            )
            second.extend(
                texts.warning_unsure.format(title=gap.title, when_gap=gap.when_gap)
                for gap in unsure
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


# Telegram shows about this many characters of a button on a phone before it cuts the label off.
BUTTON_LABEL_LIMIT = 30


def button_label(label: str, limit: int = BUTTON_LABEL_LIMIT) -> str:
    """`label` cut at a word to fit a phone's button, marked with an ellipsis when cut."""
    if len(label) <= limit:
        return label
    cut = label[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.:;-")
    return f"{cut}…"


# The prompts that are more than the state's own text, by the name a state's `render` gives. Every
# other state shows its text as it is, so a plain step names no renderer at all.
SPECIAL_PROMPTS: dict[str, Callable[[Renderer, Session], str]] = {
    "staging": Renderer._staging,
    "result": Renderer._result,
    "check": Renderer._check,
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
