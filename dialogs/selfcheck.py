"""The employee's own self-check: welcome, the staging questions about themselves, the five W's,
their own result, and a consent screen that shows exactly what goes back.

Why a dialog of its own beside the engine: it is a different person's conversation (the
employee, in the "ik/je" form), short and linear, and it must never mix with a manager's
advice. It reuses what must stay the same: the staging rules are the flow's own staging
questions (`render: staging` in flow.yaml, walked by their `next` and `phase`), the first steps
come from the knowledge (the layers of tasks and colleagues, in the words written for a
colleague, that is for an employee), and typed sentences are read by the same yes/no reading
as the manager's questions (dialogs/understanding.py).

Pure and free of I/O like the engine: one event in, replies out, the self-check changed only
when the event is accepted. Nothing goes back to the manager unless the employee chose "share":
:class:`Outcome.shared` is then the exact :class:`SelfView` that the consent screen showed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from dialogs.events import Command, Event, EventKind, Option, Reply
from dialogs.flow import Flow
from dialogs.lexicon import LazyLexicon
from dialogs.understanding import Kind, Question, read
from knowledge import KnowledgeBase
from knowledge.schema import Intervention
from locales import Bundle, SelfCheckTexts

WELCOME = "welcome"
FIVE_PREFIX = "w."
RESULT = "result"
CONSENT = "consent"
SHARED = "shared"
KEPT = "kept"
DECLINED = "declined"
# The states after which nothing is asked any more (KEPT still offers to share after all).
ENDED = frozenset({SHARED, DECLINED})

# Button ids of the self-check: "z." keeps them apart from every id of the manager's dialog.
GO, STOP, NEXT, SHARE, KEEP = "z.go", "z.stop", "z.next", "z.share", "z.keep"
YES, NO, UNSURE = "ja", "nee", "wn"
# The layers whose first steps an employee can take themselves, and the reader whose words fit.
OWN_LAYERS = ("taken", "collegas")
EMPLOYEE_READER = "collega"

Answer = Literal["ja", "nee", "wn"]
FiveKey = Literal["willen", "weten", "kunnen", "durven", "mogen"]
# The report's five W's, in its order (selfcheck.yaml has one text per W).
FIVE: tuple[FiveKey, ...] = ("willen", "weten", "kunnen", "durven", "mogen")
ANSWER_IDS: dict[str, Answer] = {"z.ja": "ja", "z.nee": "nee", "z.wn": "wn"}


def utc_now() -> datetime:
    return datetime.now(UTC)


class SelfView(BaseModel):
    """Exactly what goes back to the manager: the phase and the five answers, nothing else."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    phase: str = Field(max_length=32)
    answers: dict[FiveKey, Answer]
    on: AwareDatetime


