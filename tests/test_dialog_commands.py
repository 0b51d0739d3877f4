"""Back, restart and help from every state; free text and wrong option ids change nothing."""

from __future__ import annotations

import pytest
from dialog_helpers import STATE_PATHS, at_state, choose, comparable, drive, engine, refusal

from dialogs import Command, Event, EventKind, new_session

ALL_STATES = ["welkom", *STATE_PATHS]
# States after a change to the team that a step back does not undo (see dialogs/session.py).
TEAM_CHANGED = ("team_leeg", "ci_stap", "ci_fase", "ci_kies")


def test_every_state_of_the_flow_is_covered() -> None:
    assert set(ALL_STATES) == set(engine().flow.states)


UNFITTING = [
    Event.text("Jan de Vries wil niet leren"),
    Event.text("ja"),
    Event.option("bestaat-niet"),
    Event.option("mkb"),
    Event.option("meer"),
    Event.option("i99"),
    Event.option("f9"),
    Event.option("i0"),
    Event.option(""),
    Event.command(Command.HELP),
    Event(kind=Event.text("").kind, value="x" * 5000),
]


def unfitting_cases() -> list[tuple[str, Event]]:
    """Every state with every event that does not fit there.

    Some ids are valid in some states (`mkb` at the role question); those pairs are left out
    here because other tests cover accepted options.
    """
    cases: list[tuple[str, Event]] = []
    for state in ALL_STATES:
        session = at_state(state)
        valid = {option.id for option in engine().current_options(session)}
        # A typed word that names an option (e.g. "ja" for "Klopt") is an answer, not a misfit.
        cases.extend(
            (state, event)
            for event in UNFITTING
            if event.value not in valid
            and (
                event.kind is not EventKind.TEXT
                or engine().match_option(session, event.value) is None
            )
        )
    return cases


@pytest.mark.parametrize(("state", "event"), unfitting_cases(), ids=repr)
def test_events_that_do_not_fit_change_nothing(state: str, event: Event) -> None:
    session = at_state(state)
    before = session.model_dump_json()
    replies = engine().handle(session, event)
    assert session.model_dump_json() == before
    assert replies[-1].options == engine().shown_options(session)
    assert replies[-1].options, "the re-prompt offers the options again"
    assert "Jan" not in session.model_dump_json()


@pytest.mark.parametrize("state", ALL_STATES)
def test_help_explains_the_current_step(state: str) -> None:
    session = at_state(state)
    replies = engine().handle(session, Event.command(Command.HELP))
    assert engine().texts.states[state].help in replies[-1].text


@pytest.mark.parametrize("state", ALL_STATES)
def test_back_undoes_exactly_the_last_answer(state: str) -> None:
    session = at_state(state)
    turn = session.turn
    before = session.model_dump_json()
    replies = engine().handle(session, Event.command(Command.BACK))
    if state in ("welkom", "rol"):
        assert session.model_dump_json() == before
        assert replies[-1].options
        return
    if state in TEAM_CHANGED:
        # The employee was removed or checked in: back undoes the answer, not that change.
        assert session.turn == turn + 1 and session.state in ("advies", "herinnering")
        assert replies[-1].options == engine().shown_options(session)
        return
    previous = drive(*STATE_PATHS[state][:-1])
    assert comparable(session) == comparable(previous)
    assert session.turn == turn + 1
    assert replies[-1].options == engine().shown_options(session)


@pytest.mark.parametrize("state", ALL_STATES)
def test_restart_starts_over(state: str) -> None:
    session = at_state(state)
    created, turn = session.created_at, session.turn
    replies = engine().handle(session, Event.command(Command.RESTART))
    if session.history:  # answers would be lost: asked first, and nothing is lost yet
        assert replies[-1].text == engine().texts.restart.question
        assert [option.id for option in replies[-1].options] == ["ja", "nee"]
        assert session.confirm_restart == "" and session.turn == turn + 1
        turn = session.turn
        replies = engine().handle(session, Event.text("Ja!"))
    assert session.state == "rol"
    assert session.history == []
    assert session.role is None and session.phase is None and session.advised == []
    assert session.created_at == created
    # The turn counts changes: restarting where nothing was answered yet changes nothing.
    assert session.turn == (turn if state == "rol" else turn + 1)
    assert replies[0].text == engine().texts.welcome


def test_back_repeatedly_returns_to_the_start() -> None:
    session = at_state("uitleg")
    path = STATE_PATHS["uitleg"]
    for length in range(len(path) - 1, -1, -1):
        engine().handle(session, Event.command(Command.BACK))
        assert comparable(session) == comparable(drive(*path[:length]))
    assert session.state == "rol"


def test_back_after_another_employee_returns_to_the_advice() -> None:
    session = at_state("advies")
    advice = comparable(session)
    engine().handle(session, Event.option("ander"))
    assert session.state == "s_toepassen"
    assert session.role == "lijn" and session.phase is None and session.advised == []
    engine().handle(session, Event.command(Command.BACK))
    assert comparable(session) == advice


def test_the_plan_is_sent_and_its_steps_can_be_read_again() -> None:
    session = at_state("advies")
    choose(session, "herinner", "geen")  # else the plan asks about a reminder first
    replies = engine().handle(session, Event.option("plan"))
    assert replies[0].attachment == "action_plan"
    assert session.state == "plan"
    offered = [option.id for option in engine().current_options(session)]
    assert offered[: len(session.advised)] == [f"i.{item}" for item in session.advised]
    assert replies[-1].options == engine().shown_options(session)


