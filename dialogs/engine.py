"""The engine: one event in, replies out, the session changed only when the event is accepted.

`handle` is synchronous and free of I/O, so every front end (Telegram, console, tests) drives the
same dialog. It never trusts an event: an option that is not on offer in the current step (an old
button, a forged callback, a typo) and free text change nothing and get the current question again.
Back is exact, not a guess: the session keeps its answers, and going back replays all but the last
from the start.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from transitions import Machine

from dialogs import checks
from dialogs.advice import AdvicePlan, plan_of
from dialogs.events import Command, Event, EventKind, Option, Reply
from dialogs.flow import DATA_DIR, Flow, FlowError, OptionSpec, read_flow
from dialogs.flow import section_progress as _section_progress
from dialogs.machine import (
    CONDITIONS,
    EFFECTS,
    PICK_TRIGGER,
    Context,
    Step,
    build_machine,
    option_trigger,
)
from dialogs.render import SPECIAL_PROMPTS, Renderer
from dialogs.session import Answer, Session, team_of, utc_now
from knowledge import KnowledgeBase, load_knowledge
from locales import DEFAULT_LANGUAGE, Bundle, BundleError, DialogTexts, load_bundle


def new_session(language: str = DEFAULT_LANGUAGE) -> Session:
    """A session that has not started yet (its first event should be a start)."""
    return Session(language=language)


@dataclass(frozen=True)
class Outcome:
    """What one event did: the replies, and the option it chose when it was accepted."""

    replies: Sequence[Reply]
    chosen: Option | None = None


def _match(options: Sequence[Option], text: str) -> Option | None:
    """The option a typed text names: its number in the list, its label or its id (any case)."""
    wanted = text.strip().casefold()
    if wanted.isdecimal() and 1 <= int(wanted) <= len(options):
        return options[int(wanted) - 1]
    for option in options:
        if wanted in (option.id.casefold(), option.label.casefold()):
            return option
    return None


class Engine:
    """The dialog: flow, texts and knowledge loaded and checked once, shared by every chat.

    An engine speaks the language of its bundle; every session it starts records that language.
    """

    def __init__(self, flow: Flow, bundle: Bundle, knowledge: KnowledgeBase) -> None:
        texts = bundle.dialog
        errors = checks.problems(flow, texts, knowledge, CONDITIONS, EFFECTS, SPECIAL_PROMPTS)
        if errors:
            raise FlowError(errors)
        self._render = Renderer(flow, texts, knowledge, _section_progress(flow), bundle)
        self._flow = flow
        self._bundle = bundle
        self._texts = texts
        self._knowledge = knowledge
        self._context = Context(flow, knowledge, self._render)
        self._machine: Machine = build_machine(flow)
        # One model for every answer, positioned per answer; the lock makes the engine safe to
        # share between threads (a step holds it for microseconds).
        self._step = Step(self._context, new_session(bundle.language))
        self._machine.add_model(self._step, initial=flow.initial)
        self._machine_lock = threading.Lock()

    @classmethod
    def load(
        cls,
        knowledge: KnowledgeBase | None = None,
        language: str = DEFAULT_LANGUAGE,
        data_dir: Path = DATA_DIR,
        bundle: Bundle | None = None,
    ) -> Engine:
        """Read and check the flow and `language`'s texts; FlowError lists every problem at once.

        `bundle` replaces the bundle of `language` (e.g. one loaded from another root in a test).
        """
        flow = read_flow(data_dir / "flow.yaml")
        if bundle is None:
            try:
                bundle = load_bundle(language)
            except BundleError as error:
                raise FlowError(error.errors) from error
        return cls(flow, bundle, knowledge if knowledge is not None else load_knowledge())

    # -- what front ends and renderers read ---------------------------------------------------
    @property
    def knowledge(self) -> KnowledgeBase:
        """The maturity model the advice comes from."""
        return self._knowledge

    @property
    def flow(self) -> Flow:
        """The dialog definition (read-only)."""
        return self._flow

    @property
    def bundle(self) -> Bundle:
        """Every text of the engine's language, for the front ends too (read-only)."""
        return self._bundle

    @property
    def language(self) -> str:
        """The language the engine speaks, and records in the sessions it starts."""
        return self._bundle.language

    @property
    def texts(self) -> DialogTexts:
        """The dialog's wording in the loaded language (read-only)."""
        return self._texts

    def role_label(self, role_id: str) -> str:
        """The label of a role id (as on the role question); KeyError when unknown."""
        return self._render.role_label(role_id)

    def advice_plan(self, session: Session) -> AdvicePlan:
        """What the session was advised, as the chat showed it; the action plan prints this."""
        return plan_of(self._knowledge, self._flow, session)

    def audiences(self, session: Session) -> list[str]:
        """The audiences of the session's role (`mkb`, `zzp`, ...): for blind spots, referrals."""
        if session.role is None or session.role not in self._flow.roles:
            return []
        return list(self._flow.roles[session.role].audiences)

    def current_options(self, session: Session) -> tuple[Option, ...]:
        """The options the current step accepts; anything else is stale or forged."""
        state = self._flow.states.get(session.state)
        if state is None:
            return ()
        picked: tuple[Option, ...] = ()
        if state.pick is not None:
            picked = self._render.pick_options(session, state.pick.source)
        probe = Step(self._context, session)
        return picked + tuple(
            Option(option.id, self._texts.option_label(session.state, option.id))
            for option in state.options
            if option.when is None or getattr(probe, option.when)()
        )

    def match_option(self, session: Session, text: str) -> Option | None:
        """The current option a typed text names: its number, label or id (ignoring case)."""
        return _match(self.current_options(session), text)

    def prompt(self, session: Session, lead: str = "") -> Reply:
        """The current question with its options, e.g. to show it again after a side command."""
        return self._prompt(session, lead)

    # -- the one entry point -------------------------------------------------------------------
    def handle(self, session: Session, event: Event) -> list[Reply]:
        """Answer one event; change `session` in place only when the event is accepted."""
        return list(self.decide(session, event).replies)

    def decide(self, session: Session, event: Event) -> Outcome:
        """Answer one event and say which option it chose (None when it chose none).

        The options on offer are computed once here and handed along, so a tap is checked, applied
        and answered against the same list.
        """
        if session.state not in self._flow.states:
            return Outcome(self._restart(session, lead=self._texts.lost))
        if event.kind is EventKind.START:
            # A plain /start (Telegram's menu, a reopened chat) must not throw away answers
            # already given: it resumes. A deep link with a role, or /opnieuw, starts afresh.
            if not event.value and session.history:
                return Outcome([self._prompt(session, lead=self._texts.resumed)])
            return Outcome(self._restart(session, preset=event.value))
        if event.kind is EventKind.COMMAND:
            if event.value == Command.RESTART:
                return Outcome(self._restart(session))
            if event.value == Command.BACK:
                return Outcome(self._back(session))
            if event.value == Command.TEAM:
                return Outcome(self._team(session))
            if event.value == Command.HELP:
                help_text = self._texts.states[session.state].help
                return Outcome(
                    [self._prompt(session, lead=f"{help_text}\n\n{self._texts.help_footer}")]
                )
        options = self.current_options(session)
        if event.kind is EventKind.OPTION:
            chosen = next((option for option in options if option.id == event.value), None)
            if chosen is None:
                return Outcome([self._prompt(session, lead=self._texts.unknown_option)])
            return self._choose(session, chosen)
        chosen = _match(options, event.value) if event.kind is EventKind.TEXT else None
        if chosen is not None:
            return self._choose(session, chosen)
        return Outcome([self._prompt(session, lead=self._texts.free_text)])

    # -- steps ---------------------------------------------------------------------------------
    def _choose(self, session: Session, chosen: Option) -> Outcome:
        """Apply an option that is on offer (the caller checked it against the current options)."""
        spec = self._spec(session.state, chosen.id)
        if spec is not None and spec.action == "restart":
            return Outcome(self._restart(session), chosen)
        # A shallow copy (the employees' records one level deeper, as effects set their fields):
        # effects assign new values and never change a stored list in place.
        work = session.model_copy(update={"slots": [slot.model_copy() for slot in session.slots]})
        notes = self._apply(work, chosen.id, spec)
        if notes is None:
            return Outcome([self._prompt(session, lead=self._texts.unknown_option)])
        self._commit(session, work)
        return Outcome([*notes, self._prompt(session)], chosen)

    def _back(self, session: Session) -> list[Reply]:
        if not session.history:
            return [self._prompt(session, lead=self._texts.back_at_start)]
        work = self._replay(session, session.history[:-1])
        self._commit(session, work)
        return [self._prompt(session, lead=self._texts.went_back)]

    def _restart(self, session: Session, preset: str = "", lead: str = "") -> list[Reply]:
        work = self._fresh(session)
        notes: list[Reply] = []
        for option_id in self._preset_path(work, preset):
            notes.extend(self._replay_one(work, option_id) or [])
        self._commit(session, work)
        welcome = f"{lead}\n\n{self._texts.welcome}" if lead else self._texts.welcome
        return [Reply(welcome), *notes, self._prompt(session)]

    # -- machinery -----------------------------------------------------------------------------
    def _spec(self, state_name: str, option_id: str) -> OptionSpec | None:
        """A fixed option's definition; None for an option of a pick list."""
        state = self._flow.states[state_name]
        return next((option for option in state.options if option.id == option_id), None)

    def _apply(
        self, work: Session, option_id: str, spec: OptionSpec | None, live: bool = True
    ) -> list[Reply] | None:
        """Move `work` by one offered option through the machine; None (and `work` kept) if refused.

        `spec` is the fixed option's definition, or None for an option of a pick list. `live` is
        False when stored answers are replayed: the team is then carried over, not changed again.
        One model stays on the machine and is positioned at the session's state for each answer:
        adding and removing a model per answer cost more than the rest of the step together.
        """
        state = self._flow.states[work.state]
        if (spec is None and state.pick is None) or (spec is not None and spec.action is not None):
            return None
        source = work.state
        with self._machine_lock:
            step = self._step
            step.begin(work, live)
            self._machine.set_state(source, model=step)
            if spec is None:
                moved = step.trigger(PICK_TRIGGER, value=int(option_id[1:]))
                recorded = True
            else:
                moved = step.trigger(option_trigger(option_id), option=spec)
                recorded = spec.next is not None
            notes = step.end()
            reached = step.state
        if not moved:
            return None
        work.state = reached
        if recorded:
            work.history = [*work.history, Answer(step=source, option=option_id)]
        return notes

    def _replay_one(self, work: Session, option_id: str) -> list[Reply] | None:
        """Apply an option from stored answers or a preset, checking that it is still on offer."""
        if not any(option.id == option_id for option in self.current_options(work)):
            return None
        return self._apply(work, option_id, self._spec(work.state, option_id), live=False)

    def _fresh(self, session: Session) -> Session:
        """The session as right after a start: same identity and team, no answers."""
        return Session(
            language=self.language,
            state=self._flow.start,
            turn=session.turn,
            created_at=session.created_at,
            updated_at=session.updated_at,
            **team_of(session),
        )

    def _replay(self, session: Session, answers: list[Answer]) -> Session:
        """A fresh session with these answers given again; stops at one that no longer fits."""
        work = self._fresh(session)
        for answer in answers:
            if answer.step != work.state or self._replay_one(work, answer.option) is None:
                break
        return work

    def _preset_path(self, work: Session, preset: str) -> list[str]:
        """The options that choose `preset` (a role id) from the start step, e.g. [anders, zzp]."""
        if not preset or preset not in self._flow.roles:
            return []
        start = self._flow.states[work.state]
        for option in start.options:
            if option.id == preset:
                return [preset]
        for option in start.options:
            if option.do or option.action or option.next is None or option.when:
                continue
            for target in option.targets:
                inner = self._flow.states[target.to]
                if any(o.id == preset and "set_role" in o.do for o in inner.options):
                    return [option.id, preset]
        return []

    # -- the team and the check-in (entered from outside the graph) --------------------------------
    def _team(self, session: Session) -> list[Reply]:
        """/team: the list of employees and the question which one to open (not an answer)."""
        if not session.role or not any(slot.assessments for slot in session.slots):
            return [self._prompt(session, lead=self._texts.team.empty)]
        work = session.model_copy(deep=True)
        step = Step(self._context, work)
        step.show_team(None)
        work.state = "team"
        self._commit(session, work)
        return [*step.notes, self._prompt(session)]

    def check_in(self, session: Session, letter: str) -> list[Reply]:
        """Start the check-in of employee `letter`: its first steps, then a short re-assessment.

        Clears the employee's review date in the same change, so the caller's save of this session
        is also the mark "sent". Raises KeyError when there is no such employee.
        """
        work = session.model_copy(deep=True)
        slot = work.slot(letter)
        if slot is None or slot.phase is None:
            raise KeyError(letter)
        slot.review_at = None
        work.current = letter
        work.phase = slot.phase
        work.advised = list(slot.advised)
        work.reuse_org = True
        work.checkin_step = 0
        work.state = "ci_stap" if slot.steps else "ci_fase"
        self._commit(session, work)
        return [self._prompt(session)]

    def _commit(self, session: Session, work: Session) -> None:
        """Copy an accepted change into the caller's session, counting the turn.

        `work` was validated field by field as it changed, so its fields are taken over as they
        are; unchanged fields are the same objects, which makes the comparison cheap.
        """
        if work.__dict__ == session.__dict__:
            return
        work.turn = session.turn + 1
        work.updated_at = utc_now()
        session.__dict__.update(work.__dict__)
        session.__pydantic_fields_set__.update(work.__pydantic_fields_set__)

    def _prompt(self, session: Session, lead: str = "") -> Reply:
        text = self._render.prompt(session)
        return Reply(f"{lead}\n\n{text}" if lead else text, self.current_options(session))
