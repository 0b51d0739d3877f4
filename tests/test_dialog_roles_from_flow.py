"""A role added to flow.yaml is covered by the role tests without editing a test (issue 22).

The role tests go over `dialog_helpers.ROLES` and `ROLE_PATH`, which are read from the flow
(`roles_of`, `role_paths`), as are the ways through the intake that the engine's output is
compared on (tests/engine_transcripts.py). Here a copy of the flow gets a role of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dialog_helpers import ROLE_PATH, ROLES, engine, load_edited, role_paths, roles_of

from dialogs import Event, new_session
from dialogs.choices import Kind, make

NEW = "teamcoach"


def _new_role(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    flow["roles"][NEW] = {"layers": ["leidinggevende"], "levers": ["taken"], "reader": "hr"}
    flow["states"]["rol_anders"]["options"].append(
        {"id": NEW, "next": "s_toepassen", "do": ["set_role"]}
    )
    texts["roles"][NEW] = {"label": "Teamcoach", "synonyms": ["coach"]}


def test_the_role_tests_go_over_every_role_of_the_real_flow() -> None:
    assert set(ROLES) == set(engine().flow.roles) == set(ROLE_PATH)


def test_a_role_added_to_a_copy_of_the_flow_is_found_with_its_way_to_the_advice(
    tmp_path: Path,
) -> None:
    edited = load_edited(tmp_path, _new_role)
    assert roles_of(edited)[NEW] == ({"leidinggevende"}, set())
    path = role_paths(edited)[NEW]
    assert path == ["anders", NEW]
    assert set(role_paths(edited)) == set(ROLE_PATH) | {NEW}
    session = new_session()
    edited.handle(session, Event.start())
    for option in [*path, "kies", make(Kind.PHASE, "actie")]:
        edited.handle(session, Event.option(option))
    while session.state == "check":
        edited.handle(session, Event.option("nee"))
    assert (session.state, session.role, session.layers) == ("advies", NEW, ["leidinggevende"])
