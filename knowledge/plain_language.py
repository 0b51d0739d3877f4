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
from typing import TypeVar

from knowledge.base import KnowledgeBase
from knowledge.readability import problems, words
from knowledge.schema import Intervention

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
    kinds: list[Kind] = []
    for collect in _COLLECTORS:
        kinds += collect(knowledge)
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


def _phase_kinds(knowledge: KnowledgeBase) -> list[Kind]:
    descriptions: list[Place] = []
    signals: list[Place] = []
    focus: list[Place] = []
    for phase in knowledge.phases:
        where = f"phases.yaml: {phase.key}"
        descriptions += [
            (f"{where}.{field}", text)
            for field, text in _with_variants(
                "description", phase.description, phase.description_for
            )
        ]
        signals += [(f"{where}.signals.{i}", text) for i, text in enumerate(phase.signals)]
        focus.append((f"{where}.manager_focus", phase.manager_focus))
    return [
        Kind("phases.yaml: description", tuple(descriptions)),
        Kind("phases.yaml: signals", tuple(signals)),
        Kind("phases.yaml: manager_focus", tuple(focus)),
    ]


def _layer_kinds(knowledge: KnowledgeBase) -> list[Kind]:
    texts: list[Place] = []
    for layer in knowledge.layers:
        fields = {"who": layer.who, "description": layer.description}
        texts += [(f"layers.yaml: {layer.key}.{name}", text) for name, text in fields.items()]
    return [Kind("layers.yaml: who, description", tuple(texts))]


def _intervention_kinds(knowledge: KnowledgeBase) -> list[Kind]:
    titles: list[Place] = []
    explanations: list[Place] = []
    first_steps: list[Place] = []
    span_notes: list[Place] = []
    for item in knowledge.interventions:
        where = f"{_intervention_file(item.layer)}: {item.id}"
        titles.append((f"{where}.title", item.title))
        explanations.append((f"{where}.explanation", item.explanation))
        first_steps += [(f"{where}.{field}", text) for field, text in _first_steps(item)]
        if item.span_note is not None:
            span_notes.append((f"{where}.span_note", item.span_note))
    return [
        Kind("interventions/*.yaml: title", tuple(titles)),
        Kind("interventions/*.yaml: explanation", tuple(explanations)),
        Kind("interventions/*.yaml: first_step, first_step_for", tuple(first_steps)),
        Kind("interventions/*.yaml: span_note", tuple(span_notes)),
    ]


def _precondition_kinds(knowledge: KnowledgeBase) -> list[Kind]:
    texts: list[Place] = []
    questions: list[Place] = []
    gaps: list[Place] = []
    for item in knowledge.preconditions:
        where = f"preconditions.yaml: {item.id}"
        texts += [(f"{where}.title", item.title), (f"{where}.explanation", item.explanation)]
        questions += [
            (f"{where}.checks.{c.id}.{field}", text)
            for c in item.checks
            for field, text in _with_variants("question", c.question, c.question_for)
        ]
        gaps += [
            (f"{where}.{field}", text)
            for field, text in _with_variants("when_gap", item.when_gap, item.when_gap_for)
        ]
    return [
        Kind("preconditions.yaml: title, explanation", tuple(texts)),
        Kind("preconditions.yaml: question", tuple(questions)),
        Kind("preconditions.yaml: when_gap, when_gap_for", tuple(gaps)),
    ]


def _blind_spot_kinds(knowledge: KnowledgeBase) -> list[Kind]:
    texts: list[Place] = []
    for spot in knowledge.blind_spots:
        where = f"blind_spots.yaml: {spot.id}"
        texts += [(f"{where}.title", spot.title), (f"{where}.explanation", spot.explanation)]
        texts += [
            (f"{where}.{field}", text)
            for field, text in _with_variants("advice", spot.advice, spot.advice_for)
        ]
    return [Kind("blind_spots.yaml: title, explanation, advice, advice_for", tuple(texts))]


def _referral_kinds(knowledge: KnowledgeBase) -> list[Kind]:
    texts: list[Place] = []
    for referral in knowledge.referrals:
        where = f"referrals.yaml: {referral.id}"
        texts += [(f"{where}.what", referral.what), (f"{where}.when", referral.when)]
        texts.append((f"{where}.ask", referral.ask))
    return [Kind("referrals.yaml: what, when, ask", tuple(texts))]


def _glossary_kinds(knowledge: KnowledgeBase) -> list[Kind]:
    texts = tuple(
        (f"glossary.yaml: {term.id}.explanation", term.explanation) for term in knowledge.glossary
    )
    return [Kind("glossary.yaml: explanation", texts)]


_COLLECTORS: tuple[Callable[[KnowledgeBase], list[Kind]], ...] = (
    _phase_kinds,
    _layer_kinds,
    _intervention_kinds,
    _precondition_kinds,
    _blind_spot_kinds,
    _referral_kinds,
    _glossary_kinds,
)
