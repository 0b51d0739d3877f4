"""The dialog's graph as data: states, options and where each option leads, read from YAML.

A malformed dialog must fail when it is loaded, never when a user reaches the broken step: the
schema here catches what is malformed in one place, :mod:`dialogs.checks` what is wrong as a whole.
The graph holds no words: all wording lives in the language bundle (see :mod:`locales`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from knowledge.schema import SLUG_PATTERN, Reader
from knowledge.yaml_source import parse_yaml

DATA_DIR = Path(__file__).parent / "data"
FLOW_FILE = DATA_DIR / "flow.yaml"

# Option ids travel in Telegram callback data (at most 64 bytes, with a turn tag): short ASCII.
OptionId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,15}$")]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
# Keys of the knowledge (phases, layers) are its slugs.
Key = Annotated[str, Field(pattern=SLUG_PATTERN)]


Model = TypeVar("Model", bound=BaseModel)


class FlowError(Exception):
    """The dialog definition is broken; `errors` lists every problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Target(_Spec):
    """One possible destination of an option; the first whose condition holds is taken."""

    to: Name
    when: Name | None = None
    do: list[Name] = Field(default_factory=list)  # effects only when this target is taken


class OptionSpec(_Spec):
    """A choice in a state: where it leads, what it does, and when it is offered."""

    id: OptionId
    # A state, or conditional targets tried in order. None: an information option that shows
    # something and changes nothing (not recorded, so `back` never has to undo it).
    next: Name | list[Target] | None = None
    do: list[Name] = Field(default_factory=list)
    when: Name | None = None
    phase: Key | None = None  # the phase an answer points to (staging questions)
    action: Literal["restart"] | None = None  # handled like the /restart command
    # On every page of a long list of buttons, after the page's own: what a reader must always
    # find one tap away (issue 20: "Waar vind ik hulp?" one tap from the advice). Each pinned
    # option leaves one place less on a page for the others.
    pin: bool = False

    @property
    def targets(self) -> list[Target]:
        if self.next is None:
            return []
        if isinstance(self.next, str):
            return [Target(to=self.next)]
        return list(self.next)


class PickSpec(_Spec):
    """Options generated at run time, listed before the state's fixed options.

    `phases`: one per phase (`f.<key>`); `advised`: every intervention shown so far
    (`i.<id>`); `overview`: the first advice's interventions (`i.<id>`) and warnings
    (`w.<precondition id>`); `more`: what the latest "Meer" added; `next_phase`: what helps in the
    following phase (`n.<id>`); `slots`: the chat's employees (`s.<letter>`); `terms`: the
    difficult words of the detail on screen (`t.<term id>`). The ids name the things themselves
    (dialogs/choices.py), so they keep their meaning when the knowledge changes.
    """

    source: Literal["phases", "advised", "overview", "more", "next_phase", "slots", "terms"]
    # A state, or conditional targets tried in order (as for a fixed option): a phase picked by
    # hand goes on like one found by the staging questions, e.g. to reuse the organisation's
    # recent answers instead of asking them again.
    next: Name | list[Target]
    do: list[Name] = Field(default_factory=list)

    @property
    def targets(self) -> list[Target]:
        if isinstance(self.next, str):
            return [Target(to=self.next)]
        return list(self.next)


class StateSpec(_Spec):
    """One step of the dialog."""

    # A step with a section is part of the intake: one step counter runs through all of them.
    section: Name | None = None
    # How the prompt is made: None shows the state's text as it is; a name picks a special prompt
    # (see `SPECIAL_PROMPTS` in dialogs/render.py).
    render: Name | None = None
    options: list[OptionSpec] = Field(default_factory=list)
    pick: PickSpec | None = None


class RoleSpec(_Spec):
    """What a role means in the model: the layers it acts in and who it is."""

    layers: list[Key] = Field(min_length=1)
    audiences: list[Literal["mkb", "zzp", "onderwijs"]] = Field(default_factory=list)
    levers: list[Key] = Field(default_factory=list)
    # Who reads the advice: picks the knowledge's reader variants (first steps, gaps, blind spots)
    # and the wording that fits this person (an owner has a firm, a zzp'er has no staff).
    reader: Reader
    # Whether this person manages employees (owner, line manager, HR, director). Only then does
    # the dialog keep a team: /team, check-in reminders and "Andere medewerker". A zzp'er, a
    # colleague or a teacher thinks about their own work or about the person they help.
    staff: bool = True


