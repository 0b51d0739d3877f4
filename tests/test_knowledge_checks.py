"""`python -m knowledge check` also runs the checks that other packages register (the dialog's)."""

from __future__ import annotations

import io
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from knowledge_helpers import copy_of_knowledge, failing_check

from dialogs.knowledge_check import check
from knowledge import load_from_yaml
from knowledge.checks import CHECK_GROUP, registered_checks, registered_problems
from knowledge.cli import main


def test_the_dialog_registers_its_check() -> None:
    assert [(p.name, p.value) for p in registered_checks()] == [
        ("dialog", "dialogs.knowledge_check:check")
    ]


def test_the_dialog_fits_the_real_knowledge() -> None:
    assert check(load_from_yaml()) == []


def test_a_phase_the_flow_uses_gone_from_the_knowledge_fails_the_check(tmp_path: Path) -> None:
    # The knowledge has exactly five phases, so "dropping" the flow's phase `continu` means the
    # fifth phase gets another key; nothing else in the knowledge refers to phase keys, so the
    # knowledge itself stays valid and only the dialog's check can notice.
    data = copy_of_knowledge(tmp_path)
    phases = data / "phases.yaml"
    text = phases.read_text(encoding="utf-8")
    assert text.count("key: continu\n") == 1
    assert check(load_from_yaml(data)) == []
    phases.write_text(text.replace("key: continu\n", "key: doorlopend\n"), encoding="utf-8")
    dialog_errors = check(load_from_yaml(data))
    assert "states.s_continu.ja: unknown phase 'continu'" in dialog_errors

    lines = failing_check(data)
    # Plain-language problems of the data may be listed too; the dialog's must all be there.
    assert [line for line in lines if line.startswith("dialog: ")] == [
        f"dialog: {line}" for line in dialog_errors
    ]
    assert lines[-1] == f"{len(lines) - 1} error(s) in the knowledge files"


def test_a_broken_registered_check_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = EntryPoint(name="kapot", value="nergens_te_vinden:check", group=CHECK_GROUP)
    monkeypatch.setattr("knowledge.checks.entry_points", lambda group: [broken])
    monkeypatch.setattr("knowledge.cli.readability_problems", lambda knowledge: [])
    assert registered_problems(load_from_yaml()) == [
        "kapot: check nergens_te_vinden:check failed: "
        "ModuleNotFoundError: No module named 'nergens_te_vinden'"
    ]
    err = io.StringIO()
    assert main(["check"], out=io.StringIO(), err=err) == 1
    assert err.getvalue().endswith("1 error(s) in the knowledge files\n")


def test_a_failing_check_stops_build_before_the_store_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("knowledge.cli.registered_problems", lambda knowledge: ["dialog: kapot"])
    store = tmp_path / "k.json"
    err = io.StringIO()
    assert main(["build", "--store", str(store)], out=io.StringIO(), err=err) == 1
    assert "dialog: kapot" in err.getvalue().splitlines()
    assert not store.exists()
