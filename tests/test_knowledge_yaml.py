"""Knowledge YAML is parsed by one safe helper: libyaml's C loader if present, else pure Python."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from knowledge import KnowledgeError, load_from_yaml
from knowledge.loader import DATA_DIR
from knowledge.yaml_source import parse_yaml, safe_loader


def test_the_c_loader_is_used_when_libyaml_is_there() -> None:
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML was built without libyaml")
    assert safe_loader() is yaml.CSafeLoader


def test_without_libyaml_the_pure_python_loader_reads_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast = load_from_yaml()
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    assert safe_loader() is yaml.SafeLoader
    assert load_from_yaml() == fast


def test_the_helper_refuses_python_objects() -> None:
    with pytest.raises(yaml.YAMLError):
        parse_yaml("!!python/object/apply:os.system ['true']\n")


def test_a_syntax_error_still_names_its_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "layers.yaml").write_text("layers:\n  - key: [taken\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_from_yaml(data)
    assert any(
        e.startswith("layers.yaml: line ") and "not valid YAML" in e for e in caught.value.errors
    )
