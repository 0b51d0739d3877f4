"""Cross-reference rules: what no single file can check on its own.

Each rule is one small function over everything read (:class:`Sources`), adding its findings to
the shared :class:`~knowledge.errors.Collector`. A rule looks only at files that validated by
themselves: a broken file has been reported already, and a reference into it is not a second error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.errors import Collector
from knowledge.schema import (
    BlindSpot,
    BlindSpotsFile,
    GlossaryFile,
    Intervention,
    LayersFile,
    PhasesFile,
    PreconditionsFile,
    Referral,
    ReferralsFile,
    WorkKindsFile,
)


@dataclass
class Sources:
    """Everything read from one data folder: each file's model, None where the file is broken."""

    root: Path
    phases: PhasesFile | None = None
    layers: LayersFile | None = None
    preconditions: PreconditionsFile | None = None
    blind_spots: BlindSpotsFile | None = None
    referrals: ReferralsFile | None = None
    glossary: GlossaryFile | None = None
    work_kinds: WorkKindsFile | None = None
    intervention_files: list[Path] = field(default_factory=list)
    interventions: list[Intervention] = field(default_factory=list)
    # The file each valid intervention came from, by id.
    origin: dict[str, Path] = field(default_factory=dict)
    # Ids that an author declared, valid entry or not: a reference to a broken entry is not a
    # second error, only the broken entry itself is.
    declared: set[str] = field(default_factory=set)

    def file(self, name: str) -> Path:
        """The path of one top-level file, as errors name it."""
        return self.root / name

    @property
    def layer_keys(self) -> set[str]:
        """The layer keys, or an empty set when layers.yaml is broken (then nothing is checked)."""
        return {layer.key for layer in self.layers.layers} if self.layers else set()


Rule = Callable[[Collector, Sources], None]


def check_unique(errors: Collector, path: Path, where: str, keys: list[str]) -> None:
    """Each key once."""
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            errors.add(path, where, f"key {key!r} occurs more than once")
        seen.add(key)


def layers_unique(errors: Collector, found: Sources) -> None:
    """Layer keys are unique."""
    if found.layers:
        keys = [layer.key for layer in found.layers.layers]
        check_unique(errors, found.file("layers.yaml"), "layers", keys)


def layers_covered(errors: Collector, found: Sources) -> None:
    """Every layer has interventions (unless no intervention file exists: reported already)."""
    if not found.layers or not found.intervention_files:
        return
    covered = {item.layer for item in found.interventions}
    for index, layer in enumerate(found.layers.layers):
        if layer.key not in covered:
            errors.add(
                found.file("layers.yaml"),
                f"layers.{index}",
                f"layer {layer.key!r} has no interventions",
            )


def phases_unique(errors: Collector, found: Sources) -> None:
    """Phase keys are unique."""
    if found.phases:
        keys = [phase.key for phase in found.phases.phases]
        check_unique(errors, found.file("phases.yaml"), "phases", keys)


def phases_numbered(errors: Collector, found: Sources) -> None:
    """The five phases are numbered 1 to 5, each number once."""
    if found.phases and sorted(p.number for p in found.phases.phases) != [1, 2, 3, 4, 5]:
        errors.add(found.file("phases.yaml"), "phases", "phases must be numbered 1 to 5")


def themes_join_layers(errors: Collector, found: Sources) -> None:
    """A theme joins one action across layers: at least two members, each in another layer."""
    members: dict[str, list[Intervention]] = {}
    for item in found.interventions:
        if item.theme:
            members.setdefault(item.theme, []).append(item)
    for theme, items in members.items():
        first, last = items[0], items[-1]
        if len(items) < 2:
            errors.add(found.origin[first.id], f"{first.id}.theme", f"theme {theme!r} is used once")
        layers = [item.layer for item in items]
        if len(set(layers)) < len(layers):
            errors.add(
                found.origin[last.id],
                f"{last.id}.theme",
                f"theme {theme!r} occurs twice in layer {last.layer!r}",
            )


def interventions_related(errors: Collector, found: Sources) -> None:
    """An intervention's `related` ids are declared interventions."""
    for item in found.interventions:
        _declared(errors, found, found.origin[item.id], f"{item.id}.related", item.related)


