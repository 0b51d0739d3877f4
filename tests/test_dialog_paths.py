"""Every path through the dialog, for every role and every phase, ends in the right advice.

"Right" is the knowledge store's own cell: the best interventions of the role's layers for the
diagnosed phase, in the store's ranking, and the precondition gaps that the answers reveal.
"""

from __future__ import annotations

import itertools

import pytest
from dialog_helpers import (
    EXPECTED_ROLES,
    PHASES,
    ROLE_PATH,
    ROLES,
    SKIP_WORK,
    choose,
    drive,
    engine,
    progress_line,
    staging_paths,
    started,
)

from dialogs import Event, Session
from dialogs.advice import advice_plan, check_question
from dialogs.machine import Step


def answer_checks(session: Session, answers: list[str]) -> dict[str, str]:
    """Answer the quick check in order; returns check id -> answer."""
    given: dict[str, str] = {}
    for answer in answers:
        assert session.state == "check"
        given[session.checks[session.check_index]] = answer
        choose(session, answer)
    assert session.state == "advies"
    return given


def assert_advice(session: Session, role: str, phase: str, given: dict[str, str]) -> None:
    kb = engine().knowledge
    layers, audiences = ROLES[role]
    assert session.role == role
    assert set(session.layers) == layers
    assert set(engine().audiences(session)) == audiences
    assert session.phase == phase
    cell = [item.id for item in kb.interventions_for(layers, phase)]
    first = engine().flow.advice.first
    assert len(session.advised[:first]) >= 3 or len(cell) < 3
    assert session.advised[: min(first, len(cell))] == cell[:first]
    # Whatever follows the role's own best are levers from other layers (tasks, colleagues).
    for extra in session.advised[min(first, len(cell)) :]:
        assert kb.intervention(extra).layer in {"taken", "collegas"} - layers
    gaps = []
    for check_id, answer in given.items():
        precondition, check = check_question(kb, check_id)
        if answer == check.gap_when and precondition.id not in gaps:
            gaps.append(precondition.id)
    assert session.precondition_gaps == gaps


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_staging_path_for_every_role_ends_in_the_cells_advice(role: str) -> None:
    for answers, phase, _ in staging_paths():
        session = drive(*ROLE_PATH[role], *answers)
        assert session.state == "uitslag"
        assert session.phase == phase
        choose(session, "ok")
        checks = ["nee", "ja", "nee", "ja"][: len(session.checks)]
        given = answer_checks(session, checks)
        assert_advice(session, role, phase, given)


@pytest.mark.parametrize(("role", "phase"), list(itertools.product(sorted(ROLES), PHASES)))
def test_picking_the_phase_directly_with_every_check_answer(role: str, phase: str) -> None:
    number = PHASES.index(phase) + 1
    base = drive(*ROLE_PATH[role], "kies", f"f{number}")
    assert base.state == "check"
    assert 2 <= len(base.checks) <= 4
    for answers in itertools.product(("ja", "nee"), repeat=len(base.checks)):
        session = base.model_copy(deep=True)
        given = answer_checks(session, list(answers))
        assert_advice(session, role, phase, given)


@pytest.mark.parametrize("phase", PHASES)
def test_correcting_the_diagnosis(phase: str) -> None:
    session = drive("mkb", "geen", "ja", "ja", "wijzig", f"f{PHASES.index(phase) + 1}")
    assert session.phase == phase
    assert session.state == "check"


def test_the_result_says_why_and_suggests_a_conversation_when_unsure() -> None:
    sure = drive("lijn", "geen", "nee", "nee")
    text = choose(sure, "ja")[-1].text
    kb = engine().knowledge
    assert kb.phase("overwegen").label in text
    assert kb.phase("overwegen").description in text
    texts = engine().texts
    reason = texts.states["s_belang"].reason
    assert reason is not None and reason in text
    assert texts.result.uncertain not in text
    unsure = drive("lijn", "geen", "wn", "wn")
    replies = choose(unsure, "wn")
    assert unsure.phase == "onbewust"
    assert texts.result.uncertain in replies[-1].text


def test_a_typical_staging_path_asks_at_most_four_questions() -> None:
    assert max(len(answers) for answers, _, _ in staging_paths()) <= 4
    first = started()
    replies = choose(first, "lijn")
    # The role was step 1; readers with staff are asked their kind of work next.
    assert f"\n{progress_line(2, first.state)}\n" in replies[-1].text


def test_the_diagnosis_is_followed_by_the_model_picture() -> None:
    session = drive("hr", "geen", "ja", "nee")
    replies = choose(session, "ok")
    pictures = [reply for reply in replies if reply.attachment == "model_picture"]
    assert len(pictures) == 1
    assert pictures[0].text


def test_presets_skip_the_role_question() -> None:
    for role, path in ROLE_PATH.items():
        session = started(role)
        assert session.role == role
        # A reader with staff is asked the kind of work next (issue 20), the others their phase.
        asked = path[-1] == SKIP_WORK
        assert session.state == ("soort" if asked else "s_toepassen")
        assert [answer.option for answer in session.history] == path[: -1 if asked else None]
    assert started("nonsense").state == "rol"
    assert started("lijn ").role is None  # presets are exact ids, never free text


def test_honest_notes_for_roles_the_model_says_little_about() -> None:
    session = started()
    choose(session, "anders")
    replies = choose(session, "zzp")
    assert engine().texts.roles["zzp"].note in [reply.text for reply in replies]


def test_an_honest_note_when_the_model_has_little_for_a_role_and_phase() -> None:
    kb = engine().knowledge
    few = engine().texts.advice.few
    for role in ROLES:
        for number, phase in enumerate(PHASES, start=1):
            session = drive(*ROLE_PATH[role], "kies", f"f{number}", "ja", "ja", "ja")
            own = kb.interventions_for(ROLES[role][0], phase)
            little = len(own) < engine().flow.advice.few_below
            assert (few in engine().prompt(session).text) == little, (role, phase)
    # The real model has enough everywhere; a stricter threshold shows the honest note.
    strict = engine().flow.model_copy(
        update={"advice": engine().flow.advice.model_copy(update={"few_below": 5})}
    )
    honest = [advice_plan(kb, strict, role, phase).few for role in ROLES for phase in PHASES]
    assert any(honest) and not all(honest)


def test_the_shared_machine_keeps_no_model_whatever_the_number_of_sessions() -> None:
    for role in ("mkb", "lijn", "hr"):
        session = drive(role, SKIP_WORK, "ja", "ja", "ok")
        engine().handle(session, Event.text("x"))
    assert engine()._machine.models == []  # each answer moves a Step of its own (machine.take)


def test_an_effect_that_fails_leaves_the_session_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = drive("mkb", "geen", "ja", "ja", "ok")
    before = session.model_dump()

    def broken(self: Step, event: object) -> None:
        self.session.precondition_gaps = ["kapot"]
        raise RuntimeError("effect failed half-way")

    monkeypatch.setattr(Step, "answer_check", broken)
    with pytest.raises(RuntimeError):
        engine().handle(session, Event.option("ja"))
    assert session.model_dump() == before


def test_the_roles_of_the_flow_act_where_the_issue_says() -> None:
    """The role tests go over the flow's roles; what the roles we know should be is written out
    independently, so a mistake in flow.yaml is caught rather than mirrored."""
    assert {role: ROLES[role] for role in EXPECTED_ROLES} == EXPECTED_ROLES