class AdviceSpec(_Spec):
    """How much advice to give at once."""

    first: int = Field(ge=3, le=5)
    few_below: int = Field(ge=1, le=5)  # fewer than this: say honestly that the model has little
    more: int = Field(ge=1, le=5)
    levers_per_layer: int = Field(ge=0, le=2)
    blind_spots: int = Field(ge=0, le=3)
    next_phase: int = Field(ge=1, le=5)
    # Paper has less room than the chat: what the one-page plan prints besides the steps.
    plan_blind_spots: int = Field(ge=0, le=3)
    plan_referrals: int = Field(ge=0, le=4)
    # "Waar vind ik hulp?": at most this many networks, those of the reader's kind of work first.
    help: int = Field(default=5, ge=1, le=8)


class QuickCheckSpec(_Spec):
    """Which preconditions to check, per phase, in order of priority (precondition numbers)."""

    max_questions: int = Field(ge=2, le=4)
    priority: dict[Key, list[Annotated[int, Field(ge=1, le=4)]]]
    # Per phase: check question ids asked first for their precondition (one with two questions).
    prefer: dict[Key, list[Key]] = Field(default_factory=dict)


class TeamSpec(_Spec):
    """The team of employees and the check-ins on a review date."""

    org_fresh_days: int = Field(default=56, ge=1, le=365)  # organisation answers reused this long
    steps: int = Field(default=2, ge=1, le=4)  # first steps a check-in asks about
    review_weeks: dict[OptionId, Annotated[int, Field(ge=1, le=52)]] = Field(default_factory=dict)


class Flow(_Spec):
    """The whole dialog definition."""

    initial: Name
    start: Name
    states: dict[Name, StateSpec]
    roles: dict[OptionId, RoleSpec]
    advice: AdviceSpec
    quick_check: QuickCheckSpec
    team: TeamSpec = Field(default_factory=TeamSpec)
    # States entered from outside the graph (the check-in on a review date starts there).
    entries: list[Name] = Field(default_factory=list)
    # The advice and its views: a tapped move between two of them edits the message in place, so
    # the chat reads as one advice with its details, not a stack of copies (issue 19).
    in_place: list[Name] = Field(default_factory=list)

    @model_validator(mode="after")
    def _in_place_names_states(self) -> Flow:
        """A typo in `in_place` would silently send new messages: refused when loaded."""
        unknown = sorted(set(self.in_place) - set(self.states))
        if unknown:
            raise ValueError(f"in_place names no state: {', '.join(unknown)}")
        return self

    def state(self, name: str) -> StateSpec:
        return self.states[name]

    def has_staff(self, role_id: str | None) -> bool:
        """Whether this role's reader manages employees (see RoleSpec.staff); False before the
        role is known or for a role the flow does not have."""
        role = self.roles.get(role_id) if role_id is not None else None
        return role is not None and role.staff


def read_model(path: Path, model: type[Model], name: str) -> Model:
    """Parse YAML into `model`; a FlowError naming `name` on unreadable YAML or schema errors."""
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8"))  # libyaml's parser: a faster start
    except (OSError, yaml.YAMLError) as error:
        raise FlowError([f"{name}: {error}"]) from error
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise FlowError(
            [
                f"{name}: {'.'.join(str(p) for p in item['loc'])}: {item['msg']}"
                for item in error.errors()
            ]
        ) from error


def read_flow(path: Path = FLOW_FILE) -> Flow:
    """Parse the flow file; FlowError on unreadable YAML or on a schema error."""
    return read_model(path, Flow, path.name)


def successors(flow: Flow, name: str) -> set[str]:
    """The states one accepted option away from `name` (restart leads to the start state)."""
    state = flow.states[name]
    found: set[str] = set()
    for option in state.options:
        found.update(t.to for t in option.targets if t.to in flow.states)
        if option.action == "restart":
            found.add(flow.start)
    if state.pick is not None:
        found.update(t.to for t in state.pick.targets if t.to in flow.states)
    return found


def unreachable(flow: Flow) -> set[str]:
    """States that no sequence of choices reaches from the initial state or the start state."""
    roots = [n for n in (flow.initial, flow.start, *flow.entries) if n in flow.states]
    seen = set(roots)
    todo = list(roots)
    while todo:
        for following in successors(flow, todo.pop()):
            if following not in seen:
                seen.add(following)
                todo.append(following)
    return set(flow.states) - seen
