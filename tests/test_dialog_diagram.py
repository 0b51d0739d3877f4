"""The picture of the flow is generated from flow.yaml, and the committed one is current."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from dialogs.__main__ import main
from dialogs.diagram import END, README, START, embed, mermaid
from dialogs.flow import FLOW_FILE, read_flow


def test_the_committed_diagram_is_the_generated_one() -> None:
    committed = README.read_text(encoding="utf-8")
    assert embed(committed, mermaid(read_flow())) == committed, "run `make diagram`"


def test_the_diagram_draws_every_state_and_every_move() -> None:
    flow = read_flow()
    lines = [line.strip() for line in mermaid(flow).splitlines()]
    assert lines[:4] == ["---", "title: flow.yaml", "---", "stateDiagram-v2"]
    assert f"[*] --> {flow.initial}" in lines
    for name, state in flow.states.items():
        assert f'state "{name}" as {name}' in lines
        moves = [line for line in lines if line.startswith(f"{name} --> ")]
        for option in state.options:
            to = [flow.start] if option.action else [t.to for t in option.targets] or [name]
            for target in to:
                edge = f"{name} --> {target}: "
                assert any(line.startswith(edge) and option.id in line for line in moves)
        if state.pick is not None:
            for picked_to in state.pick.targets:
                condition = f" [{picked_to.when}]" if picked_to.when else ""
                assert f"{name} --> {picked_to.to}: pick {state.pick.source}{condition}" in moves
            picked = {t.to for t in state.pick.targets}
            assert len(moves) == len(picked) + len({t.to for o in state.options for t in o.targets})
    assert "check --> check: ja [more_checks] | nee [more_checks] | wn [more_checks]" in lines
    assert "advies --> meer: meer [has_more]" in lines
    assert "advies --> uitleg: pick overview" in lines
    assert "fase_kiezen --> org: pick phases [org_known]" in lines


def test_the_command_prints_the_diagram() -> None:
    out = io.StringIO()
    assert main(["diagram"], out=out) == 0
    assert out.getvalue() == mermaid(read_flow())


def test_the_command_redraws_only_between_the_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Kop\n\n{START}\noud plaatje\n{END}\nslot\n", encoding="utf-8")
    out = io.StringIO()
    assert main(["diagram", "--readme", str(readme)], out=out) == 0
    written = readme.read_text(encoding="utf-8")
    assert written == f"# Kop\n\n{START}\n```mermaid\n{mermaid(read_flow())}```\n{END}\nslot\n"
    assert "updated" in out.getvalue()
    out = io.StringIO()
    assert main(["diagram", "--readme", str(readme)], out=out) == 0
    assert "unchanged" in out.getvalue()
    assert readme.read_text(encoding="utf-8") == written


@pytest.mark.parametrize("document", ["geen markers", f"{END}\nomgekeerd\n{START}\n"])
def test_a_file_without_markers_is_left_alone(tmp_path: Path, document: str) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(document, encoding="utf-8")
    with pytest.raises(ValueError):
        embed(document, "diagram\n")
    err = io.StringIO()
    assert main(["diagram", "--readme", str(readme)], err=err) == 1
    assert "flow:start" in err.getvalue()
    assert readme.read_text(encoding="utf-8") == document


def test_a_broken_flow_is_not_drawn(tmp_path: Path) -> None:
    flow = yaml.safe_load(FLOW_FILE.read_text(encoding="utf-8"))
    flow["states"]["rol"]["options"][0]["next"] = "nergens"
    broken = tmp_path / "flow.yaml"
    broken.write_text(yaml.safe_dump(flow), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["diagram", "--flow", str(broken)], out=out, err=err) == 1
    assert "states.rol.lijn: unknown target 'nergens'" in err.getvalue()
    assert out.getvalue() == ""
