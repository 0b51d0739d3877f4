"""The one `transitions` machine for all chats (the graph), and the model each answer moves.

A pydantic session cannot be a transitions model, and a machine per chat costs time and memory. So
there is one :class:`transitions.Machine` built from the flow, holding no model at all: it is the
graph, checked and drawn by transitions. Its transitions are read once into a table of moves
(:func:`moves_of`); each answer makes its own small :class:`Step` (the session being changed, at
its state) and takes the first move whose conditions hold (:func:`take`), with the same calls in
the same order as firing the event would make, without its per-answer cost. Nothing is shared
between two answers, so chats need no lock between them. Conditions and effects are methods of
`Step`, named in the flow YAML. A method is nameable only when marked where it is written
(``@condition``, ``@effect``); :data:`CONDITIONS` and :data:`EFFECTS` are derived from those
marks so the flow can be checked when loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal, TypeVar

from transitions import Machine

from dialogs import advice
from dialogs.civil import review_moment
from dialogs.events import Reply
from dialogs.flow import Flow, OptionSpec, RoleSpec
from dialogs.render import Renderer, listed_slots, slot_detail, team_overview
from dialogs.session import (
    MAX_SLOTS,
    SLOT_LETTERS,
    Assessment,
    FirstStep,
    Session,
    Slot,
    utc_now,
)
from knowledge import KnowledgeBase
from knowledge.schema import WORK_KINDS, Intervention, Phase

Kind = Literal["condition", "effect"]
Method = TypeVar("Method", bound=Callable[..., object])
_KIND = "_dialog_kind"


def _mark(method: Method, kind: Kind) -> Method:
    setattr(method, _KIND, kind)
    return method


def condition(method: Method) -> Method:
    """Make a `Step` method nameable as a condition (`when:`) in the flow."""
    return _mark(method, "condition")


def effect(method: Method) -> Method:
    """Make a `Step` method nameable as an effect (`do:`) in the flow."""
    return _mark(method, "effect")


def registered(model: type, kind: Kind) -> frozenset[str]:
    """The names of `model`'s methods marked as `kind`: only these may be named in the flow.

    The mark sits on the method itself, so a new effect is declared where it is written and no
    list elsewhere can fall out of step with the code.
    """
    return frozenset(
        name for name in dir(model) if getattr(getattr(model, name), _KIND, None) == kind
    )


PICK_TRIGGER = "pick"
# The shared answer "weet ik niet" (its label is the texts' `labels.wn`).
UNSURE = "wn"


def option_trigger(option_id: str) -> str:
    """The trigger of a fixed option (prefixed, so it never shadows an attribute of the model)."""
    return f"o_{option_id}"


class Answered:
    """What conditions and effects read of the answer being applied (as transitions'
    `EventData`: its keyword arguments, `option` or `key`)."""

    __slots__ = ("kwargs",)

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs


Given = TypeVar("Given")


def _given(event: Answered | None, name: str, kind: type[Given]) -> Given:
    """The answer's argument `name`, which the engine always passes as a `kind`."""
    assert event is not None
    value = event.kwargs.get(name)
    assert isinstance(value, kind)
    return value


@dataclass(frozen=True)
class Context:
    """What conditions and effects read: the flow, the knowledge and the words."""

    flow: Flow
    knowledge: KnowledgeBase
    render: Renderer


