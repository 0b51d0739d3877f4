"""One chat's place in the dialog, as data that survives restarts.

Kept apart from the `transitions` machine on purpose: a pydantic model cannot itself be a
transitions model, and one shared machine serves every session. The session holds only option
ids and knowledge keys; never names, never free text about employees (privacy by design).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, NonNegativeInt, TypeAdapter

from dialogs.selfcheck import SharedView

SCHEMA_VERSION = 1


def utc_now() -> datetime:
    return datetime.now(UTC)


# The fields an answer may change that a step back puts back, with their types (checked when a
# record is loaded). Not the team (slots, the organisation's date): /terug undoes an answer, not an
# employee's recorded assessment. Not `state`: that is the answer's `step`. Not `page`: a step
# back shows the first page of buttons.
UNDONE: dict[str, TypeAdapter[Any]] = {
    "role": TypeAdapter(str | None),
    "layers": TypeAdapter(list[str]),
    "phase": TypeAdapter(str | None),
    "precondition_gaps": TypeAdapter(list[str]),
    "advised": TypeAdapter(list[str]),
    "checks": TypeAdapter(list[str]),
    "check_index": TypeAdapter(NonNegativeInt),
    "unsure_gaps": TypeAdapter(list[str]),
    "current": TypeAdapter(str | None),
    "reuse_org": TypeAdapter(bool),
    "checkin_step": TypeAdapter(NonNegativeInt),
    "work": TypeAdapter(str | None),  # the kind of work (issue 20)
}


def _undoable(before: dict[str, Any]) -> dict[str, Any]:
    unknown = set(before) - set(UNDONE)
    if unknown:
        raise ValueError(f"not a field a step back restores: {sorted(unknown)}")
    return {name: UNDONE[name].validate_python(value) for name, value in before.items()}


# The fields an answer changed, with the values they had before it (field name -> value).
Before = Annotated[dict[str, Any], AfterValidator(_undoable)]


class Answer(BaseModel):
    """One accepted answer: the step it answered, the option chosen there, and what it changed.

    `before` is the small snapshot a step back needs: only the fields the answer changed, as
    they were. A step back puts them back and returns to `step`; nothing is replayed. None: an
    answer kept from a record older than snapshots (for the trail of answers and the result's
    reasons), which a step back cannot undo. Options are named by stable ids (a fixed option's
    id, or a pick's `kind.key`, see dialogs/choices.py), so an answer keeps its meaning when the
    knowledge changes.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    step: str
    option: str
    before: Before | None = Field(default_factory=dict)


def new_answer(step: str, option: str, before: dict[str, Any]) -> Answer:
    """An answer the engine records, from fields the session already validated (checked again
    only when its record is loaded): as `Answer.model_construct`, at a fraction of its cost."""
    values = {"step": step, "option": option, "before": before}
    return _unvalidated(Answer, values, {"step", "option", "before"})


Made = TypeVar("Made", bound=BaseModel)
# The slots every pydantic model has besides its fields (`__dict__`): set through their own
# descriptors, as pydantic's `model_construct` does, without looking each name up again.
_SET_FIELDS_SET = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_SET_EXTRA = BaseModel.__dict__["__pydantic_extra__"].__set__
_SET_PRIVATE = BaseModel.__dict__["__pydantic_private__"].__set__


def _unvalidated(model: type[Made], values: dict[str, Any], fields_set: set[str]) -> Made:
    """A `model` holding `values` as they are: the engine makes two per step (an answer and a
    draft of the session), so the few calls here are a measurable part of a step (issue 22)."""
    made = object.__new__(model)
    object.__setattr__(made, "__dict__", values)
    _SET_FIELDS_SET(made, fields_set)
    _SET_EXTRA(made, None)
    _SET_PRIVATE(made, None)
    return made


# How many answers a session keeps for /terug: far more than a way back to the first question
# needs (about a dozen), and few enough that a record stays small however long a chat runs.
MAX_HISTORY = 30


# A chat keeps at most this many employees, as anonymous letters: "Medewerker A" .. "Medewerker T".
MAX_SLOTS = 20
SLOT_LETTERS = "ABCDEFGHIJKLMNOPQRST"
StepStatus = Literal["open", "gedaan", "bezig", "nog_niet"]


class Assessment(BaseModel):
    """One look at an employee: when, and the phase it found."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    on: datetime
    phase: str


class FirstStep(BaseModel):
    """A first step of the advice (an intervention id) and how far the manager got with it."""

    model_config = ConfigDict(extra="forbid")

    item: str
    status: StepStatus = "open"


class Slot(BaseModel):
    """One employee of the chat, known only by a letter: never a name (privacy by design)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    letter: str = Field(pattern=r"^[A-T]$")
    assessments: list[Assessment] = Field(default_factory=list, max_length=200)
    advised: list[str] = Field(default_factory=list)
    steps: list[FirstStep] = Field(default_factory=list)
    # The check-in the manager asked for (UTC, already moved to a civil hour), None: no reminder.
    review_at: datetime | None = None
    review_weeks: int | None = Field(default=None, ge=1, le=52)
    # Once marked which answer gave this employee's latest advice, when a step back replayed
    # the answers; no longer read (a step back restores a snapshot), kept for stored records.
    mark: int = Field(default=0, ge=0)
    # What this employee shared of their own self-check (issue 21): the phase and five answers,
    # never who they are. None: nothing shared (or withdrawn by the employee's /vergeet).
    shared: SharedView | None = None

    @property
    def phase(self) -> str | None:
        return self.assessments[-1].phase if self.assessments else None

    @property
    def last_look(self) -> datetime | None:
        return self.assessments[-1].on if self.assessments else None


class Session(BaseModel):
    """The serialisable state of one conversation (JSON round trip without loss)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    schema_version: int = SCHEMA_VERSION
    # The language the conversation is held in (a `locales` bundle), so that every later reply,
    # picture and plan of this chat speaks it. Older records without it were all Dutch.
    language: str = "nl"
    state: str = "welkom"
    # Counts every handled step that changed the session; front ends tag buttons with it so that a
    # button from an older message can be told apart from one of the current step.
    turn: int = Field(default=0, ge=0, le=10**9)
    # The answers a step back can undo, oldest first; at most MAX_HISTORY (older ones are let go).
    history: list[Answer] = Field(default_factory=list, max_length=MAX_HISTORY)
    role: str | None = None
    layers: list[str] = Field(default_factory=list)
    phase: str | None = None
    # The kind of work of the reader's business (knowledge WorkKind: `maken`, `bouw`, ...), None
    # when skipped or not asked. Only the kind: never the business's name (privacy by design).
    work: str | None = Field(default=None, max_length=16)
    precondition_gaps: list[str] = Field(default_factory=list)
    advised: list[str] = Field(default_factory=list)
    # The quick-check questions (precondition check ids) chosen for this employee's phase, and how
    # many of them are answered; the gaps found so far are in `precondition_gaps`.
    checks: list[str] = Field(default_factory=list)
    check_index: int = Field(default=0, ge=0)
    # Preconditions whose check was answered "weet ik niet": a possible gap, worth checking.
    unsure_gaps: list[str] = Field(default_factory=list)
    # Which page of a long list of options is shown (0: the first); reset when the step changes.
    page: int = Field(default=0, ge=0, le=100)
    # Set while asking whether to wipe the answers: the role a deep link wanted ("" for none).
    confirm_restart: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
    # ---- the team: what outlives one assessment (kept by a restart and by /terug) ----
    slots: list[Slot] = Field(default_factory=list, max_length=MAX_SLOTS)
    current: str | None = None  # the letter of the employee being discussed
    # The quick-check answers belong to the organisation, not to one employee: asked once, reused.
    org_checked_at: datetime | None = None
    # True once a second look starts (another employee, a re-assessment, a check-in): from then
    # on fresh organisation answers are offered for reuse instead of asked again.
    reuse_org: bool = False
    checkin_step: int = Field(default=0, ge=0)  # which first step a check-in asks about
    # The options of the question just asked back ("Bedoel je A of B?"): a number typed next
    # means one of them, not a button of the page. Cleared by the next event.
    asked: list[str] = Field(default_factory=list, max_length=5)

    def slot(self, letter: str | None) -> Slot | None:
        """The employee with this letter, None when there is none."""
        return next((slot for slot in self.slots if slot.letter == letter), None)

    def current_slot(self) -> Slot | None:
        return self.slot(self.current)

    def next_review(self) -> datetime | None:
        """The earliest pending check-in of any employee, None when none is asked for."""
        dues = [slot.review_at for slot in self.slots if slot.review_at is not None]
        return min(dues) if dues else None


class Draft(Session):
    """A session being changed by one step of the engine: fields assigned without validation.

    Why: validating every assignment cost more than a fifth of a step, for values the engine
    makes itself. A session is validated at the edges instead: strictly when its record is
    loaded, and when it is saved (bot/persistence/codec.py checks what it writes can be read).
    Only the engine makes drafts (:func:`draft`), and it copies an accepted one back into the
    caller's session.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=False)

    def __setattr__(self, name: str, value: Any) -> None:
        # What pydantic does for an unvalidated field, without its dispatch: a step assigns a
        # handful of fields, and the dispatch cost more than the assignments.
        if name not in DRAFTED:
            raise AttributeError(f"a session has no field {name!r}")
        self.__dict__[name] = value
        self.__pydantic_fields_set__.add(name)


DRAFTED = frozenset(Session.model_fields)


def draft(session: Session, **update: Any) -> Draft:
    """A shallow copy of `session` to change, with `update` set (as `model_copy`, unvalidated).

    The draft of a session marks as set only what the step sets (a draft of a draft keeps its
    marks too): committing adds those to the session's own, and copying all of them here only
    to add them back was a measurable part of a step (issue 22).
    """
    fields = set(session.__pydantic_fields_set__) if isinstance(session, Draft) else set()
    if not update:
        return _unvalidated(Draft, session.__dict__.copy(), fields)
    fields.update(update)
    return _unvalidated(Draft, {**session.__dict__, **update}, fields)


def checked(session: Session) -> None:
    """Validate `session`'s fields as they are now: ValidationError when one is out of bounds.

    The edge check of what drafts assigned (a few microseconds: the answers and employees in it
    are models already, checked when they were made, and are not checked again).
    """
    Session.__pydantic_validator__.validate_python(session.__dict__)


# What a restart and a step back carry over: the team and the organisation's answers.
TEAM_FIELDS = ("slots", "current", "org_checked_at", "precondition_gaps", "unsure_gaps")


def team_of(session: Session) -> dict[str, Any]:
    """The team fields of `session`, deep-copied, to carry into a fresh session.

    Only these fields are copied: a copy of the whole session (its history too) made a restart
    the dearest step of the dialog. What cannot change in place (None, a letter, a date) is
    taken as it is, and an empty list is a new one: a deep copy of each cost a third of a
    restart.
    """
    return {name: _copied(getattr(session, name)) for name in TEAM_FIELDS}


def _copied(value: Any) -> Any:
    if value is None or isinstance(value, (str, datetime)):
        return value
    return copy.deepcopy(value) if value else type(value)()
