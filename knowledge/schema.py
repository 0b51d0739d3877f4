"""The report's maturity model as typed records.

Every record forbids unknown fields, so a typo in an author's YAML ("explenation") is an error and
not silently dropped knowledge. Cross-references between files (layer keys, phase numbers, related
ids) are checked in :mod:`knowledge.loader`, which sees all files at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, Field(pattern=SLUG_PATTERN, min_length=2, max_length=48)]
Text = Annotated[str, Field(min_length=3)]
# Labels may be as short as the report's own ("HR").
Label = Annotated[str, Field(min_length=2, max_length=60)]
PhaseNumber = Annotated[int, Field(ge=1, le=5)]
# A button's words, written by hand: Telegram shows about 30 characters of a button on a phone,
# and a title cut with "…" ("Taken met meer…") reads as careless (issue 19).
ButtonLabel = Annotated[str, Field(min_length=2, max_length=28)]
# A warning's button adds "Let op: " (8 characters) to the precondition's label.
WarningLabel = Annotated[str, Field(min_length=2, max_length=22)]

# Groups the report names as under-served or as special; advice may be aimed at them.
Audience = Literal["mkb", "zzp", "onderwijs"]

# The kind of work of a business with staff (issue 20): asked once, skippable, never its name.
# First steps may carry a variant per kind, and a network for one sector goes to that kind only.
WorkKind = Literal["maken", "bouw", "kantoor", "zorg"]
WORK_KINDS: tuple[str, ...] = get_args(WorkKind)

# Who reads a text: an advice may carry a variant per reader where the common text does not fit
# (a colleague cannot divide the work; a zzp'er has no staff). See CONTENT_SPEC for who reads what.
Reader = Literal["eigenaar", "leidinggevende", "hr", "directie", "collega", "zzp", "docent"]
READERS: tuple[str, ...] = get_args(Reader)

_SPAN = re.compile(r"^\s*([1-5])\s*(?:-\s*([1-5]))?\s*$")


class Record(BaseModel):
    """Base for all knowledge records: strict, immutable, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Phase(Record):
    """One phase of behaviour change of an employee around learning (Prochaska & DiClemente)."""

    key: Slug
    number: PhaseNumber
    label: Label
    report_label: Text
    description: Text
    # A reader without staff (zzp'er, colleague, teacher) reads "de medewerker" as someone else.
    description_for: dict[Reader, Text] = Field(default_factory=dict)
    signals: list[Text] = Field(min_length=2)
    manager_focus: Text

    def description_for_reader(self, reader: str | None) -> str:
        """The phase described as this reader should read it (None: the common text)."""
        return for_reader(self.description, self.description_for, reader)


class Layer(Record):
    """A layer of the organisation that can act to strengthen learning culture."""

    key: Slug
    label: Label
    who: Text
    description: Text


class PhaseSpan(Record):
    """The phases an intervention is useful in, inclusive on both ends."""

    first: PhaseNumber
    last: PhaseNumber

    @property
    def width(self) -> int:
        return self.last - self.first + 1

    def covers(self, number: int) -> bool:
        return self.first <= number <= self.last

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