class SelfCheck(BaseModel):
    """The employee's self-check as stored in their own chat: their answers and the link's
    reference (the invitation's digest), never who asked or anything about the manager."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    invite: str = Field(pattern=r"^[0-9a-f]{64}$")
    state: str = Field(default=WELCOME, max_length=32)
    turn: int = Field(default=1, ge=0, le=10**9)
    phase: str | None = Field(default=None, max_length=32)
    answers: dict[FiveKey, Answer] = Field(default_factory=dict)
    # The employee tapped "Delen": the view waits to be handed over to the manager's record.
    shared_at: AwareDatetime | None = None
    # The hand-over is done: True once the manager's record has it or it was dropped.
    handed_over: bool = False
    # The manager's slot (or the link) was gone when the share arrived: nothing was shared.
    dropped: bool = False

    @property
    def active(self) -> bool:
        """The self-check still asks something (it takes the chat's taps and typed answers)."""
        return self.state not in ENDED

    def view(self) -> SelfView | None:
        """What would go back, once every answer is in."""
        if self.phase is None or set(self.answers) != set(FIVE):
            return None
        return SelfView(phase=self.phase, answers=self.answers, on=self.shared_at or utc_now())


class SharedView(BaseModel):
    """A share as the manager's slot keeps it: the view, the link it came through (its digest,
    so a share that comes twice is applied once and the employee's /vergeet finds it), and
    whether the manager was told."""

    model_config = ConfigDict(extra="forbid")

    invite: str = Field(pattern=r"^[0-9a-f]{64}$")
    view: SelfView
    told: bool = False


@dataclass(frozen=True)
class Outcome:
    """What one event did: the replies, the chosen button's label, and a share to hand over."""

    replies: tuple[Reply, ...]
    chosen: str | None = None
    shared: SelfView | None = None


class SelfCheckDialog:
    """The self-check's steps, loaded and checked once, shared by every chat."""

    def __init__(self, flow: Flow, bundle: Bundle, knowledge: KnowledgeBase) -> None:
        self._flow = flow
        self._bundle = bundle
        self._texts: SelfCheckTexts = bundle.selfcheck
        self._knowledge = knowledge
        # The manager's words, compiled on the first typed answer (not when the bot starts).
        self._lexicon = LazyLexicon(bundle.dialog, bundle.language)
        self._staging = {
            name: spec for name, spec in flow.states.items() if spec.render == "staging"
        }
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))
        self._first = next(iter(self._staging))

    @property
    def texts(self) -> SelfCheckTexts:
        return self._texts

    def problems(self) -> list[str]:
        """What would break a self-check when a user reaches it, found when it is loaded."""
        found = []
        for name, spec in self._staging.items():
            if name not in self._texts.staging:
                found.append(f"selfcheck.yaml: staging.{name}: missing")
            ids = {option.id for option in spec.options}
            if not {YES, NO} <= ids:
                found.append(f"flow.yaml: {name}: a staging question without ja and nee")
        if not self._staging:
            found.append("flow.yaml: no staging question (render: staging)")
        for layer in OWN_LAYERS:
            self._knowledge.layer(layer)  # KeyError for a layer the knowledge lost
        known = {item.id for item in self._knowledge.interventions}
        for item in sorted(set(self._texts.own_steps) - known):
            found.append(f"selfcheck.yaml: own_steps.{item}: no such intervention")
        return found

    # ---- the steps -------------------------------------------------------------------------------

    def begin(self, invite: str) -> tuple[SelfCheck, tuple[Reply, ...]]:
        """A fresh self-check for the invitation `invite` (its digest), and its welcome."""
        check = SelfCheck(invite=invite)
        return check, (self.prompt(check),)

    def prompt(self, check: SelfCheck) -> Reply:
        """The question the employee is at (or the closing words, without buttons)."""
        texts = self._texts
        state = check.state
        if state == WELCOME:
            return Reply(texts.welcome, (Option(GO, texts.start), Option(STOP, texts.decline)))
        if state in self._staging:
            return Reply(texts.staging[state], self._yes_no(with_unsure=True))
        if state.startswith(FIVE_PREFIX):
            key = state.removeprefix(FIVE_PREFIX)
            return Reply(getattr(texts.five, key), self._yes_no(with_unsure=True))
        if state == RESULT:
            return Reply(self._result(check), (Option(NEXT, texts.next),))
        if state == CONSENT:
            text = texts.consent.format(summary=self.summary(check))
            return Reply(text, (Option(SHARE, texts.share), Option(KEEP, texts.keep)))
        if state == KEPT:
            return Reply(texts.not_shared, (Option(SHARE, texts.share_later),))
        if state == SHARED:
            return Reply(texts.dropped if check.dropped else texts.shared)
        return Reply(texts.declined)

    def options(self, check: SelfCheck) -> tuple[Option, ...]:
        return self.prompt(check).options

    def decide(self, check: SelfCheck, event: Event) -> tuple[SelfCheck, Outcome]:
        """One event: the self-check after it (a copy) and what to say; unchanged when refused."""
        if event.kind is EventKind.COMMAND and event.value == Command.HELP.value:
            return check, Outcome((Reply(self._texts.help), self.prompt(check)))
        chosen = self._understood(check, event)
        if chosen is None:
            lead = () if event.kind is EventKind.COMMAND else (Reply(self._texts.not_understood),)
            return check, Outcome((*lead, self.prompt(check)))
        work = check.model_copy(deep=True)
        shared = self._apply(work, chosen.id)
        work.turn = check.turn + 1
        prompt = self.prompt(work)
        if self._asking(check.state) and self._asking(work.state):
            # One short question after another: edited into the answered one (the intake's way).
            prompt = replace(prompt, replaces=True)
        return work, Outcome((prompt,), chosen.label, shared)

    def _asking(self, state: str) -> bool:
        """A yes/no question of the self-check (a staging question or one of the five)."""
        return state in self._staging or state.startswith(FIVE_PREFIX)

    def summary(self, check: SelfCheck) -> str:
        """The exact words of what goes back: "fase 3; willen ja, weten nee, ..."."""
        return self.summary_of(check.phase, check.answers)

    def summary_of(self, phase: str | None, answers: Mapping[FiveKey, Answer]) -> str:
        """A phase and five answers in the words the consent screen shows."""
        texts = self._texts
        number = self._knowledge.phase(phase).number if phase else 0
        parts = [
            texts.summary_answer.format(
                name=getattr(texts.names, key), answer=self._answer_word(answers.get(key))
            )
            for key in FIVE
        ]
        return texts.summary.format(number=number, answers=", ".join(parts))

    # ---- inside a step ---------------------------------------------------------------------------

    def _yes_no(self, *, with_unsure: bool) -> tuple[Option, ...]:
        words = self._texts.answers
        options = [Option(f"z.{YES}", words.ja), Option(f"z.{NO}", words.nee)]
        if with_unsure:
            options.append(Option(f"z.{UNSURE}", words.wn))
        return tuple(options)

    def _answer_word(self, answer: str | None) -> str:
        words = self._texts.answers
        return {YES: words.ja, NO: words.nee}.get(answer or UNSURE, words.wn).lower()

    def _understood(self, check: SelfCheck, event: Event) -> Option | None:
        """The button an event means at this step: a tap on offer, or a typed yes/no/unsure."""
        offered = self.options(check)
        if event.kind is EventKind.OPTION:
            return next((option for option in offered if option.id == event.value), None)
        if event.kind is not EventKind.TEXT or not offered:
            return None
        by_label = {option.label.casefold(): option for option in offered}
        typed = by_label.get(event.value.strip().casefold())
        if typed is not None:
            return typed
        return self._typed_answer(check, offered, event.value)

    def _typed_answer(
        self, check: SelfCheck, offered: Sequence[Option], text: str
    ) -> Option | None:
        """A sentence read as yes, no or "weet ik niet" (the manager's reading, same words)."""
        meaning = {YES: offered[0], NO: offered[1]}
        if len(offered) > 2:
            meaning[UNSURE] = offered[2]
        as_answers = tuple(Option(answer, option.label) for answer, option in meaning.items())
        reading = read(self._lexicon.get(), Question(check.state, as_answers), text)
        if reading.kind is not Kind.ACCEPT or len(reading.path) != 1:
            return None
        return meaning.get(reading.path[0].id)

    def _apply(self, work: SelfCheck, chosen: str) -> SelfView | None:
        """Move `work` on by the chosen button; the view to hand over when it was "share"."""
        state = work.state
        if state == WELCOME:
            work.state = self._first if chosen == GO else DECLINED
        elif state in self._staging:
            self._stage(work, ANSWER_IDS[chosen])
        elif state.startswith(FIVE_PREFIX):
            key = next(key for key in FIVE if FIVE_PREFIX + key == state)
            answers = dict(work.answers)
            answers[key] = ANSWER_IDS[chosen]
            work.answers = answers
            following = FIVE.index(key) + 1
            work.state = FIVE_PREFIX + FIVE[following] if following < len(FIVE) else RESULT
        elif state == RESULT:
            work.state = CONSENT
        elif chosen == SHARE:
            work.state = SHARED
            work.shared_at = utc_now()
            return work.view()
        else:
            work.state = KEPT
        return None

    def _stage(self, work: SelfCheck, answer: str) -> None:
        """One staging answer, by the flow's own rules: a phase ends them, else the next one."""
        spec = self._staging[work.state]
        option = next((option for option in spec.options if option.id == answer), None)
        if option is None:  # "weet ik niet" where the flow has none: read as no
            option = next(option for option in spec.options if option.id == NO)
        if option.phase is not None:
            work.phase = option.phase
            work.state = FIVE_PREFIX + FIVE[0]
            return
        following = next(
            (target.to for target in option.targets if target.to in self._staging), None
        )
        if following is None:
            raise ValueError(f"staging question {work.state} leads nowhere for {answer}")
        work.state = following

    def _result(self, check: SelfCheck) -> str:
        """The phase in one line and two first steps the employee can take themselves."""
        phase = self._knowledge.phase(check.phase or "")
        steps = self.first_steps(phase.key)
        return self._texts.result.format(
            number=phase.number, label=phase.label.lower(), first=steps[0], second=steps[1]
        )

    def first_steps(self, phase: str) -> tuple[str, str]:
        """The best first step of the tasks layer and of the colleagues layer, for an employee."""
        found: list[str] = []
        for layer in OWN_LAYERS:
            items = self._knowledge.interventions_for([layer], phase)
            found.extend(self._own_step(item) for item in items[:1])
        if len(found) < 2:  # a layer with nothing for this phase: the next best of the other
            items = self._knowledge.interventions_for(list(OWN_LAYERS), phase)
            found.extend(step for step in map(self._own_step, items) if step not in found)
        return found[0], found[1]

    def _own_step(self, item: Intervention) -> str:
        own = self._texts.own_steps.get(item.id)
        return own if own is not None else item.first_step_for_reader(EMPLOYEE_READER)


def shared_now(check: SelfCheck) -> bool:
    """The employee shared and the hand-over to the manager is still to be done."""
    return check.shared_at is not None and not check.handed_over
