"""The dialog definition is checked when loaded: a broken graph or text never reaches a user."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dialog_helpers import Edit, at_state, engine, load_edited, refusal
from transitions import EventData

from dialogs import Event, FlowError
from dialogs.flow import read_flow
from dialogs.machine import CONDITIONS, EFFECTS, Step, condition, effect, registered
from dialogs.progress import longest_ahead


def test_the_real_definition_loads(tmp_path: Path) -> None:
    assert load_edited(tmp_path, lambda flow, texts: None).flow == engine().flow


def _unknown_target(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    flow["states"]["rol"]["options"][0]["next"] = "nergens"


def _unreachable(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    flow["states"]["eiland"] = {"options": [{"id": "ja", "next": "rol"}]}
    texts["states"]["eiland"] = {"prompt": "Vraag?", "help": "Uitleg."}


def _duplicate_option(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    options = flow["states"]["uitslag"]["options"]
    options.append(dict(options[0]))


def _label_for_unknown_option(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    texts["states"]["uitslag"]["options"]["spook"] = "Spook"


def _synonyms_for_unknown_option(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    texts["states"]["uitslag"].setdefault("synonyms", {})["spook"] = ["boe"]


def _missing_label(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    flow["states"]["uitslag"]["options"].append({"id": "extra", "next": "rol"})


def _unknown_effect(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    flow["states"]["uitslag"]["options"][0]["do"] = ["toveren"]


def _unknown_condition(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    flow["states"]["advies"]["options"][0]["when"] = "misschien"


def _long_option_id(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    flow["states"]["uitslag"]["options"][0]["id"] = "een_veel_te_lange_optie"


def _unknown_phase(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    flow["states"]["s_actief"]["options"][0]["phase"] = "fase-zes"


def _unknown_layer(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    flow["roles"]["lijn"]["layers"] = ["kantine"]


def _broken_placeholder(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    texts["progress"] = "Vraag {nummer} van {total}"


def _missing_state_text(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    del texts["states"]["klaar"]


def _dead_end(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    flow["states"]["klaar"]["options"] = []
    texts["states"]["klaar"]["options"] = {}


def _condition_named_as_effect(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    flow["states"]["uitslag"]["options"][0]["do"] = ["more_checks"]


def _effect_named_as_condition(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    flow["states"]["advies"]["options"][0]["when"] = "give_advice"


def _unknown_renderer(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    flow["states"]["klaar"]["render"] = "menu"  # once a name for plain, now unknown


def _conditional_last_target(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    flow["states"]["check"]["options"][0]["next"] = [{"to": "check", "when": "more_checks"}]


def _conditional_last_pick_target(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    flow["states"]["fase_kiezen"]["pick"]["next"] = [{"to": "check", "when": "org_known"}]


def _unknown_pick_target(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    flow["states"]["fase_kiezen"]["pick"]["next"][0]["to"] = "nergens"


def _unknown_pick_condition(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    flow["states"]["fase_kiezen"]["pick"]["next"][0]["when"] = "misschien"


def _unknown_pick_effect(flow: dict[str, Any], texts: dict[str, Any]) -> None:
    flow["states"]["fase_kiezen"]["pick"]["next"][0]["do"] = ["toveren"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_unknown_target, "unknown target 'nergens'"),
        (_unreachable, "states.eiland: unreachable"),
        (_duplicate_option, "option id occurs more than once"),
        (_label_for_unknown_option, "spook: not an option of this step"),
        (_synonyms_for_unknown_option, "states.uitslag.synonyms.spook: not an option"),
        (_missing_label, "extra: label missing"),
        (_unknown_effect, "unknown effect 'toveren'"),
        (_unknown_condition, "unknown condition 'misschien'"),
        (_condition_named_as_effect, "unknown effect 'more_checks'"),
        (_effect_named_as_condition, "unknown condition 'give_advice'"),
        (_unknown_renderer, "states.klaar.render: unknown renderer 'menu'"),
        (_long_option_id, "states.uitslag.options.0.id"),
        (_unknown_phase, "unknown phase 'fase-zes'"),
        (_unknown_layer, "unknown layer 'kantine'"),
        (_broken_placeholder, "progress: placeholders"),
        (_missing_state_text, "states.klaar: text missing"),
        (_dead_end, "states.klaar: no options"),
        (_conditional_last_target, "the last target must have no condition"),
        (
            _conditional_last_pick_target,
            "states.fase_kiezen.pick: the last target must have no condition",
        ),
        (_unknown_pick_target, "states.fase_kiezen.pick: unknown target 'nergens'"),
        (_unknown_pick_condition, "states.fase_kiezen.pick: unknown condition 'misschien'"),
        (_unknown_pick_effect, "states.fase_kiezen.pick: unknown effect 'toveren'"),
    ],
    ids=lambda value: getattr(value, "__name__", "")[1:] or None,
)
def test_a_broken_definition_fails_at_load(tmp_path: Path, edit: Edit, message: str) -> None:
    with pytest.raises(FlowError) as caught:
        load_edited(tmp_path, edit)
    assert any(message in error for error in caught.value.errors), caught.value.errors


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    def several(flow: dict[str, Any], texts: dict[str, Any]) -> None:
        _unknown_target(flow, texts)
        _unknown_effect(flow, texts)
        _broken_placeholder(flow, texts)

    with pytest.raises(FlowError) as caught:
        load_edited(tmp_path, several)
    assert len(caught.value.errors) >= 3


def test_only_marked_step_methods_can_be_named_in_the_flow() -> None:
    class Probe(Step):
        @condition
        def asked(self, event: EventData | None = None) -> bool:
            return True

        @effect
        def done(self, event: EventData) -> None:
            pass

        def helper(self, event: EventData) -> None:
            pass

    assert registered(Probe, "condition") == CONDITIONS | {"asked"}
    assert registered(Probe, "effect") == EFFECTS | {"done"}
    assert "helper" not in registered(Probe, "condition") | registered(Probe, "effect")


def test_a_plain_step_shows_its_own_text_as_it_is() -> None:
    assert engine().flow.states["klaar"].render is None
    session = at_state("klaar")
    replies = engine().handle(session, Event.text("blabla xyz"))
    texts = engine().texts
    assert replies[-1].text == f"{refusal('klaar')}\n\n{texts.states['klaar'].prompt}"


def test_unreadable_yaml_is_a_flow_error(tmp_path: Path) -> None:
    broken = tmp_path / "flow.yaml"
    broken.write_text("states: [", encoding="utf-8")
    with pytest.raises(FlowError):
        read_flow(broken)


def test_option_ids_are_short_ascii_everywhere() -> None:
    flow = engine().flow
    ids = [option.id for state in flow.states.values() for option in state.options]
    ids += [f"i{n}" for n in range(1, 100)] + ["f1", "f5"]
    for option_id in ids:
        assert option_id.isascii() and len(option_id.encode()) <= 16


def test_progress_counts_the_longest_way_left_through_the_intake() -> None:
    ahead = longest_ahead(engine().flow)
    checks = engine().flow.quick_check.max_questions
    assert ahead["check"] == checks  # the quick check loops: its most questions
    assert ahead["org"] == 1 + checks  # reuse, or ask the quick check again
    assert ahead["fase_kiezen"] == 1 + 1 + checks  # via the organisation's answers, or not
    assert ahead["uitslag"] == 1 + ahead["fase_kiezen"]  # via another phase
    assert ahead["s_continu"] == 1 + ahead["uitslag"]
    assert ahead["s_belang"] == 1 + ahead["uitslag"]
    assert ahead["s_actief"] == 1 + ahead["s_belang"]
    assert ahead["s_toepassen"] == 1 + ahead["s_actief"]
    assert ahead["soort"] == 1 + ahead["s_toepassen"]  # the kind of work (issue 20)
    assert ahead["rol_anders"] == 1 + ahead["soort"]
    assert ahead["rol"] == 1 + ahead["rol_anders"]
    assert "advies" not in ahead and "ci_fase" not in ahead
