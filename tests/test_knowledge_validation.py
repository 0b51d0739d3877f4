"""A broken knowledge file is reported clearly, every error at once, and never as a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from knowledge_helpers import copy_of_knowledge, failing_check

from knowledge import KnowledgeError, load_from_yaml


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A private copy of the real knowledge that a test may break."""
    return copy_of_knowledge(tmp_path)


def edit(path: Path, change: Callable[[dict[str, object]], None]) -> None:
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(content)
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")


def first_intervention(content: dict[str, object]) -> dict[str, object]:
    items = content["interventions"]
    assert isinstance(items, list)
    first = items[0]
    assert isinstance(first, dict)
    return first


def errors_of(data: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_from_yaml(data)
    return caught.value.errors


def test_the_real_knowledge_is_valid() -> None:
    load_from_yaml()


def test_unknown_field_is_named_with_its_place(data: Path) -> None:
    edit(
        data / "interventions/taken.yaml",
        lambda c: first_intervention(c).update(explenation="typo"),
    )
    assert errors_of(data) == [
        "interventions/taken.yaml: interventions.0.explenation: Extra inputs are not permitted"
    ]


def test_missing_field(data: Path) -> None:
    def drop_first_step(content: dict[str, object]) -> None:
        first_intervention(content).pop("first_step")

    edit(data / "interventions/hr.yaml", drop_first_step)
    assert errors_of(data) == ["interventions/hr.yaml: interventions.0.first_step: Field required"]


def test_unknown_layer_in_a_file(data: Path) -> None:
    edit(data / "interventions/collegas.yaml", lambda c: c.update(layer="buren"))
    errors = errors_of(data)
    assert "interventions/collegas.yaml: layer: unknown layer 'buren'" in errors


TOO_HIGH = "Input should be less than or equal to 5"


def test_reversed_or_out_of_range_span(data: Path) -> None:
    edit(data / "interventions/taken.yaml", lambda c: first_intervention(c).update(phases="4-2"))
    edit(data / "interventions/hr.yaml", lambda c: first_intervention(c).update(phases=7))
    errors = errors_of(data)
    assert errors == [
        "interventions/hr.yaml: interventions.0.phases.first: " + TOO_HIGH,
        "interventions/hr.yaml: interventions.0.phases.last: " + TOO_HIGH,
        "interventions/taken.yaml: interventions.0.phases: Value error, "
        "phases run from low to high, not '4-2'",
    ]


def test_duplicate_id_across_files(data: Path) -> None:
    taken = yaml.safe_load((data / "interventions/taken.yaml").read_text(encoding="utf-8"))
    duplicate = first_intervention(taken)["id"]
    edit(data / "interventions/hr.yaml", lambda c: first_intervention(c).update(id=duplicate))
    errors = errors_of(data)
    assert any(f"id {duplicate!r} is already used in" in line for line in errors)


def test_unknown_related_id(data: Path) -> None:
    edit(
        data / "interventions/directie.yaml",
        lambda c: first_intervention(c).update(related=["bestaat-niet"]),
    )
    errors = errors_of(data)
    assert len(errors) == 1
    assert errors[0].startswith("interventions/directie.yaml: ")
    assert errors[0].endswith("related: unknown intervention 'bestaat-niet'")


def test_bad_slug_and_unknown_scope_layer(data: Path) -> None:
    edit(
        data / "interventions/taken.yaml", lambda c: first_intervention(c).update(id="Met Spaties")
    )

    def break_scope(content: dict[str, object]) -> None:
        spots = content["blind_spots"]
        assert isinstance(spots, list)
        spots[0]["scope"] = {"layers": ["zolder"]}

    edit(data / "blind_spots.yaml", break_scope)
    errors = errors_of(data)
    assert any(
        e.startswith("interventions/taken.yaml: interventions.0.id: String should") for e in errors
    )
    assert "blind_spots.yaml: blind_spots.0.scope.layers: unknown layer 'zolder'" in errors


def test_missing_file_and_invalid_yaml_reported_together(data: Path) -> None:
    (data / "referrals.yaml").unlink()
    (data / "phases.yaml").write_text("phases: [\n", encoding="utf-8")
    errors = errors_of(data)
    assert "referrals.yaml: (file): file is missing" in errors
    assert any(e.startswith("phases.yaml: line ") and "not valid YAML" in e for e in errors)


def test_cli_check_exits_non_zero_without_traceback(data: Path) -> None:
    edit(
        data / "interventions/taken.yaml",
        lambda c: first_intervention(c).update(evidence="wellicht"),
    )
    edit(data / "preconditions.yaml", lambda c: c.update(extra=1))
    lines = failing_check(data)
    assert lines[-1] == "2 error(s) in the knowledge files"
    assert "preconditions.yaml: extra: Extra inputs are not permitted" in lines
    assert any(
        line.startswith("interventions/taken.yaml: interventions.0.evidence: ") for line in lines
    )


def test_an_empty_file_is_an_error_not_a_crash(data: Path) -> None:
    (data / "phases.yaml").write_text("# nothing yet\n", encoding="utf-8")
    (data / "interventions/hr.yaml").write_text("", encoding="utf-8")
    errors = errors_of(data)
    assert "phases.yaml: (file): file is empty" in errors
    assert "interventions/hr.yaml: (file): file is empty" in errors


def test_every_kind_of_error_at_once_in_a_stable_order(data: Path) -> None:
    edit(data / "interventions/taken.yaml", lambda c: first_intervention(c).update(theme="eenling"))

    def break_spots(content: dict[str, object]) -> None:
        spots = content["blind_spots"]
        assert isinstance(spots, list)
        spots[0]["related"] = ["nergens"]
        spots[1]["scope"] = {"layers": ["kelder"]}
        spots[1]["id"] = spots[0]["id"]

    edit(data / "blind_spots.yaml", break_spots)
    spots = yaml.safe_load((data / "blind_spots.yaml").read_text(encoding="utf-8"))
    twice = spots["blind_spots"][0]["id"]
    first = first_intervention(
        yaml.safe_load((data / "interventions/taken.yaml").read_text(encoding="utf-8"))
    )
    assert errors_of(data) == [
        f"interventions/taken.yaml: {first['id']}.theme: theme 'eenling' is used once",
        f"blind_spots.yaml: blind_spots: key {twice!r} occurs more than once",
        "blind_spots.yaml: blind_spots.1.scope.layers: unknown layer 'kelder'",
        "blind_spots.yaml: blind_spots.0.related: unknown intervention 'nergens'",
    ]