def test_more_interventions_until_there_are_none() -> None:
    session = drive("mkb", "geen", "kies", "f1", "ja", "ja", "ja", "ja")
    kb = engine().knowledge
    cell = [item.id for item in kb.interventions_for(session.layers, "onbewust")]
    while "meer" in {option.id for option in engine().current_options(session)}:
        turn = session.turn
        engine().handle(session, Event.option("meer"))
        assert session.turn == turn + 1
    assert set(cell) <= set(session.advised)
    assert len(session.advised) == len(set(session.advised))
    before = session.model_dump_json()
    engine().handle(session, Event.option("meer"))
    assert session.model_dump_json() == before


def test_explaining_an_advised_intervention() -> None:
    session = at_state("advies")
    options = engine().current_options(session)
    items = [option.id for option in options if option.id.startswith("i.")]
    assert items == [f"i.{item}" for item in session.advised]
    replies = engine().handle(session, Event.option(items[1]))
    item = engine().knowledge.intervention(session.advised[1])
    assert session.state == "uitleg"
    assert item.explanation in replies[-1].text
    assert item.first_step_for_reader("leidinggevende") in replies[-1].text
    assert [option.id for option in replies[-1].options] == ["terug"]
    engine().handle(session, Event.option("terug"))
    assert session.state == "advies"


def test_the_last_phase_has_no_next_phase_but_a_spiral() -> None:
    session = drive("dir", "geen", "ja", "ja", "ok", "ja", "ja", "ja", "ja")
    assert session.phase == "continu"
    replies = engine().handle(session, Event.option("volgende"))
    assert replies[-1].text == engine().texts.advice.last_phase


def test_a_session_in_an_unknown_state_starts_over_kindly() -> None:
    session = new_session()
    session.state = "verdwenen"
    replies = engine().handle(session, Event.option("ja"))
    assert session.state == "rol"
    assert engine().texts.lost in replies[0].text


def test_start_mid_conversation_starts_over_with_the_preset() -> None:
    session = at_state("check")
    engine().handle(session, Event.start("hrzl"))
    assert session.confirm_restart == "hrzl" and session.state == "check"
    engine().handle(session, Event.option("ja"))
    assert session.state == "soort" and session.role == "hrzl"  # the kind of work comes next
    assert [answer.option for answer in session.history] == ["anders", "hrzl"]


@pytest.mark.parametrize("state", ["s_continu", "advies", "klaar", "ci_stap"])
def test_no_to_the_restart_question_keeps_every_answer(state: str) -> None:
    session = at_state(state)
    before = comparable(session)
    replies = engine().handle(session, Event.command(Command.RESTART))
    assert replies[-1].text == engine().texts.restart.question
    replies = engine().handle(session, Event.text("nee"))
    assert comparable(session) == before
    assert replies[-1].text.startswith(engine().texts.restart.kept)
    assert replies[-1].options == engine().shown_options(session)


@pytest.mark.parametrize("event", [Event.command(Command.BACK), Event.option("nee")])
def test_back_or_no_at_the_restart_question_goes_on_where_we_were(event: Event) -> None:
    session = at_state("s_belang")
    before = comparable(session)
    engine().handle(session, Event.start("zzp"))
    engine().handle(session, event)
    assert comparable(session) == before and session.confirm_restart is None


def test_restarting_from_the_menu_asks_first_too() -> None:
    session = at_state("klaar")
    replies = engine().handle(session, Event.option("opnieuw"))
    assert replies[-1].text == engine().texts.restart.question and session.state == "klaar"
    engine().handle(session, Event.option("ja"))
    assert session.state == "rol" and session.history == []


def test_nothing_answered_yet_restarts_without_asking() -> None:
    session = at_state("rol")
    replies = engine().handle(session, Event.start("mkb"))
    assert session.confirm_restart is None and session.role == "mkb"
    assert engine().texts.restart.question not in replies[-1].text


@pytest.mark.parametrize("state", [s for s in ALL_STATES if s not in ("welkom", "rol")])
def test_a_plain_start_mid_conversation_resumes_and_keeps_every_answer(state: str) -> None:
    session = at_state(state)
    before = session.model_dump_json()
    replies = engine().handle(session, Event.start())
    assert session.model_dump_json() == before
    assert replies[-1].text.startswith(engine().texts.resumed)
    assert replies[-1].options == engine().shown_options(session)


def test_a_deep_link_mid_conversation_starts_afresh_with_that_role() -> None:
    session = at_state(next(s for s in ALL_STATES if s not in ("welkom", "rol")))
    engine().handle(session, Event.start("mkb"))
    assert session.role != "mkb", "answers would be lost: asked first"
    engine().handle(session, Event.text("ja"))
    assert session.role == "mkb"
    assert [answer.option for answer in session.history] == ["mkb"]


@pytest.mark.parametrize("typed", ["¹", "²", "⑴", "½"])
def test_digit_like_characters_are_free_text_not_a_crash(typed: str) -> None:
    session = at_state("rol")
    replies = engine().handle(session, Event.text(typed))
    assert replies[-1].text.startswith(refusal("rol"))
    assert session.state == "rol"
