"""Reads the authored YAML, validates it, and reports every error at once.

An author fixes a file in one go only when they see all its problems together, each with its place:
`file: path.to.field: message`. Nothing here raises a traceback at an author; it raises
:class:`KnowledgeError` carrying the list.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.base import KnowledgeBase
from knowledge.schema import (
    BlindSpotsFile,
    Intervention,
    InterventionFile,
    LayersFile,
    PhasesFile,
    PreconditionsFile,
    ReferralsFile,
    Scope,
)
from knowledge.yaml_source import parse_yaml

DATA_DIR = Path(__file__).parent / "data"

FileModel = TypeVar("FileModel", bound=BaseModel)


class KnowledgeError(Exception):
    """The knowledge files are broken; `errors` lists every problem as `file: path: message`."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def _location(loc: Iterable[str | int]) -> str:
    return ".".join(str(part) for part in loc) or "(file)"


class _Collector:
    """Gathers errors across all files so that one run reports them all."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.errors: list[str] = []

    def add(self, path: Path, where: str, message: str) -> None:
        self.errors.append(f"{path.relative_to(self.root)}: {where}: {message}")

    def add_validation(self, path: Path, error: ValidationError, prefix: tuple[Any, ...]) -> None:
        for item in error.errors():
            self.add(path, _location((*prefix, *item["loc"])), item["msg"])

    def read(self, path: Path) -> Any:
        if not path.is_file():
            self.add(path, "(file)", "file is missing")
            return None
        try:
            return parse_yaml(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark is not None else "(file)"
            self.add(path, where, f"not valid YAML: {getattr(error, 'problem', error)}")
            return None

    def model(self, path: Path, model: type[FileModel]) -> FileModel | None:
        raw = self.read(path)
        if raw is None:
            return None
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            self.add_validation(path, error, ())
            return None


def load_from_yaml(data_dir: Path = DATA_DIR) -> KnowledgeBase:
    """Validate every file under `data_dir` into the model; KnowledgeError lists all faults."""
    errors = _Collector(data_dir)
    phases_file = errors.model(data_dir / "phases.yaml", PhasesFile)
    layers_file = errors.model(data_dir / "layers.yaml", LayersFile)
    preconditions_file = errors.model(data_dir / "preconditions.yaml", PreconditionsFile)
    blind_spots_file = errors.model(data_dir / "blind_spots.yaml", BlindSpotsFile)
    referrals_file = errors.model(data_dir / "referrals.yaml", ReferralsFile)

    layer_keys = {layer.key for layer in layers_file.layers} if layers_file else set()
    interventions: list[Intervention] = []
    intervention_files = sorted((data_dir / "interventions").glob("*.yaml"))
    if not intervention_files:
        errors.add(data_dir / "interventions", "(folder)", "no intervention files found")
    sources: dict[str, Path] = {}
    # Ids that an author declared, valid entry or not: a reference to a broken entry is not a
    # second error, only the broken entry itself is.
    declared: set[str] = set()
    for path in intervention_files:
        group = errors.model(path, InterventionFile)
        if group is None:
            continue
        if layers_file and group.layer not in layer_keys:
            errors.add(path, "layer", f"unknown layer {group.layer!r}")
        for index, raw in enumerate(group.interventions):
            declared.add(str(raw.get("id", "")))
            if "layer" in raw:
                errors.add(
                    path,
                    f"interventions.{index}.layer",
                    "the layer is set once, at the top of the file",
                )
                continue
            try:
                item = Intervention.model_validate({**raw, "layer": group.layer})
            except ValidationError as error:
                errors.add_validation(path, error, ("interventions", index))
                continue
            if item.id in sources:
                errors.add(
                    path,
                    f"interventions.{index}.id",
                    f"id {item.id!r} is already used in {sources[item.id].name}",
                )
                continue
            sources[item.id] = path
            interventions.append(item)

    # Cross-references: only meaningful once the referenced files themselves are sound.
    if layers_file and layers_file.layers:
        _check_unique(
            errors, data_dir / "layers.yaml", "layers", [layer.key for layer in layers_file.layers]
        )
        covered = {item.layer for item in interventions}
        for index, layer in enumerate(layers_file.layers):
            if layer.key not in covered and intervention_files:
                errors.add(
                    data_dir / "layers.yaml",
                    f"layers.{index}",
                    f"layer {layer.key!r} has no interventions",
                )
    if phases_file:
        keys = [p.key for p in phases_file.phases]
        _check_unique(errors, data_dir / "phases.yaml", "phases", keys)
        numbers = sorted(p.number for p in phases_file.phases)
        if numbers != [1, 2, 3, 4, 5]:
            errors.add(data_dir / "phases.yaml", "phases", "phases must be numbered 1 to 5")
    _check_themes(errors, interventions, sources)
    for item in interventions:
        path = sources[item.id]
        for related in item.related:
            if related not in declared:
                errors.add(path, f"{item.id}.related", f"unknown intervention {related!r}")
    if preconditions_file:
        path = data_dir / "preconditions.yaml"
        _check_unique(
            errors, path, "preconditions", [p.id for p in preconditions_file.preconditions]
        )
        _check_unique(
            errors,
            path,
            "preconditions.checks",
            [check.id for p in preconditions_file.preconditions for check in p.checks],
        )
    if blind_spots_file:
        path = data_dir / "blind_spots.yaml"
        _check_unique(errors, path, "blind_spots", [b.id for b in blind_spots_file.blind_spots])
        for index, spot in enumerate(blind_spots_file.blind_spots):
            _check_scope(errors, path, f"blind_spots.{index}.scope", spot.scope, layer_keys)
            for related in spot.related:
                if related not in declared:
                    errors.add(
                        path, f"blind_spots.{index}.related", f"unknown intervention {related!r}"
                    )
    if referrals_file:
        path = data_dir / "referrals.yaml"
        _check_unique(errors, path, "referrals", [r.id for r in referrals_file.referrals])
        for index, referral in enumerate(referrals_file.referrals):
            _check_scope(errors, path, f"referrals.{index}.scope", referral.scope, layer_keys)

    if errors.errors:
        raise KnowledgeError(errors.errors)
    assert (
        phases_file and layers_file and preconditions_file and blind_spots_file and referrals_file
    )
    return KnowledgeBase(
        phases=tuple(sorted(phases_file.phases, key=lambda p: p.number)),
        layers=tuple(layers_file.layers),
        interventions=tuple(interventions),
        preconditions=tuple(sorted(preconditions_file.preconditions, key=lambda p: p.number)),
        blind_spots=tuple(blind_spots_file.blind_spots),
        referrals=tuple(referrals_file.referrals),
    )


def _check_unique(errors: _Collector, path: Path, where: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            errors.add(path, where, f"key {key!r} occurs more than once")
        seen.add(key)


def _check_themes(
    errors: _Collector, interventions: list[Intervention], sources: dict[str, Path]
) -> None:
    """A theme joins one action across layers: at least two members, each in another layer."""
    members: dict[str, list[Intervention]] = {}
    for item in interventions:
        if item.theme:
            members.setdefault(item.theme, []).append(item)
    for theme, items in members.items():
        if len(items) < 2:
            errors.add(
                sources[items[0].id], f"{items[0].id}.theme", f"theme {theme!r} is used once"
            )
        layers = [item.layer for item in items]
        if len(set(layers)) < len(layers):
            errors.add(
                sources[items[-1].id],
                f"{items[-1].id}.theme",
                f"theme {theme!r} occurs twice in layer {items[-1].layer!r}",
            )


def _check_scope(
    errors: _Collector, path: Path, where: str, scope: Scope, layer_keys: set[str]
) -> None:
    for key in scope.layers:
        if layer_keys and key not in layer_keys:
            errors.add(path, f"{where}.layers", f"unknown layer {key!r}")