def parse_span(value: object) -> object:
    """Accept the author's short form (`3`, `"2-3"`) besides an explicit mapping."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return {"first": value, "last": value}
    if isinstance(value, str):
        match = _SPAN.match(value)
        if not match:
            raise ValueError(f"phases must look like '2' or '2-4' (1 to 5), not {value!r}")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if last < first:
            raise ValueError(f"phases run from low to high, not {value!r}")
        return {"first": first, "last": last}
    return value


def _plain_name(name: str) -> str:
    """A name compared without case and punctuation: "Feedback geven" is "feedback geven."."""
    return "".join(char for char in name.casefold() if char.isalnum())


def for_reader(common: str, variants: Mapping[Reader, str], reader: str | None) -> str:
    """The reader's own variant of a text when there is one, else the text every reader gets.

    `reader` is a plain string so that a caller may pass any role-derived key; an unknown or
    absent reader gets the common text.
    """
    return next((text for key, text in variants.items() if key == reader), common)


class Intervention(Record):
    """One intervention plotted on the maturity grid: a layer, and the phases it spans."""

    id: Slug
    title: Text
    # The button's words (at most 28 characters, unique in the knowledge); `title` in the text.
    label: ButtonLabel
    layer: Slug
    phases: PhaseSpan
    evidence: bool = Field(description="the report's '*': backed by scientific literature")
    span_source: Literal["tekst", "grafiek", "tekst-en-grafiek"] = Field(
        description="'tekst': span stated in the report's prose; 'grafiek': read from a chart; "
        "'tekst-en-grafiek': the prose names the first phase, the chart shows where it ends"
    )
    explanation: Text
    first_step: Text
    first_step_for: dict[Reader, Text] = Field(default_factory=dict)
    # The first step for a reader with staff in this kind of work, where the common one names
    # something that work lacks (a webshop has no "oplevering"). Wins over `first_step_for`.
    first_step_for_work: dict[WorkKind, Text] = Field(default_factory=dict)
    # The report's own name for the intervention, unchanged for traceability; `title` is the
    # plain title shown in the chat.
    report_title: Text
    # A note beside the name in the report's summary ("leerrijk werk" for "Taken herontwerpen"):
    # kept for authors, never shown as part of the report's name, which is word for word.
    report_note: Text | None = None
    # Shown in the detail view when the span is inferred or uncertain.
    span_note: Text | None = None
    # The report's label is cut off: `report_title` is reconstructed, `report_fragment` is printed.
    title_reconstructed: bool = False
    report_fragment: Text | None = None
    # The same action as the report plots it in several layers (feedback from a manager and from
    # colleagues, say). Someone acting in several layers at once, as an MKB owner does, is
    # advised each theme once.
    theme: Slug | None = None
    tags: list[Slug] = Field(default_factory=list)
    related: list[Slug] = Field(default_factory=list)

    _parse_phases = field_validator("phases", mode="before")(parse_span)

    @model_validator(mode="after")
    def _reconstruction_is_documented(self) -> Intervention:
        """A reconstructed title shows both sides: the reconstruction and the printed words."""
        if self.title_reconstructed and self.report_fragment is None:
            raise ValueError(
                "title_reconstructed needs report_fragment (the words as the report prints them)"
            )
        if self.report_fragment is not None and not self.title_reconstructed:
            raise ValueError("report_fragment belongs to a reconstructed title only")
        return self

    def first_step_for_reader(self, reader: str | None, work: str | None = None) -> str:
        """The first step as this reader should read it (None: the common text), in this kind
        of work when it has its own variant (only readers with staff are asked the kind)."""
        for key, text in self.first_step_for_work.items():
            if key == work:
                return text
        return for_reader(self.first_step, self.first_step_for, reader)

    def own_words(self, reader: str | None, work: str | None = None) -> str:
        """What the intervention says in its own words for this reader: its titles, explanation,
        first step and notes, not the frame every detail shares (such as "via HR"). The difficult
        words a detail must explain or offer come from here."""
        texts = [
            self.title,
            self.explanation,
            self.first_step_for_reader(reader, work),
            self.report_title,
            self.report_fragment or "",
            self.span_note or "",
        ]
        return " ".join(texts)

    @property
    def report_title_differs(self) -> bool:
        """The report's name is more than the plain title in other case or punctuation, so the
        detail view and the plan show it beside the title (for traceability)."""
        return _plain_name(self.report_title) != _plain_name(self.title)


class CheckQuestion(Record):
    """A yes/no question a manager can answer about their own firm."""

    id: Slug
    question: Text
    question_for: dict[Reader, Text] = Field(default_factory=dict)
    gap_when: Literal["ja", "nee"] = "nee"

    def question_for_reader(self, reader: str | None) -> str:
        """The question as this reader should read it (None: the common text)."""
        return for_reader(self.question, self.question_for, reader)


class Precondition(Record):
    """One of the four conditions that decide whether any intervention works."""

    id: Slug
    number: Annotated[int, Field(ge=1, le=4)]
    title: Text
    label: WarningLabel  # the button's words, after "Let op: " or "Check: "
    explanation: Text
    checks: list[CheckQuestion] = Field(min_length=1, max_length=2)
    when_gap: Text
    when_gap_for: dict[Reader, Text] = Field(default_factory=dict)

    def when_gap_for_reader(self, reader: str | None) -> str:
        """What to do about a gap, as this reader should read it (None: the common text)."""
        return for_reader(self.when_gap, self.when_gap_for, reader)


class Scope(Record):
    """Where a piece of advice applies; an empty list means: everywhere."""

    phases: list[PhaseNumber] = Field(default_factory=list)
    layers: list[Slug] = Field(default_factory=list)
    audiences: list[Audience] = Field(default_factory=list)
    # A sector's own network goes only to readers in that kind of work; an unknown kind (the
    # question skipped) gets none of them.
    work: list[WorkKind] = Field(default_factory=list)

    def applies(
        self, phase: int | None, layers: set[str], audiences: set[str], work: str | None = None
    ) -> bool:
        """True when this scope matches the situation; unknown phase matches phase-free scopes."""
        if self.phases and (phase is None or phase not in self.phases):
            return False
        if self.work and work not in self.work:
            return False
        if self.layers and not layers.intersection(self.layers):
            return False
        return not (self.audiences and not audiences.intersection(self.audiences))


class BlindSpot(Record):
    """A blind spot ('witte vlek') the report names, as advice attached to where it applies."""

    id: Slug
    title: Text
    explanation: Text
    advice: Text
    advice_for: dict[Reader, Text] = Field(default_factory=dict)
    scope: Scope = Field(default_factory=Scope)
    related: list[Slug] = Field(default_factory=list)

    def advice_for_reader(self, reader: str | None) -> str:
        """The advice as this reader should read it (None: the common text)."""
        return for_reader(self.advice, self.advice_for, reader)


class Referral(Record):
    """A network, fund or service the report names, to refer a manager to."""

    id: Slug
    name: Text
    kind: Literal["fonds", "netwerk", "loket", "leergemeenschap", "kennis", "overleg"]
    what: Text
    when: Text
    # What to ask there, in one plain sentence: shown in the chat's "Waar vind ik hulp?".
    ask: Text
    scope: Scope = Field(default_factory=Scope)


class WorkKindRecord(Record):
    """A kind of work and what it lacks: words a first step for it must not name.

    A webshop has no "oplevering" and its staff do not go along to a customer; a first step that
    names such a thing does not fit (issue 20). Compared case-folded, as parts of the step.
    """

    id: WorkKind
    lacks: list[Annotated[str, Field(min_length=3)]] = Field(min_length=1)


class GlossaryTerm(Record):
    """A word a reader may not know (intervisie, POP), explained in plain Dutch.

    `aliases` are other forms of the same word (a plural, the words an abbreviation stands for);
    the knowledge finds a term in a text by its term or any alias.
    """

    id: Slug
    term: Label
    aliases: list[Label] = Field(default_factory=list)
    explanation: Text


class InterventionFile(Record):
    """One file of interventions: all of one layer, in the report's order."""

    layer: Slug
    interventions: list[dict[str, object]] = Field(min_length=1)


class PhasesFile(Record):
    phases: list[Phase] = Field(min_length=5, max_length=5)


class LayersFile(Record):
    layers: list[Layer] = Field(min_length=1)


class PreconditionsFile(Record):
    preconditions: list[Precondition] = Field(min_length=4, max_length=4)


class BlindSpotsFile(Record):
    blind_spots: list[BlindSpot] = Field(min_length=1)


class ReferralsFile(Record):
    referrals: list[Referral] = Field(min_length=1)


class WorkKindsFile(Record):
    work_kinds: list[WorkKindRecord] = Field(min_length=1)


class GlossaryFile(Record):
    terms: list[GlossaryTerm] = Field(min_length=1)