class Step:
    """The transitions model that applies one answer: changes `session`, collects notes to show.

    One Step per answer (see :func:`fire`). Effects assign new values to the session's fields
    and never change a list in place: the engine works on a shallow copy and keeps the original
    when an answer is refused. `state` is the session's state, moved by the machine.
    """

    # A step is made for every answer and every option list with a condition: no per-object dict.
    __slots__ = ("context", "notes", "session", "state")

    def __init__(self, context: Context, session: Session) -> None:
        self.context = context
        self.session = session
        self.state = session.state
        self.notes: list[Reply] = []

    # -- helpers -------------------------------------------------------------------------------
    def _note(self, text: str, attachment: Any = None) -> None:
        self.notes.append(Reply(text=text, attachment=attachment))

    def _role(self) -> RoleSpec:
        assert self.session.role is not None
        return self.context.flow.roles[self.session.role]

    def _phase(self) -> str:
        assert self.session.phase is not None
        return self.session.phase

    def _new_look(self) -> None:
        """A new assessment starts: no phase or advice yet; the organisation's answers stay."""
        self.session.phase = None
        self.session.checks = []
        self.session.check_index = 0
        self.session.advised = []
        self.session.reuse_org = True

    def _free_letter(self) -> str:
        used = {item.letter for item in self.session.slots}
        return next(letter for letter in SLOT_LETTERS if letter not in used)

    def _slot(self) -> Slot | None:
        """The employee being discussed; a first one is made when there is none yet."""
        slot = self.session.current_slot()
        if slot is None and len(self.session.slots) < MAX_SLOTS:
            slot = Slot(letter=self._free_letter())
            self.session.slots = [*self.session.slots, slot]
            self.session.current = slot.letter
            slot = self.session.current_slot()
        return slot

    def _record_advice(self, primary: list[Intervention]) -> None:
        """Keep the look at the current employee: its date and phase, the advice, first steps."""
        if not self.has_staff():
            return  # no employees: nothing to list in /team or to check in on later
        slot = self._slot()
        if slot is None:
            return
        slot.assessments = [*slot.assessments, Assessment(on=utc_now(), phase=self._phase())]
        slot.advised = list(self.session.advised)
        steps = self.context.flow.team.steps
        slot.steps = [FirstStep(item=item.id) for item in primary[:steps]]

    def _plan(self) -> advice.AdvicePlan:
        return advice.plan_of(self.context.knowledge, self.context.flow, self.session)

    @staticmethod
    def _option(event: Answered | None) -> OptionSpec:
        """The fixed option chosen (as `_given`, written out: most effects read it)."""
        assert event is not None
        option = event.kwargs.get("option")
        assert isinstance(option, OptionSpec)
        return option

    @staticmethod
    def _picked(event: Answered | None) -> str:
        """The key of the thing picked from a pick list (a phase key, an employee's letter)."""
        return _given(event, "key", str)

    # -- conditions (also asked outside the machine, to list the options on offer) -------------
    @condition
    def more_checks(self, event: Answered | None = None) -> bool:
        """Another quick-check question follows the one being answered."""
        return self.session.check_index + 1 < len(self.session.checks)

    @condition
    def has_more(self, event: Answered | None = None) -> bool:
        """The advice holds interventions that "Meer" has not shown yet."""
        if self.session.role is None or self.session.phase is None:
            return False
        return self._plan().has_more

    @condition
    def has_blind_spots(self, event: Answered | None = None) -> bool:
        """The report names a blind spot for this role and phase."""
        if self.session.role is None or self.session.phase is None:
            return False
        return bool(self._plan().blind_spots)

    @condition
    def org_known(self, event: Answered | None = None) -> bool:
        """The organisation's answers are recent enough to reuse for this look at an employee."""
        at = self.session.org_checked_at
        fresh = timedelta(days=self.context.flow.team.org_fresh_days)
        return self.session.reuse_org and at is not None and utc_now() - at < fresh

    @condition
    def has_staff(self, event: Answered | None = None) -> bool:
        """The reader manages employees: only then is there a team, a check-in, another employee.

        A zzp'er, a colleague or a teacher (flow.yaml `staff: false`) is never offered them.
        """
        return self.context.flow.has_staff(self.session.role)

    @condition
    def can_remind(self, event: Answered | None = None) -> bool:
        """The employee being discussed has been assessed, so a check-in can ask about it."""
        slot = self.session.current_slot()
        return self.has_staff() and slot is not None and slot.phase is not None

    @condition
    def review_unasked(self, event: Answered | None = None) -> bool:
        """A reminder can be set and was not asked about since this employee's advice: the plan
        then asks at once (its review date is a promise), and only once."""
        slot = self.session.current_slot()
        if not self.can_remind() or slot is None or slot.review_at is not None:
            return False
        return all(answer.step != "herinnering" for answer in self.session.history[slot.mark :])

    @condition
    def has_team(self, event: Answered | None = None) -> bool:
        """The reader has staff and has discussed at least one employee."""
        return self.has_staff() and bool(listed_slots(self.session))

    @condition
    def has_room(self, event: Answered | None = None) -> bool:
        """Another employee fits (at most MAX_SLOTS; remove one in /team to make room)."""
        return self.has_staff() and len(self.session.slots) < MAX_SLOTS

    @condition
    def more_steps(self, event: Answered | None = None) -> bool:
        slot = self.session.current_slot()
        return slot is not None and self.session.checkin_step + 1 < len(slot.steps)

    def _picked_against_before(self, event: Answered | None) -> int | None:
        """The picked phase's number minus the employee's phase before; None without either."""
        slot = self.session.current_slot()
        if event is None or slot is None or slot.phase is None:
            return None
        picked = self.context.knowledge.phase(self._picked(event)).number
        return picked - self.context.knowledge.phase(slot.phase).number

    @condition
    def picked_same(self, event: Answered | None = None) -> bool:
        """In a check-in, the phase picked by hand is the employee's phase before: not moved."""
        return self._picked_against_before(event) == 0

    @condition
    def picked_later(self, event: Answered | None = None) -> bool:
        """In a check-in, the phase picked by hand lies beyond the employee's phase before."""
        difference = self._picked_against_before(event)
        return difference is not None and difference > 0

    # -- effects -------------------------------------------------------------------------------
    @effect
    def set_role(self, event: Answered) -> None:
        role = self._option(event).id
        self.session.role = role
        self.session.layers = list(self.context.flow.roles[role].layers)
        note = self.context.render.texts.roles[role].note
        if note:
            self._note(note)

    # -- issue 20: the kind of work, and what a phase looks like --------------------------------
    @effect
    def set_work(self, event: Answered) -> None:
        """Keep the kind of work (`maken`, `bouw`, ...); skipping it (`geen`) keeps none."""
        work = self._option(event).id
        self.session.work = work if work in WORK_KINDS else None

    @effect
    def show_signals(self, event: Answered) -> None:
        """What the phase a staging question asks about looks like ("Herken je dit?")."""
        phase = self.context.knowledge.phase(self._option(event).phase or "")
        self._note(self.context.render.signals(phase))

    # -- the phase --------------------------------------------------------------------------------
    @effect
    def set_phase(self, event: Answered) -> None:
        self.session.phase = self._option(event).phase

    @effect
    def pick_phase(self, event: Answered) -> None:
        phase = self.context.knowledge.phase(self._picked(event))
        self.session.phase = phase.key
        self._note(self.context.render.picked(phase, self._role().reader))

    @effect
    def start_checks(self, event: Answered) -> None:
        checks = advice.quick_checks(
            self.context.knowledge, self.context.flow.quick_check, self._phase()
        )
        self.session.checks = checks
        self.session.check_index = 0
        self.session.precondition_gaps = []
        self.session.unsure_gaps = []
        self.session.advised = []
        self._note(self.context.render.texts.checks_intro.format(count=len(checks)))

    @effect
    def show_model(self, event: Answered) -> None:
        caption = self.context.render.texts.model_caption_as(self._role().reader)
        self._note(caption, "model_picture")

    @effect
    def answer_check(self, event: Answered) -> None:
        precondition, check = advice.check_question(
            self.context.knowledge, self.session.checks[self.session.check_index]
        )
        answer = self._option(event).id
        if answer == check.gap_when and precondition.id not in self.session.precondition_gaps:
            self.session.precondition_gaps = [*self.session.precondition_gaps, precondition.id]
        # Not knowing is a possible gap: the advice asks to check it (unless it is a gap anyway).
        if answer == UNSURE and precondition.id not in self.session.unsure_gaps:
            self.session.unsure_gaps = [*self.session.unsure_gaps, precondition.id]
        self.session.check_index += 1
        self.session.org_checked_at = utc_now()

    @effect
    def give_advice(self, event: Answered) -> None:
        """Record the first advice; the advice step's prompt shows it (see Renderer.overview).

        The look at the current employee is kept too: its date and phase, the advice, first steps.
        """
        self.session.advised = []
        first = list(self._plan().first)
        self.session.advised = [item.id for item in first]
        self._record_advice(first)

    @effect
    def more_advice(self, event: Answered) -> None:
        """Record what one more "Meer" adds; the "Meer" step's prompt lists it."""
        added = self._plan().after_more().latest
        self.session.advised = [*self.session.advised, *(item.id for item in added)]

    @effect
    def send_plan(self, event: Answered) -> None:
        self._note(self.context.render.texts.plan_caption, "action_plan")

    @effect
    def new_employee(self, event: Answered) -> None:
        """Another employee gets a slot of its own; the ones discussed before are kept."""
        self._new_look()
        self.session.current = None  # its slot is made with its first advice
        if len(self.session.slots) < MAX_SLOTS:
            texts = self.context.render.texts.team
            self._note(texts.new_slot.format(letter=self._free_letter()))

    @effect
    def set_review(self, event: Answered) -> None:
        """The manager's choice of a check-in: 2, 4 or 8 weeks, or none (the default)."""
        option = self._option(event).id
        weeks = self.context.flow.team.review_weeks.get(option)
        slot = self.session.current_slot()
        texts = self.context.render.texts.team
        if slot is None:
            return
        if weeks is None:
            slot.review_at, slot.review_weeks = None, None
            self._note(texts.reminder_none)
            return
        slot.review_at = review_moment(utc_now(), weeks)
        slot.review_weeks = weeks
        day = self.context.render.day(slot.review_at)
        self._note(texts.reminder_set.format(date=day, letter=slot.letter))

    @effect
    def show_team(self, event: Answered | None) -> None:
        """The list of employees, what helps most of them at once, and the team picture."""
        listed = listed_slots(self.session)
        helps = advice.team_helpers(self.context.knowledge, [slot.advised for slot in listed])
        self._note(team_overview(self.context.render, self.session, helps), "team_picture")

    @effect
    def open_slot(self, event: Answered) -> None:
        slot = self.session.slot(self._picked(event))
        assert slot is not None  # offered only for a listed employee
        self.session.current = slot.letter
        self.session.phase = slot.phase
        self.session.advised = list(slot.advised)
        self._note(slot_detail(self.context.render, slot), "slot_picture")

    @effect
    def reassess(self, event: Answered) -> None:
        """Look at the same employee again: a new assessment is added to its path."""
        self._new_look()

    @effect
    def remove_slot(self, event: Answered) -> None:
        """Remove the employee with everything kept about it, its check-in too."""
        slot = self.session.current_slot()
        if slot is None:
            return
        self.session.slots = [item for item in self.session.slots if item.letter != slot.letter]
        self.session.current = None
        self.session.phase = None
        self.session.advised = []
        self._note(self.context.render.texts.team.removed.format(letter=slot.letter))

    @effect
    def answer_step(self, event: Answered) -> None:
        """Keep how far the manager got with one first step (gedaan, bezig, nog niet)."""
        slot = self.session.current_slot()
        status = {"gedaan": "gedaan", "bezig": "bezig", "nognie": "nog_niet"}
        if slot is not None and self.session.checkin_step < len(slot.steps):
            steps = list(slot.steps)  # new objects: the session before this answer keeps its own
            index = self.session.checkin_step
            steps[index] = steps[index].model_copy(
                update={"status": status[self._option(event).id]}
            )
            slot.steps = steps
        self.session.checkin_step += 1

    @effect
    def same_phase(self, event: Answered) -> None:
        """Not moved: name the likely obstacle and offer a different first step."""
        knowledge, texts = self.context.knowledge, self.context.render.texts.team
        gaps = [knowledge.precondition(gap) for gap in self.session.precondition_gaps]
        if gaps:
            when_gap = gaps[0].when_gap_for_reader(self._role().reader)
            self._note(texts.obstacle.format(title=gaps[0].title, when_gap=when_gap))
        else:
            self._note(texts.no_obstacle)
        slot = self.session.current_slot()
        if slot is None:
            return
        taken = {step.item for step in slot.steps}
        ranked = advice.ranked(knowledge, self._role(), self._phase())
        other = next((item for item in ranked if item.id not in taken), None)
        if other is None:
            self._note(texts.no_other_step)
            return
        role = self._role()
        detail = self.context.render.detail(other, role.reader, role.layers, self.session.work)
        self._note(f"{texts.other_step}\n\n{detail}")
        slot.assessments = [*slot.assessments, Assessment(on=utc_now(), phase=self._phase())]
        slot.steps = [FirstStep(item=other.id)]
        if other.id not in slot.advised:
            slot.advised = [*slot.advised, other.id]
        self.session.advised = list(slot.advised)

    @effect
    def phase_up(self, event: Answered) -> None:
        """Moved up: congratulate, and give the advice for the new phase."""
        slot = self.session.current_slot()
        texts = self.context.render.texts.team
        number = self.context.knowledge.phase(self._phase()).number
        top = max(phase.number for phase in self.context.knowledge.phases)
        letter = slot.letter if slot is not None else ""
        if number >= top:
            self._note(texts.top_phase.format(letter=letter))
            if slot is not None:
                slot.assessments = [
                    *slot.assessments,
                    Assessment(on=utc_now(), phase=self._phase()),
                ]
            return
        self._moved_up(self.context.knowledge.phase(number + 1), event)

    @effect
    def picked_up(self, event: Answered) -> None:
        """Moved up to the phase picked by hand: congratulate, and advise for that phase."""
        self._moved_up(self.context.knowledge.phase(self._picked(event)), event)

    def _moved_up(self, phase: Phase, event: Answered) -> None:
        slot = self.session.current_slot()
        texts = self.context.render.texts.team
        letter = slot.letter if slot is not None else ""
        self.session.phase = phase.key
        self._note(texts.moved_up.format(letter=letter, number=phase.number, label=phase.label))
        self.give_advice(event)


