"""The one `transitions` machine for all chats, and the short-lived model it moves.

A pydantic session cannot be a transitions model, and a machine per chat costs time and memory. So
there is one :class:`transitions.Machine` built from the flow, and per handled answer a small
:class:`Step` (wrapping the session being changed) is added to it, triggered once and removed again,
so that no model outlives its call. Conditions and effects are methods of `Step`, named in the flow
YAML. A method is nameable only when marked where it is written (``@condition``, ``@effect``);
:data:`CONDITIONS` and :data:`EFFECTS` are derived from those marks so the flow can be checked when
loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from transitions import EventData, Machine

from dialogs import advice
from dialogs.events import Reply
from dialogs.flow import Flow, OptionSpec, RoleSpec
from dialogs.render import Renderer
from dialogs.session import Session
from knowledge import KnowledgeBase

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


def option_trigger(option_id: str) -> str:
    """The trigger of a fixed option (prefixed, so it never shadows an attribute of the model)."""
    return f"o_{option_id}"


@dataclass(frozen=True)
class Context:
    """What conditions and effects read: the flow, the knowledge and the words."""

    flow: Flow
    knowledge: KnowledgeBase
    render: Renderer


class Step:
    """The transitions model for one answer: changes `session` and collects notes to show.

    `state` and `trigger` are set by the machine while the step is added to it.
    """

    state: str
    trigger: Callable[..., bool]

    def __init__(self, context: Context, session: Session) -> None:
        self.context = context
        self.session = session
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

    @staticmethod
    def _option(event: EventData | None) -> OptionSpec:
        assert event is not None
        option = event.kwargs.get("option")
        assert isinstance(option, OptionSpec)
        return option

    @staticmethod
    def _value(event: EventData | None) -> int:
        assert event is not None
        value = event.kwargs.get("value")
        assert isinstance(value, int)
        return value

    # -- conditions (also asked outside the machine, to list the options on offer) -------------
    @condition
    def more_checks(self, event: EventData | None = None) -> bool:
        """Another quick-check question follows the one being answered."""
        return self.session.check_index + 1 < len(self.session.checks)

    @condition
    def has_more(self, event: EventData | None = None) -> bool:
        """The role's own layers hold interventions for this phase that were not advised yet."""
        if self.session.role is None or self.session.phase is None:
            return False
        return bool(
            advice.more_advice(
                self.context.knowledge,
                self._role(),
                self._phase(),
                self.context.flow.advice,
                self.session.advised,
            )
        )

    # -- effects -------------------------------------------------------------------------------
    @effect
    def set_role(self, event: EventData) -> None:
        role = self._option(event).id
        self.session.role = role
        self.session.layers = list(self.context.flow.roles[role].layers)
        note = self.context.render.texts.roles[role].note
        if note:
            self._note(note)

    @effect
    def set_phase(self, event: EventData) -> None:
        self.session.phase = self._option(event).phase

    @effect
    def pick_phase(self, event: EventData) -> None:
        phase = self.context.knowledge.phase(self._value(event))
        self.session.phase = phase.key
        self._note(self.context.render.picked(phase))

    @effect
    def start_checks(self, event: EventData) -> None:
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
    def show_model(self, event: EventData) -> None:
        self._note(self.context.render.texts.model_caption, "model_picture")

    @effect
    def answer_check(self, event: EventData) -> None:
        precondition, check = advice.check_question(
            self.context.knowledge, self.session.checks[self.session.check_index]
        )
        answer = self._option(event).id
        if answer == check.gap_when and precondition.id not in self.session.precondition_gaps:
            self.session.precondition_gaps = [*self.session.precondition_gaps, precondition.id]
        if answer == "wn" and precondition.id not in self.session.unsure_gaps:
            self.session.unsure_gaps = [*self.session.unsure_gaps, precondition.id]
        self.session.check_index += 1

    @effect
    def give_advice(self, event: EventData) -> None:
        knowledge, flow = self.context.knowledge, self.context.flow
        role, phase = self._role(), self._phase()
        primary, levers = advice.first_advice(knowledge, role, phase, flow.advice)
        self.session.advised = [item.id for item in (*primary, *levers)]
        gaps = [knowledge.precondition(gap) for gap in self.session.precondition_gaps]
        spots = advice.blind_spots(knowledge, role, phase, flow.advice)
        for text in self.context.render.advice(self.session, primary, levers, gaps, spots):
            self._note(text)

    @effect
    def more_advice(self, event: EventData) -> None:
        items = advice.more_advice(
            self.context.knowledge,
            self._role(),
            self._phase(),
            self.context.flow.advice,
            self.session.advised,
        )
        start = len(self.session.advised) + 1
        self.session.advised = [*self.session.advised, *(item.id for item in items)]
        self._note(self.context.render.more(start, items))

    @effect
    def show_next_phase(self, event: EventData) -> None:
        items = advice.next_phase_advice(
            self.context.knowledge, self._role(), self._phase(), self.context.flow.advice
        )
        self._note(self.context.render.next_phase(self._phase(), items))

    @effect
    def send_plan(self, event: EventData) -> None:
        self._note(self.context.render.texts.plan_caption, "action_plan")

    @effect
    def new_employee(self, event: EventData) -> None:
        self.session.phase = None
        self.session.checks = []
        self.session.check_index = 0
        self.session.precondition_gaps = []
        self.session.unsure_gaps = []
        self.session.advised = []

    @effect
    def explain(self, event: EventData) -> None:
        item_id = self.session.advised[self._value(event) - 1]
        self._note(self.context.render.explain(self.context.knowledge.intervention(item_id)))


# What the flow may name: derived from the marks above, never kept by hand.
CONDITIONS = registered(Step, "condition")
EFFECTS = registered(Step, "effect")


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
            transitions.append(
                {
                    "trigger": PICK_TRIGGER,
                    "source": name,
                    "dest": state.pick.next,
                    "after": list(state.pick.do),
                }
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
