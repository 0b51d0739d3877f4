"""Plain language (B1) enforced on every reader-facing text of the knowledge, for authors.

Why a check and not a guideline: the bot's readers are busy managers and owners of small firms,
and a long sentence or a long advice is where they stop reading. The content spec sets limits,
and only a check that names the offending record and field keeps a hundred texts within them.

The limits: no sentence over 25 words and at most 15 words a sentence on average, per kind of text
(all first steps together, all signals together, ...), measured by :mod:`knowledge.readability`;
an intervention's title at most 8 words and 60 characters, its explanation at most 320
characters, each first step (the common one and every reader's variant) at most 200.

Only author tooling (`python -m knowledge check` and `build`) enforces this; a running bot loads
knowledge that is valid but not yet plain, so a draft never takes the bot down.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from knowledge.base import KnowledgeBase
from knowledge.readability import problems, words
from knowledge.schema import BlindSpot, Intervention, Phase, Precondition

TITLE_MAX_WORDS = 8
TITLE_MAX_CHARS = 60
EXPLANATION_MAX_CHARS = 320
FIRST_STEP_MAX_CHARS = 200

Place = tuple[str, str]  # (where: `file: record-id.field`, text)
ReaderKey = TypeVar("ReaderKey", bound=str)


@dataclass(frozen=True)
class Kind:
    """One kind of reader-facing text, measured together: its name and every (where, text)."""

    name: str
    texts: tuple[Place, ...]


def readability_problems(knowledge: KnowledgeBase) -> list[str]:
    """Every breach of the plain-language limits, each as `file: record-id.field: message`."""
    found: list[str] = []
    for kind in reader_texts(knowledge):
        found += problems(kind.name, kind.texts)
    return found + length_problems(knowledge)


def reader_texts(knowledge: KnowledgeBase) -> list[Kind]:
    """Every reader-facing text of the knowledge, grouped into the kinds that are averaged."""
    kinds = [source.kind(knowledge) for source in _SOURCES]
    return [kind for kind in kinds if kind.texts]


def length_problems(knowledge: KnowledgeBase) -> list[str]:
    """Intervention titles, explanations and first steps over their length limits."""
    found: list[str] = []
    for item in knowledge.interventions:
        where = f"{_intervention_file(item.layer)}: {item.id}"
        title_words = len(words(item.title))
        if title_words > TITLE_MAX_WORDS:
            found.append(f"{where}.title: {title_words} words (at most {TITLE_MAX_WORDS})")
        found += _too_long(f"{where}.title", item.title, TITLE_MAX_CHARS)
        found += _too_long(f"{where}.explanation", item.explanation, EXPLANATION_MAX_CHARS)
        for field, text in _first_steps(item):
            found += _too_long(f"{where}.{field}", text, FIRST_STEP_MAX_CHARS)
    return found


def _too_long(where: str, text: str, limit: int) -> list[str]:
    length = len(" ".join(text.split()))
    return [f"{where}: {length} characters (at most {limit})"] if length > limit else []


def _with_variants(field: str, common: str, variants: Mapping[ReaderKey, str]) -> list[Place]:
    """A text and each reader's variant of it, as (field path, text)."""
    return [(field, common)] + [(f"{field}_for.{r}", text) for r, text in variants.items()]


def _first_steps(item: Intervention) -> list[Place]:
    """The first step with its variants per reader and per kind of work."""
    return _with_variants("first_step", item.first_step, item.first_step_for) + [
        (f"first_step_for_work.{kind}", text) for kind, text in item.first_step_for_work.items()
    ]


def _intervention_file(layer: str) -> str:
    return f"interventions/{layer}.yaml"


@dataclass(frozen=True)
class _Source:
    """Where one kind of text is: the records of one table, the place of each, and its fields.

    `fields` gives each record's texts of this kind as (field path, text); the kinds are a table
    rather than one function each, so a new text field is one line and every kind is read alike.
    """

    name: str
    table: str  # the KnowledgeBase attribute holding the records
    where: Callable[[Any], str]
    fields: Callable[[Any], list[Place]]

    def kind(self, knowledge: KnowledgeBase) -> Kind:
        return Kind(
            self.name,
            tuple(
                (f"{self.where(record)}.{field}", text)
                for record in getattr(knowledge, self.table)
                for field, text in self.fields(record)
            ),
        )


def _plain(*names: str) -> Callable[[Any], list[Place]]:
    """The named text fields of a record, leaving out an optional one that is not there."""
    return lambda record: [
        (name, text) for name in names if (text := getattr(record, name)) is not None
    ]


def _phase(phase: Phase) -> str:
    return f"phases.yaml: {phase.key}"


def _intervention(item: Intervention) -> str:
    return f"{_intervention_file(item.layer)}: {item.id}"


def _precondition(item: Precondition) -> str:
    return f"preconditions.yaml: {item.id}"


def _questions(item: Precondition) -> list[Place]:
    return [
        (f"checks.{check.id}.{field}", text)
        for check in item.checks
        for field, text in _with_variants("question", check.question, check.question_for)
    ]


def _blind_spot(spot: BlindSpot) -> list[Place]:
    return _plain("title", "explanation")(spot) + _with_variants(
        "advice", spot.advice, spot.advice_for
    )


_SOURCES: tuple[_Source, ...] = (
    _Source(
        "phases.yaml: description",
        "phases",
        _phase,
        lambda phase: _with_variants("description", phase.description, phase.description_for),
    ),
    _Source(
        "phases.yaml: signals",
        "phases",
        _phase,
        lambda phase: [(f"signals.{i}", text) for i, text in enumerate(phase.signals)],
    ),
    _Source("phases.yaml: manager_focus", "phases", _phase, _plain("manager_focus")),
    _Source(
        "layers.yaml: who, description",
        "layers",
        lambda layer: f"layers.yaml: {layer.key}",
        _plain("who", "description"),
    ),
    _Source("interventions/*.yaml: title", "interventions", _intervention, _plain("title")),
    _Source(
        "interventions/*.yaml: explanation", "interventions", _intervention, _plain("explanation")
    ),
    _Source(
        "interventions/*.yaml: first_step, first_step_for",
        "interventions",
        _intervention,
        _first_steps,
    ),
    _Source("interventions/*.yaml: span_note", "interventions", _intervention, _plain("span_note")),
    _Source(
        "preconditions.yaml: title, explanation",
        "preconditions",
        _precondition,
        _plain("title", "explanation"),
    ),
    _Source("preconditions.yaml: question", "preconditions", _precondition, _questions),
    _Source(
        "preconditions.yaml: when_gap, when_gap_for",
        "preconditions",
        _precondition,
        lambda item: _with_variants("when_gap", item.when_gap, item.when_gap_for),
    ),
    _Source(
        "blind_spots.yaml: title, explanation, advice, advice_for",
        "blind_spots",
        lambda spot: f"blind_spots.yaml: {spot.id}",
        _blind_spot,
    ),
    _Source(
        "referrals.yaml: what, when, ask",
        "referrals",
        lambda referral: f"referrals.yaml: {referral.id}",
        _plain("what", "when", "ask"),
    ),
    _Source(
        "glossary.yaml: explanation",
        "glossary",
        lambda term: f"glossary.yaml: {term.id}",
        _plain("explanation"),
    ),
)
