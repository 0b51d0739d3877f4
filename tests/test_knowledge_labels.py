"""Every intervention has a short label written by hand, used on its button (issue 19, part 3).

46 of 119 button labels ended in "…" ("Taken met meer…"): a title cut to fit a phone's button.
Now the knowledge gives each intervention a `label` of at most 28 characters (and each
precondition one of at most 22, after "Let op: "), `knowledge check` refuses a longer or a
repeated one, and no button is ever cut.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from dialog_helpers import PHASES, ROLES, advised, choose, engine
from knowledge_helpers import copy_of_knowledge

from dialogs import Event, Session
from dialogs.engine import NAV_BACK, NAV_MORE
from knowledge import KnowledgeError, load_from_yaml


def _edit_first(path: Path, **changes: str) -> None:
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    content["interventions"][0].update(changes)
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_long_or_repeated_label_is_refused(tmp_path: Path) -> None:
    data = copy_of_knowledge(tmp_path)
    _edit_first(data / "interventions/taken.yaml", label="Taken met meer verantwoordelijkheid")
    hr = yaml.safe_load((data / "interventions/hr.yaml").read_text(encoding="utf-8"))
    repeated = hr["interventions"][1]["label"]
    _edit_first(data / "interventions/collegas.yaml", label=f" {repeated.upper()} ")
    with pytest.raises(KnowledgeError) as caught:
        load_from_yaml(data)
    errors = caught.value.errors
    assert any(
        e.startswith(
            "interventions/taken.yaml: interventions.0.label: String should have at most 28"
        )
        for e in errors
    ), errors
    assert any("is also the label of" in e for e in errors), errors


def test_every_intervention_has_its_own_short_label() -> None:
    kb = engine().knowledge
    labels = [" ".join(item.label.casefold().split()) for item in kb.interventions]
    assert len(labels) == len(set(labels))
    assert all(2 <= len(item.label) <= 28 for item in kb.interventions)
    assert all(len(item.label) <= 22 for item in kb.preconditions)


def _sessions(role: str, number: int) -> list[tuple[str, Session]]:
    """The advice (all "Meer" taken), its "Meer", the next phase, the plan, and every detail."""
    session = advised(role, number)
    while "meer" in {o.id for o in engine().current_options(session)}:
        choose(session, "meer", "terug")
    found = [("advies", session)]
    for option in ("meer", "volgende", "plan"):
        if option in {o.id for o in engine().current_options(session)}:
            probe = session.model_copy(deep=True)
            engine().handle(probe, Event.option(option))
            found.append((option, probe))
    for item in engine().current_options(session):
        if item.id[0] in "iw" and item.id[1:].isdecimal():
            probe = session.model_copy(deep=True)
            engine().handle(probe, Event.option(item.id))
            found.append((item.id, probe))
    return found


@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_button_is_cut_and_no_two_under_one_message_look_alike(role: str) -> None:
    for number, _ in enumerate(PHASES, start=1):
        for where, session in _sessions(role, number):
            options = [
                o for o in engine().current_options(session) if o.id not in (NAV_BACK, NAV_MORE)
            ]
            labels = [o.label for o in options]
            assert not [label for label in labels if label.endswith("…")], (role, number, where)
            assert all(len(label) <= 30 for label in labels), (role, number, where)
            plain = [" ".join(label.casefold().split()) for label in labels]
            assert len(plain) == len(set(plain)), (role, number, where, labels)
