"""The TinyDB store: a faithful copy of the YAML, written atomically, rebuilt when stale."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from knowledge_helpers import copy_of_knowledge, run_cli

from knowledge import KnowledgeError, build, load_from_yaml, load_knowledge
from knowledge.loader import DATA_DIR
from knowledge.store import SCHEMA_SOURCES, read_store, source_fingerprint


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return copy_of_knowledge(tmp_path)


def test_store_round_trip_equals_the_yaml(tmp_path: Path) -> None:
    store = tmp_path / "store.json"
    built = build(DATA_DIR, store)
    found = read_store(store)
    assert found is not None
    assert found[0] == built == load_from_yaml()


def test_failed_build_leaves_the_old_store(data: Path, tmp_path: Path) -> None:
    store = tmp_path / "store.json"
    build(data, store)
    before = store.read_bytes()
    (data / "layers.yaml").write_text("layers: 3\n", encoding="utf-8")
    with pytest.raises(KnowledgeError):
        build(data, store)
    assert store.read_bytes() == before


def test_crash_during_write_leaves_old_store_and_no_debris(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "out" / "store.json"
    build(data, store)
    before = store.read_bytes()

    def crash(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        build(data, store)
    assert store.read_bytes() == before
    assert [p.name for p in store.parent.iterdir()] == ["store.json"]


def test_stale_store_is_rebuilt(data: Path, tmp_path: Path) -> None:
    store = tmp_path / "store.json"
    build(data, store)
    layers = data / "layers.yaml"
    layers.write_text(
        layers.read_text(encoding="utf-8").replace("label: Taken", "label: Werkinhoud", 1),
        encoding="utf-8",
    )
    fresh = load_knowledge(data, store)
    assert fresh.layer("taken").label == "Werkinhoud"
    found = read_store(store)
    assert found is not None and found[0].layer("taken").label == "Werkinhoud"


def test_current_store_is_served_without_reading_yaml(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "store.json"
    expected = build(data, store)

    def must_not_parse(*_args: object) -> None:
        raise AssertionError("the YAML was parsed although the store is current")

    monkeypatch.setattr("knowledge.store.load_from_yaml", must_not_parse)
    assert load_knowledge(data, store) == expected


def spoil_first_intervention(store: Path) -> None:
    """Make one stored record invalid under today's schema, as a tightened validator would."""
    content = json.loads(store.read_text(encoding="utf-8"))
    first = next(iter(content["interventions"].values()))
    first["phases"] = {"first": 4, "last": 9}
    store.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")


def test_a_store_that_no_longer_validates_is_rebuilt(data: Path, tmp_path: Path) -> None:
    store = tmp_path / "store.json"
    expected = build(data, store)
    spoil_first_intervention(store)
    assert read_store(store) is None
    assert load_knowledge(data, store) == expected
    found = read_store(store, source_fingerprint(data))
    assert found is not None and found[0] == expected


def test_an_invalid_store_over_broken_yaml_is_a_knowledge_error(data: Path, tmp_path: Path) -> None:
    store = tmp_path / "store.json"
    build(data, store)
    spoil_first_intervention(store)
    (data / "layers.yaml").write_text("layers: 3\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(data, store)
    assert caught.value.errors[0].startswith("layers.yaml: layers: ")


@pytest.fixture
def schema_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Stands in for the schema's source code, so a test can 'change the schema'."""
    source = tmp_path / "schema.py"
    source.write_text("# schema, first version\n", encoding="utf-8")
    monkeypatch.setattr("knowledge.store.SCHEMA_SOURCES", (source,))
    return source


def test_the_fingerprint_covers_the_schema_code() -> None:
    names = {path.name for path in SCHEMA_SOURCES}
    assert {"schema.py", "base.py"} <= names
    assert all(path.is_file() for path in SCHEMA_SOURCES)


def test_a_changed_schema_makes_a_valid_store_stale(
    data: Path, tmp_path: Path, schema_source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "store.json"
    build(data, store)
    parsed: list[Path] = []

    def counting_load(data_dir: Path) -> object:
        parsed.append(data_dir)
        return load_from_yaml(data_dir)

    monkeypatch.setattr("knowledge.store.load_from_yaml", counting_load)
    load_knowledge(data, store)
    assert parsed == []
    before = source_fingerprint(data)
    # A looser schema: the stored records still validate, but the store is no longer current.
    schema_source.write_text("# schema, second version\n", encoding="utf-8")
    assert source_fingerprint(data) != before
    assert read_store(store, source_fingerprint(data)) is None
    load_knowledge(data, store)
    assert parsed == [data]
    assert read_store(store, source_fingerprint(data)) is not None


def test_a_changed_schema_over_broken_yaml_is_a_knowledge_error(
    data: Path, tmp_path: Path, schema_source: Path
) -> None:
    store = tmp_path / "store.json"
    build(data, store)
    schema_source.write_text("# schema, stricter\n", encoding="utf-8")
    hr = data / "interventions/hr.yaml"
    hr.write_text(hr.read_text(encoding="utf-8") + "bogus: 1\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(data, store)
    assert caught.value.errors[0] == "interventions/hr.yaml: bogus: Extra inputs are not permitted"


def test_cli_show_json_for_two_layers() -> None:
    result = run_cli("show", "--layer", "leidinggevende", "--layer", "hr", "--phase", "5", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {row["layer"] for row in rows} == {"leidinggevende", "hr"}
    for row in rows:
        assert {"id", "title", "layer", "phases", "evidence"} <= row.keys()
        assert "continu" in row["phases"]
    widths = [len(row["phases"]) for row in rows]
    assert widths == sorted(widths)


def test_cli_show_unknown_layer_is_a_clear_error() -> None:
    result = run_cli("show", "--layer", "kantine", "--phase", "1")
    assert result.returncode == 2
    assert "unknown layer" in result.stderr and "Traceback" not in result.stderr


def test_cli_build_writes_store(tmp_path: Path) -> None:
    store = tmp_path / "k.json"
    result = run_cli("build", "--store", str(store))
    assert result.returncode == 0, result.stderr
    assert read_store(store) is not None


@pytest.mark.parametrize("key", ["9", "¹", "geen-fase"])
def test_an_unknown_phase_is_a_key_error(key: str) -> None:
    with pytest.raises(KeyError):
        load_knowledge().phase(key)