def labels_unique(errors: Collector, found: Sources) -> None:
    """Every button label once, case and spacing aside: two buttons under one message must differ
    visibly, and any two interventions may end up under one message."""
    seen: dict[str, str] = {}
    for item in found.interventions:
        key = " ".join(item.label.casefold().split())
        if key in seen:
            errors.add(
                found.origin.get(item.id, found.root),
                f"interventions.{item.id}.label",
                f"{item.label!r} is also the label of {seen[key]}",
            )
        seen.setdefault(key, item.id)
    if found.preconditions:
        keys = [" ".join(p.label.casefold().split()) for p in found.preconditions.preconditions]
        check_unique(errors, found.file("preconditions.yaml"), "preconditions.label", keys)


def precondition_ids_unique(errors: Collector, found: Sources) -> None:
    """Precondition ids are unique."""
    if found.preconditions:
        ids = [p.id for p in found.preconditions.preconditions]
        check_unique(errors, found.file("preconditions.yaml"), "preconditions", ids)


def check_ids_unique(errors: Collector, found: Sources) -> None:
    """Check-question ids are unique over all preconditions (answers are stored by them)."""
    if found.preconditions:
        ids = [check.id for p in found.preconditions.preconditions for check in p.checks]
        check_unique(errors, found.file("preconditions.yaml"), "preconditions.checks", ids)


def blind_spots_scoped(errors: Collector, found: Sources) -> None:
    """Blind spot ids are unique, and each blind spot's scope names known layers."""
    if found.blind_spots:
        _scoped_records(errors, found, "blind_spots", found.blind_spots.blind_spots)


def blind_spots_related(errors: Collector, found: Sources) -> None:
    """A blind spot's `related` ids are declared interventions."""
    if found.blind_spots:
        path = found.file("blind_spots.yaml")
        for index, spot in enumerate(found.blind_spots.blind_spots):
            _declared(errors, found, path, f"blind_spots.{index}.related", spot.related)


def referrals_scoped(errors: Collector, found: Sources) -> None:
    """Referral ids are unique, and each referral's scope names known layers."""
    if found.referrals:
        _scoped_records(errors, found, "referrals", found.referrals.referrals)


def glossary_ids_unique(errors: Collector, found: Sources) -> None:
    """Glossary ids are unique."""
    if found.glossary:
        ids = [term.id for term in found.glossary.terms]
        check_unique(errors, found.file("glossary.yaml"), "terms", ids)


def glossary_phrases_unique(errors: Collector, found: Sources) -> None:
    """A word (term or alias, in any case) explains one term only, so a text finds one meaning."""
    if not found.glossary:
        return
    owner: dict[str, str] = {}
    for index, term in enumerate(found.glossary.terms):
        for phrase in (term.term, *term.aliases):
            key = " ".join(phrase.lower().split())
            if owner.setdefault(key, term.id) != term.id:
                errors.add(
                    found.file("glossary.yaml"),
                    f"terms.{index}",
                    f"{phrase!r} is already explained by {owner[key]!r}",
                )


def _scoped_records(
    errors: Collector, found: Sources, name: str, records: Sequence[BlindSpot | Referral]
) -> None:
    """What blind spots and referrals share: unique ids and scopes of known layers.

    `name` is both the file's stem and the key of its list (`referrals.yaml: referrals.0.scope`).
    """
    path = found.file(f"{name}.yaml")
    check_unique(errors, path, name, [record.id for record in records])
    known = found.layer_keys
    for index, record in enumerate(records):
        for key in record.scope.layers:
            if known and key not in known:
                errors.add(path, f"{name}.{index}.scope.layers", f"unknown layer {key!r}")


def _declared(errors: Collector, found: Sources, path: Path, where: str, ids: list[str]) -> None:
    """Each of `ids` names a declared intervention."""
    for related in ids:
        if related not in found.declared:
            errors.add(path, where, f"unknown intervention {related!r}")


RULES: tuple[Rule, ...] = (
    layers_unique,
    layers_covered,
    phases_unique,
    phases_numbered,
    themes_join_layers,
    interventions_related,
    precondition_ids_unique,
    labels_unique,
    check_ids_unique,
    blind_spots_scoped,
    blind_spots_related,
    referrals_scoped,
    glossary_ids_unique,
    glossary_phrases_unique,
)


def check_references(errors: Collector, found: Sources) -> None:
    """Run every rule, in a fixed order, so that errors come out in the same order each run."""
    for rule in RULES:
        rule(errors, found)
