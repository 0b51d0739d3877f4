"""The query API over the validated model, held in memory.

The knowledge is small (about a hundred records) and read on every advice, so it is loaded once and
answered from plain tuples and dicts; nothing here touches the disk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from knowledge.schema import (
    BlindSpot,
    GlossaryTerm,
    Intervention,
    Layer,
    Phase,
    Precondition,
    Referral,
    WorkKindRecord,
)

# Records that carry a scope: blind spots and referrals.
Scoped = TypeVar("Scoped", BlindSpot, Referral)

# The model's tables: each field of KnowledgeBase that holds records, with its record type. Kept
# beside the class so that a new table is named once; the store writes and reads exactly these.
TABLES: dict[str, type[Any]] = {
    "phases": Phase,
    "layers": Layer,
    "interventions": Intervention,
    "preconditions": Precondition,
    "blind_spots": BlindSpot,
    "referrals": Referral,
    "glossary": GlossaryTerm,
    "work_kinds": WorkKindRecord,
}


# How many texts' glossary words are kept (see KnowledgeBase._glossary_found).
GLOSSARY_CACHE = 4096


@dataclass(frozen=True)
class KnowledgeBase:
    """The maturity model with its advice and help, and a glossary of words readers may not know."""

    phases: tuple[Phase, ...]
    layers: tuple[Layer, ...]
    interventions: tuple[Intervention, ...]
    preconditions: tuple[Precondition, ...]
    blind_spots: tuple[BlindSpot, ...]
    referrals: tuple[Referral, ...]
    glossary: tuple[GlossaryTerm, ...]
    # The kinds of work with what each lacks (work_kinds.yaml); empty in a model without them.
    work_kinds: tuple[WorkKindRecord, ...] = ()
    _phase_by_key: dict[str, Phase] = field(init=False, repr=False, compare=False)
    _layer_order: dict[str, int] = field(init=False, repr=False, compare=False)
    _by_id: dict[str, Intervention] = field(init=False, repr=False, compare=False)
    _position: dict[str, int] = field(init=False, repr=False, compare=False)
    _glossary_pattern: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _glossary_by_phrase: dict[str, GlossaryTerm] = field(init=False, repr=False, compare=False)
    # The base never changes after loading, so a ranking asked for once is kept: the dialog asks
    # for the same few (layers, phase) rankings on nearly every step.
    _rankings: dict[tuple[frozenset[str], int, bool], tuple[Intervention, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    # The same for the glossary words of a text: every detail and its buttons ask again for the
    # same texts, and one search runs a pattern of every term and alias. Bounded: a text may
    # also be one the dialog put together.
    _glossary_found: dict[str, tuple[GlossaryTerm, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_phase_by_key", {p.key: p for p in self.phases})
        object.__setattr__(
            self, "_layer_order", {layer.key: i for i, layer in enumerate(self.layers)}
        )
        object.__setattr__(self, "_by_id", {i.id: i for i in self.interventions})
        object.__setattr__(
            self, "_position", {item.id: index for index, item in enumerate(self.interventions)}
        )
        by_phrase = {
            _phrase(text): term for term in self.glossary for text in (term.term, *term.aliases)
        }
        object.__setattr__(self, "_glossary_by_phrase", by_phrase)
        object.__setattr__(self, "_glossary_pattern", _phrase_pattern(by_phrase))

    # -- lookups -------------------------------------------------------------------------------
    def phase(self, key_or_number: str | int) -> Phase:
        """A phase by key (`onbewust`) or number (1-5, also as text); KeyError when unknown."""
        if isinstance(key_or_number, int) or str(key_or_number).isdecimal():
            number = int(key_or_number)
            for phase in self.phases:
                if phase.number == number:
                    return phase
            raise KeyError(key_or_number)
        return self._phase_by_key[str(key_or_number)]

    def layer(self, key: str) -> Layer:
        """A layer by key; KeyError when unknown."""
        return self.layers[self._layer_order[key]]

    def intervention(self, intervention_id: str) -> Intervention:
        """An intervention by id; KeyError when unknown."""
        return self._by_id[intervention_id]

    def precondition(self, precondition_id: str) -> Precondition:
        """A precondition by id; KeyError when unknown."""
        for item in self.preconditions:
            if item.id == precondition_id:
                return item
        raise KeyError(precondition_id)

    # -- queries -------------------------------------------------------------------------------
    def glossary_in(self, text: str) -> list[GlossaryTerm]:
        """The glossary terms that occur in `text`, each once, in order of first appearance.

        A term is found by itself or by any alias, as a whole word (`POP` in "een POP-gesprek",
        not in "populair"), whatever its case; the longest phrase wins where two overlap.
        """
        if self._glossary_pattern is None:
            return []
        known = self._glossary_found.get(text)
        if known is None:
            found: dict[str, GlossaryTerm] = {}
            for match in self._glossary_pattern.finditer(text):
                term = self._glossary_by_phrase[_phrase(match.group(0))]
                found.setdefault(term.id, term)
            if len(self._glossary_found) >= GLOSSARY_CACHE:
                self._glossary_found.clear()
            known = self._glossary_found[text] = tuple(found.values())
        return list(known)

    def interventions_for(
        self, layers: Iterable[str], phase: str | int, *, one_per_theme: bool = True
    ) -> list[Intervention]:
        """The interventions of these layers that span this phase, best first.

        Ranking, as the report's model suggests: an intervention focused on this phase (a narrow
        span) before one that spans every phase; within the same width, those the report backs
        with scientific literature first; then by layer order and the report's own order.
        With `one_per_theme`, an action that the report plots in several of these layers is
        listed once, at its best-ranked place: whoever acts in all of them does it once.
        """
        number = self.phase(phase).number
        wanted = frozenset(layers)
        key = (wanted, number, one_per_theme)
        ranking = self._rankings.get(key)
        if ranking is None:
            ranking = self._rank(wanted, number, one_per_theme)
            self._rankings[key] = ranking
        return list(ranking)

    def _rank(
        self, wanted: frozenset[str], number: int, one_per_theme: bool
    ) -> tuple[Intervention, ...]:
        unknown = wanted - self._layer_order.keys()
        if unknown:
            raise KeyError(f"unknown layer: {', '.join(sorted(unknown))}")
        matching = [
            item
            for item in self.interventions
            if item.layer in wanted and item.phases.covers(number)
        ]
        ranked = sorted(
            matching,
            key=lambda item: (
                item.phases.width,
                not item.evidence,
                self._layer_order[item.layer],
                self._position[item.id],
            ),
        )
        if not one_per_theme:
            return tuple(ranked)
        seen: set[str] = set()
        distinct: list[Intervention] = []
        for item in ranked:
            if item.theme is None or item.theme not in seen:
                distinct.append(item)
            if item.theme is not None:
                seen.add(item.theme)
        return tuple(distinct)

    def cell_counts(self) -> dict[tuple[str, int], int]:
        """How many interventions each (layer key, phase number) cell of the grid holds."""
        counts = {(layer.key, phase.number): 0 for layer in self.layers for phase in self.phases}
        for item in self.interventions:
            for number in range(item.phases.first, item.phases.last + 1):
                counts[(item.layer, number)] += 1
        return counts

    def blind_spots_for(
        self, phase: str | int | None, layers: Iterable[str], audiences: Sequence[str] = ()
    ) -> list[BlindSpot]:
        """The blind spots that apply to this phase, these layers and these audiences."""
        return self._in_scope(self.blind_spots, phase, layers, audiences)

    def referrals_for(
        self,
        phase: str | int | None,
        layers: Iterable[str],
        audiences: Sequence[str] = (),
        work: str | None = None,
    ) -> list[Referral]:
        """The networks and help that fit this phase, these layers, audiences and kind of work."""
        return self._in_scope(self.referrals, phase, layers, audiences, work)

    def lacked(self, text: str, work: str | None) -> list[str]:
        """What `text` names that this kind of work lacks (none when the kind is unknown)."""
        folded = text.casefold()
        for kind in self.work_kinds:
            if kind.id == work:
                return [thing for thing in kind.lacks if thing.casefold() in folded]
        return []

    def _in_scope(
        self,
        items: Sequence[Scoped],
        phase: str | int | None,
        layers: Iterable[str],
        audiences: Sequence[str],
        work: str | None = None,
    ) -> list[Scoped]:
        number = None if phase is None else self.phase(phase).number
        wanted_layers, wanted_audiences = set(layers), set(audiences)
        return [
            item
            for item in items
            if item.scope.applies(number, wanted_layers, wanted_audiences, work)
        ]


def _phrase(text: str) -> str:
    """A term or alias as the glossary indexes it: lower case, single spaces."""
    return " ".join(text.lower().split())


def _phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for all phrases as whole words; longest first, so it wins an overlap."""
    alternatives = [
        r"\s+".join(re.escape(word) for word in phrase.split())
        for phrase in sorted(phrases, key=len, reverse=True)
    ]
    if not alternatives:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.IGNORECASE)