# What the flow may name: derived from the marks above, never kept by hand.
CONDITIONS = registered(Step, "condition")
EFFECTS = registered(Step, "effect")


@dataclass(frozen=True)
class Move:
    """One way an answer can go: taken when every condition of `when` holds, to `dest` (None:
    stays where it is), running the effects of `do` after the move (transitions' `after`)."""

    when: tuple[str, ...]
    dest: str | None
    do: tuple[str, ...]


def moves_of(machine: Machine) -> dict[tuple[str, str], tuple[Move, ...]]:
    """Per (state, trigger): the machine's transitions in its order, read once at load.

    The machine is the graph (built, checked and drawn by transitions); a step takes its moves
    from this table with plain calls (:func:`take`). Firing the event through transitions cost
    more than the rest of the step: event data, callback resolution and a state change per
    answer, for a graph that never changes after loading.
    """
    table: dict[tuple[str, str], tuple[Move, ...]] = {}
    for trigger, event in machine.events.items():
        for source, transitions in event.transitions.items():
            for transition in transitions:
                if not all(condition.target for condition in transition.conditions):
                    raise ValueError(f"{trigger} from {source}: an `unless` the flow cannot make")
                if transition.before or transition.prepare:
                    raise ValueError(f"{trigger} from {source}: callbacks the flow cannot make")
            table[(source, trigger)] = tuple(
                Move(
                    tuple(str(condition.func) for condition in transition.conditions),
                    transition.dest,
                    tuple(str(name) for name in transition.after),
                )
                for transition in transitions
            )
    return table


