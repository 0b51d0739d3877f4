"""The engine says the same as before on every way through the intake (issue 22).

The step was rebuilt for speed: flow lookups and option lists precomputed, effects called
directly, no re-validation inside a step. None of that may change a word, a button or the stored
session. tests/engine_transcripts.py derives the ways from the flow and the knowledge and keeps
the digests of the engine as it was.
"""

from __future__ import annotations

import json

import pytest
from dialog_helpers import engine, role_paths
from engine_transcripts import FIXTURE, digests


@pytest.mark.slow
def test_every_way_through_the_intake_reads_as_before() -> None:
    kept: dict[str, str] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    found = digests(engine())
    flow = engine().flow
    check = next(state for state in flow.states.values() if state.render == "check")
    answers = len(check.options) ** flow.quick_check.max_questions
    assert len(found) == len(role_paths(engine())) * len(engine().knowledge.phases) * answers
    assert found.keys() == kept.keys()
    changed = sorted(key for key in found if found[key] != kept[key])
    assert not changed, f"{len(changed)} ways read differently, e.g. {changed[:5]}"
