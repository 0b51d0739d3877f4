"""Reads the authored YAML, validates it, and reports every error at once.

Three steps, each its own concern: read and validate every file by itself (here), check the
references between files (:mod:`knowledge.references`), and put the sound model together. Errors
from all steps come out together as `file: path.to.field: message` in a :class:`KnowledgeError`;
nothing here raises a traceback at an author. On request, the sound model's texts are then held
to the plain-language limits (:mod:`knowledge.plain_language`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from knowledge.base import KnowledgeBase
from knowledge.errors import Collector, KnowledgeError
from knowledge.plain_language import readability_problems
from knowledge.references import Sources, check_references
from knowledge.schema import (
    BlindSpotsFile,
    GlossaryFile,
    Intervention,
    InterventionFile,
    LayersFile,
    PhasesFile,
    PreconditionsFile,
    ReferralsFile,
    WorkKindsFile,
)

__all__ = ["DATA_DIR", "KnowledgeError", "load_from_yaml"]

DATA_DIR = Path(__file__).parent / "data"

T = TypeVar("T")


def load_from_yaml(data_dir: Path = DATA_DIR, *, plain_language: bool = False) -> KnowledgeBase:
    """Validate every file under `data_dir` into the model; KnowledgeError lists all faults.

    With `plain_language` (the authors' `check` and `build`), texts over the readability limits
    are faults too. A running program leaves it off: a draft that is valid but not yet plain
    must not take the bot down.
    """
    errors = Collector(data_dir)
    found = read_sources(errors, data_dir)
    check_references(errors, found)
    if errors.errors:
        raise KnowledgeError(errors.errors)
    knowledge = _assemble(found)
    if plain_language and (problems := readability_problems(knowledge)):
        raise KnowledgeError(problems)
    return knowledge


def read_sources(errors: Collector, data_dir: Path) -> Sources:
    """Every file read and validated by itself; a broken one is None in the result."""
    found = Sources(
        root=data_dir,
        phases=errors.model(data_dir / "phases.yaml", PhasesFile),
        layers=errors.model(data_dir / "layers.yaml", LayersFile),
        preconditions=errors.model(data_dir / "preconditions.yaml", PreconditionsFile),
        blind_spots=errors.model(data_dir / "blind_spots.yaml", BlindSpotsFile),
        referrals=errors.model(data_dir / "referrals.yaml", ReferralsFile),
        glossary=errors.model(data_dir / "glossary.yaml", GlossaryFile),
        work_kinds=errors.model(data_dir / "work_kinds.yaml", WorkKindsFile),
    )
    _read_interventions(errors, data_dir / "interventions", found)
    return found


def _read_interventions(errors: Collector, folder: Path, found: Sources) -> None:
    """All intervention files of the folder, one per layer, in name order."""
    found.intervention_files = sorted(folder.glob("*.yaml"))
    if not found.intervention_files:
        errors.add(folder, "(folder)", "no intervention files found")
    for path in found.intervention_files:
        _read_intervention_file(errors, path, found)


def _read_intervention_file(errors: Collector, path: Path, found: Sources) -> None:
    """One layer's file: its layer key must be known; each entry is validated on its own."""
    group = errors.model(path, InterventionFile)
    if group is None:
        return
    known = found.layer_keys
    if known and group.layer not in known:
        errors.add(path, "layer", f"unknown layer {group.layer!r}")
    for index, raw in enumerate(group.interventions):
        found.declared.add(str(raw.get("id", "")))
        item = _validate_intervention(errors, path, index, raw, group.layer)
        if item is not None:
            _keep_intervention(errors, path, index, item, found)


def _validate_intervention(
    errors: Collector, path: Path, index: int, raw: dict[str, object], layer: str
) -> Intervention | None:
    """One entry as a record, taking the file's layer; None (and its errors) when invalid."""
    if "layer" in raw:
        errors.add(
            path, f"interventions.{index}.layer", "the layer is set once, at the top of the file"
        )
        return None
    try:
        return Intervention.model_validate({**raw, "layer": layer})
    except ValidationError as error:
        errors.add_validation(path, error, ("interventions", index))
        return None


def _keep_intervention(
    errors: Collector, path: Path, index: int, item: Intervention, found: Sources
) -> None:
    """Add a valid intervention unless its id is taken already (in any file)."""
    if item.id in found.origin:
        errors.add(
            path,
            f"interventions.{index}.id",
            f"id {item.id!r} is already used in {found.origin[item.id].name}",
        )
        return
    found.origin[item.id] = path
    found.interventions.append(item)


def _sound(model: T | None) -> T:
    """A file that is known to be sound (no errors were found); guards the assembly."""
    if model is None:
        raise AssertionError("assembling the knowledge from a broken file")
    return model


def _assemble(found: Sources) -> KnowledgeBase:
    """The model from sound files, each table in its canonical order."""
    phases = _sound(found.phases).phases
    preconditions = _sound(found.preconditions).preconditions
    return KnowledgeBase(
        phases=tuple(sorted(phases, key=lambda p: p.number)),
        layers=tuple(_sound(found.layers).layers),
        interventions=tuple(found.interventions),
        preconditions=tuple(sorted(preconditions, key=lambda p: p.number)),
        blind_spots=tuple(_sound(found.blind_spots).blind_spots),
        referrals=tuple(_sound(found.referrals).referrals),
        glossary=tuple(_sound(found.glossary).terms),
        work_kinds=tuple(_sound(found.work_kinds).work_kinds),
    )