def take(step: Step, moves: tuple[Move, ...], answered: Answered) -> bool:
    """Apply the first of `moves` whose conditions hold to `step`: whether one was taken.

    The same order and the same calls as transitions makes when it fires the event (conditions
    with the event, the state changed, then the `after` effects), looked up by name on `Step`
    so that the flow can name only marked methods.
    """
    for move in moves:
        for name in move.when:
            if not getattr(Step, name)(step, answered):
                break
        else:
            if move.dest is not None:
                step.state = move.dest
            for name in move.do:
                getattr(Step, name)(step, answered)
            return True
    return False


def build_machine(flow: Flow) -> Machine:
    """One machine for every chat: states and transitions from the flow, conditions by name."""
    transitions: list[dict[str, Any]] = []
    for name, state in flow.states.items():
        for option in state.options:
            if option.action is not None:
                continue  # restart is the engine's business, not a move in the graph
            guard = [option.when] if option.when else []
            if option.next is None:
                transitions.append(
                    {
                        "trigger": option_trigger(option.id),
                        "source": name,
                        "dest": None,  # internal: show something, change nothing
                        "conditions": guard,
                        "after": list(option.do),
                    }
                )
            for target in option.targets:
                transitions.append(
                    {
                        "trigger": option_trigger(option.id),
                        "source": name,
                        "dest": target.to,
                        "conditions": guard + ([target.when] if target.when else []),
                        "after": [*option.do, *target.do],
                    }
                )
        if state.pick is not None:
            transitions.extend(
                {
                    "trigger": PICK_TRIGGER,
                    "source": name,
                    "dest": target.to,
                    "conditions": [target.when] if target.when else [],
                    "after": [*state.pick.do, *target.do],
                }
                for target in state.pick.targets
            )
    return Machine(
        model=None,
        states=list(flow.states),
        transitions=transitions,
        initial=flow.initial,
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=False,
    )
