"""Typed answers understood like taps, and a conversation that never leaves anyone stuck.

In-process through the conversation service (the same step Telegram and the console use): typed
numbers, labels, synonyms and small typos reach the same advice as tapping; unclear text is asked
back or refused in a line; every keyboard fits a phone; progress only goes forward.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from dialog_helpers import (
    ROLE_PATH,
    ROLES,
    STATE_PATHS,
    at_state,
    choose,
    drive,
    engine,
    pages_of,
    progress_line,
    refusal,
    stable,
    staging_paths,
)

from bot.conversation import FORGET_CANCEL, Conversation, Request, Status, Turn
from bot.persistence.memory import MemoryStore
from dialogs import Command, Event, Session
from dialogs.engine import MAX_OPTIONS, NAV_BACK, NAV_MORE
from dialogs.flow import successors
from dialogs.lexicon import LazyLexicon
from dialogs.matching import fold, match
from dialogs.render import BUTTON_LABEL_LIMIT
from locales import load_bundle

# How each role is typed (a typo, a synonym, other case), after the tap path's ids.
TYPED_ROLE: dict[str, list[str]] = {
    "lijn": ["leidinggevnde", "Sla over"],
    "hr": ["P&O", "overslaan"],
    "dir": ["directuer", "liever niet"],
    "mkb": ["Eigenar!", "sla over."],
    "hrzl": ["iets andrs", "hr zonder leidinggevnden", "Overslaan"],
    "collega": ["5", "colega"],
    "onderwijs": ["Iets anders.", "docnt"],
    "zzp": ["anders", "zelfstandge"],
}
# The rest of the tap path in play_to_advice (applies, keeps learning, right, all checks yes),
# typed in several ways.
TYPED_REST = ["Ja!", "jawel", "Kloppt", "1", "ja hor", "JA.", "yes"]
# The same conversation with one typo in every answer.
TYPO_ROLE: dict[str, list[str]] = {
    "lijn": ["leidinggevnde", "overslan"],
    "hr": ["personeelzaken", "sla ovr"],
    "dir": ["directuer", "overlsaan"],
    "mkb": ["ondernmer", "overslan"],
    "hrzl": ["iets andrs", "hr zonder leidinggevnden", "sla ovr"],
    "collega": ["iets andrs", "colega"],
    "onderwijs": ["iets andrs", "docnt"],
    "zzp": ["iets andrs", "zelfstandge"],
}
TYPO_REST = ["jawell", "jawle", "kloptt", "jaweel", "jazeekr", "jawell", "jwel"]


def service() -> Conversation:
    return Conversation(engine(), MemoryStore(), retention_days=30)


def ids(turn: Turn) -> list[str]:
    return [option.id for option in turn.replies[-1].options] if turn.replies else []


async def _typed(typed: list[str]) -> Session:
    conversation = service()
    turn = await conversation.handle("1", 1, Event.start())
    for number, text in enumerate(typed, start=2):
        if turn.session is not None and turn.session.state == "advies":
            break
        before = turn.session.turn if turn.session is not None else 0
        turn = await conversation.handle("1", number, Event.text(text))
        assert turn.session is not None and turn.session.turn == before + 1, text
    assert turn.session is not None
    return turn.session


@pytest.mark.parametrize("with_typos", [False, True], ids=["mixed", "typos"])
@pytest.mark.parametrize("role", sorted(ROLES))
async def test_a_typed_conversation_reaches_the_same_advice_as_tapping(
    role: str, with_typos: bool
) -> None:
    answers = [*TYPO_ROLE[role], *TYPO_REST] if with_typos else [*TYPED_ROLE[role], *TYPED_REST]
    typed = await _typed(answers)
    tapped = drive(*ROLE_PATH[role], "ja", "ja", "ok")
    while tapped.state == "check":
        choose(tapped, "ja")
    assert typed.state == tapped.state == "advies"
    assert typed.role == tapped.role == role
    assert typed.phase == tapped.phase == "continu"
    assert typed.advised == tapped.advised and typed.advised
    assert typed.precondition_gaps == tapped.precondition_gaps


# (state, typed text, what it means: an option id, "?" for "which one?", None for not understood)
TABLE: list[tuple[str, str, str | None]] = [
    # The kind of work, typed as the kind of business (issue 20): only the kind is kept.
    ("soort", "bakkerij", "maken"),
    ("soort", "Garage", "maken"),
    ("soort", "kapsalon", "maken"),
    ("soort", "webshop", "maken"),
    ("soort", "installatiebedrijf", "bouw"),
    ("soort", "bouw", "bouw"),
    ("soort", "accountantskantoor", "kantoor"),
    ("soort", "zorgpraktijk", "zorg"),
    ("soort", "bakkerj", "maken"),
    ("soort", "sla over", "geen"),
    ("rol", "1", "lijn"),
    ("rol", "4", "mkb"),
    ("rol", "5", "anders"),
    ("rol", "6", None),
    ("rol", "0", None),
    ("rol", "Leidinggevende of teamleider", "lijn"),
    ("rol", "leidinggevende", "lijn"),
    ("rol", "teamleider", "lijn"),
    ("rol", "Manager", "lijn"),
    ("rol", "leidinggevnde", "lijn"),
    ("rol", "teamlieder", "lijn"),
    ("rol", "hr", "hr"),
    ("rol", "HR.", "hr"),
    ("rol", "p&o", "hr"),
    ("rol", "personeelszaken", "hr"),
    ("rol", "personeelzaken", "hr"),
    ("rol", "directeur", "dir"),
    ("rol", "DGA", "dir"),
    ("rol", "directie", "dir"),
    ("rol", "eigenaar", "mkb"),
    ("rol", "ondernemer", "mkb"),
    ("rol", "MKB", "mkb"),
    ("rol", "eigenaar mkb zonder hr", "mkb"),
    ("rol", "ondernemr", "mkb"),
    ("rol", "iets anders", "anders"),
    ("rol", "mijn kat heet Jan", None),
    ("rol", "", None),
    ("rol", "terug", None),  # nothing to go back to at the first question
    ("rol_anders", "docent", "onderwijs"),
    ("rol_anders", "trainer", "onderwijs"),
    ("rol_anders", "zzp'er", "zzp"),
    ("rol_anders", "Zelfstandige (zzp)", "zzp"),
    ("rol_anders", "collega", "collega"),
    ("rol_anders", "hr zonder leidinggevenden", "hrzl"),
    ("rol_anders", "terug", NAV_BACK),
    ("rol_anders", "← Terug", NAV_BACK),
    ("s_toepassen", "ja", "ja"),
    ("s_toepassen", "Ja!", "ja"),
    ("s_toepassen", "ja.", "ja"),
    ("s_toepassen", "j", "ja"),
    ("s_toepassen", "jawel", "ja"),
    ("s_toepassen", "klopt", "ja"),
    ("s_toepassen", "yes", "ja"),
    ("s_toepassen", "nee", "nee"),
    ("s_toepassen", "Nee.", "nee"),
    ("s_toepassen", "n", "nee"),
    ("s_toepassen", "nee hoor", "nee"),
    ("s_toepassen", "neen", "nee"),
    ("s_toepassen", "weet niet", "wn"),
    ("s_toepassen", "ik weet het niet", "wn"),
    ("s_toepassen", "Ik weet het niet.", "wn"),
    ("s_toepassen", "geen idee", "wn"),
    ("s_toepassen", "?", "wn"),
    ("s_toepassen", "weet ik nit", "wn"),
    ("s_toepassen", "ik kies de fase zelf", "kies"),
    ("s_toepassen", "jn", None),
    ("s_toepassen", "misschien", "?"),  # in between: asked back with yes and no
    ("s_toepassen", "ja en nee", "?"),
    ("uitslag", "ja", "ok"),
    ("uitslag", "klopt", "ok"),
    ("uitslag", "Klopt!", "ok"),
    ("uitslag", "nee", "wijzig"),
    ("uitslag", "andere fase", "wijzig"),
    ("fase_kiezen", "3", "f3"),
    ("fase_kiezen", "aan de slag", "f3"),
    ("check", "ja", "ja"),
    ("check", "weet ik niet", "wn"),
    ("check", "nee hor", "nee"),
    ("uitslag", "klopt n", "?"),
    ("s_toepassen", "ja nee hoor", "?"),
    ("rol", "managnemer", "?"),
    ("advies", "anmeer", "?"),
    ("advies", "actieplan", "plan"),
    ("advies", "plan", "plan"),
    ("advies", "Stuur mijn actieplan", "plan"),
    ("advies", "klaar", "klaar"),
    ("advies", "de volgende fase", "volgende"),
    ("advies", "meer opties", NAV_MORE),
    ("advies", "andere medewerker", "ander"),
    ("advies", "Meer ideeën", "meer"),
    ("advies", "meer ideen", "meer"),
    ("advies", "herinnering", "herinner"),
    ("advies", "Mijn medewerkers", "team"),
    ("advies", "waar weinig aandacht voor is", "vlekken"),
    ("advies", "tijd en geld geven om te leren", "i1"),  # a title, though its button is cut
    ("advies", "1", "i1"),
    ("advies", "terug", NAV_BACK),
    ("uitleg", "terug", "terug"),
    ("uitleg", "overzicht", "terug"),
    ("meer", "nog meer", "meer"),
    ("plan", "klaar", "klaar"),
    ("klaar", "opnieuw beginnen", "opnieuw"),
    ("klaar", "andere medewerker", "ander"),
    ("klaar", "wat nu", None),
    ("herinnering", "2 weken", "w2"),
    ("herinnering", "over een maand", "?"),  # not on offer: the two nearest
    ("herinnering", "3", "w8"),
    ("herinnering", "nee", "geen"),
    ("herinnering", "geen herinnring", "geen"),
    ("herinnering", "morgen", None),
    ("org", "ja", "ja"),
    ("org", "jawel", "ja"),
    ("org", "vraag ze opnieuw", "nee"),
    ("org", "2", "nee"),
    ("team", "1", "s1"),
    ("team", "medewerker a", "s1"),
    ("medewerker", "verwijderen", "wis"),
    ("medewerker", "opnieuw inschatten", "bekijk"),
    ("medewerker", "terug", "terug"),
    ("team_leeg", "nieuwe medewerker", "ander"),
    ("ci_stap", "gedaan", "gedaan"),
    ("ci_stap", "ja", "gedaan"),
    ("ci_stap", "nog niet", "nognie"),
    ("ci_stap", "ermee bezig", "bezig"),
    ("ci_stap", "geen zin", "nognie"),  # a negation: not done
    ("ci_stap", "het regent", None),
    ("ci_fase", "een stap verder", "verder"),
    ("ci_fase", "zelfde fase", "zelfde"),
    ("ci_fase", "ik kies zelf", "kies"),
    ("ci_fase", "terug", None),  # a check-in has no step before it to go back to
]


def _at(state: str) -> Session:
    return at_state(state) if state != "fase_kiezen" else drive(*STATE_PATHS[state])


@pytest.mark.parametrize(("state", "text", "meant"), TABLE, ids=repr)
def test_what_a_typed_answer_means(state: str, text: str, meant: str | None) -> None:
    session = _at(state)
    before = session.model_dump_json(exclude={"asked"})
    meant = stable(session, meant) if meant is not None else None
    found = engine().match_option(session, text)
    replies = engine().handle(session, Event.text(text))
    if meant is None:
        assert session.model_dump_json(exclude={"asked"}) == before
        lines = replies[-1].text.split("\n\n", 1)
        assert len(replies) == 1 and len(lines) == 2, "one line, then the question"
        assert lines[0] == refusal(state)
        assert replies[-1].options == engine().shown_options(session)
        return
    if meant == "?":  # close to two: asked back, with those two as buttons
        assert session.model_dump_json(exclude={"asked"}) == before
        reply = replies[-1]
        assert len(replies) == 1 and len(reply.options) == 2
        first, second = (option.label for option in reply.options)
        texts = engine().texts
        templates = [
            texts.ask_which,
            texts.understanding.between_question,
            texts.understanding.nearest,
        ]
        assert reply.text in {t.format(first=first, second=second) for t in templates}
        valid = {option.id for option in engine().current_options(session)}
        assert {option.id for option in reply.options} <= valid, "both buttons work"
        return
    if found is None:  # back and more are moves, not options
        assert meant in (NAV_BACK, NAV_MORE)
        assert session.model_dump_json() != before
        return
    assert found.id == meant
    # Accepted like a tap: the step moved on, or an information option showed its note.
    assert session.model_dump_json(exclude={"asked"}) != before or len(replies) > 1


def test_the_table_is_large_enough() -> None:
    assert len(TABLE) >= 60
    assert sum(meant is None for _, _, meant in TABLE) >= 8
    assert sum(meant == "?" for _, _, meant in TABLE) >= 3


def test_close_to_two_options_asks_which_one() -> None:
    from dialogs.events import Option

    options = [Option("a", "Teamleider"), Option("b", "Teamleiders")]
    assert match(options, "teamleider").option == options[0], "an exact name wins"
    found = match(options, "teamleidr")
    assert found.option is None and found.candidates == (options[0], options[1])


def test_fold_ignores_case_accents_and_punctuation() -> None:
    assert fold("  Ja! ") == fold("ja.") == fold("JA") == "ja"
    assert fold("Oké") == "oke"
    assert fold("?") == "?" and fold("ja?") == "ja"
    assert fold("P&O") == "p&o"


@pytest.mark.parametrize("text", ["bedankt!", "Dank je", "hoi", "Goedemorgen", "dankjewel"])
def test_thanks_and_greetings_get_a_friendly_line_and_the_question(text: str) -> None:
    session = at_state("s_actief")
    before = session.model_dump_json()
    replies = engine().handle(session, Event.text(text))
    assert session.model_dump_json() == before
    talk = engine().texts.small_talk
    first, question = replies[-1].text.split("\n\n", 1)
    assert first in (talk.thanks_reply, talk.greeting_reply)
    assert engine().texts.free_text not in replies[-1].text
    assert question == engine().prompt(session).text
    assert replies[-1].options == engine().shown_options(session)


def test_a_refusal_at_the_result_repeats_only_its_short_question() -> None:
    session = at_state("uitslag")
    replies = engine().handle(session, Event.text("blablabla"))
    line, question = replies[-1].text.split("\n\n", 1)
    assert line == refusal("uitslag")
    assert question == engine().prompt(session).text
    assert engine().texts.result.because not in question and len(question) < 200
    assert len(question.split("\n")) == 3  # the answers so far, the step, the question


# -- side commands come back to the question -----------------------------------------------
@pytest.mark.parametrize("request_", [Request.PRIVACY, Request.MODEL, Request.UNSUPPORTED])
async def test_after_a_side_request_the_question_comes_back(request_: Request) -> None:
    conversation = service()
    await conversation.handle("1", 1, Event.start())
    asked = await conversation.handle("1", 2, Event.option("hr"), tap_turn=1)
    turn = await conversation.handle("1", 3, request_)
    assert turn.replies[-1].options == asked.replies[-1].options
    assert turn.replies[-1].text == engine().prompt(asked.session).text  # type: ignore[arg-type]


async def test_after_help_and_a_cancelled_forget_the_question_comes_back() -> None:
    conversation = service()
    await conversation.handle("1", 1, Event.start())
    asked = await conversation.handle("1", 2, Event.option("mkb"), tap_turn=1)
    helped = await conversation.handle("1", 3, Event.command(Command.HELP))
    assert helped.replies[-1].options == asked.replies[-1].options
    await conversation.handle("1", 4, Request.FORGET)
    kept = await conversation.handle("1", 5, Event.option(FORGET_CANCEL), tap_turn=asked.turn)
    assert kept.status is Status.DONE
    assert kept.replies[-1].options == asked.replies[-1].options


# -- keyboards that fit a phone ---------------------------------------------------------------
# Steps that go back in their own words ("Terug naar het overzicht"), and the check-in, which no
# answer led to: no "← Terug" there. Every other question after the first has one.
# Both read from the flow: the states with a "terug" of their own, and those reached only from
# where a check-in enters (issue 22: a new state is covered without editing this test).
OWN_WAY_BACK = {
    name
    for name, state in engine().flow.states.items()
    if any(option.id == "terug" for option in state.options)
}


def _reached(*starts: str) -> set[str]:
    found, todo = set(starts), list(starts)
    while todo:
        for name in successors(engine().flow, todo.pop()) - found:
            found.add(name)
            todo.append(name)
    return found


CHECK_IN = _reached(*engine().flow.entries) - _reached(engine().flow.start)


def with_employees(count: int) -> Session:
    """A session at the team list with `count` employees, each seen once (phase chosen)."""
    session = drive("mkb", "geen", "kies", "f2")
    while session.state == "check":
        choose(session, "nee")
    for _ in range(count - 1):
        choose(session, "ander", "kies", "f3")
        if session.state == "org":
            choose(session, "ja")  # the organisation's recent answers, reused
    choose(session, "team")
    assert session.state == "team"
    return session


def _every_question() -> Iterator[tuple[str, Session]]:
    """Every state for every role, and every page of every long list."""
    for role, path in ROLE_PATH.items():
        tails = {
            "s_toepassen": [],
            "s_continu": ["ja"],
            "s_actief": ["nee"],
            "s_belang": ["nee", "nee"],
            "fase_kiezen": ["kies"],
            "uitslag": ["nee", "ja"],
            "check": ["nee", "ja", "ok"],
        }
        for state, tail in tails.items():
            yield f"{role}:{state}", drive(*path, *tail)
        for phase in range(1, 6):
            session = drive(*path, "kies", f"f{phase}")
            while session.state == "check":
                choose(session, "wn")
            yield f"{role}:advies:f{phase}", session
            while "meer" in {o.id for o in engine().current_options(session)}:
                choose(session, "meer", "terug")
            yield f"{role}:advies-all:f{phase}", session
            listing = session.model_copy(deep=True)
            choose(listing, "plan")
            yield f"{role}:plan:f{phase}", listing
            following = session.model_copy(deep=True)
            choose(following, "volgende")
            yield f"{role}:volgende:f{phase}", following
    for state in STATE_PATHS:
        yield state, at_state(state)
    yield "team of seven", with_employees(7)


@pytest.mark.slow
def test_no_keyboard_has_more_than_five_options_or_a_long_label() -> None:
    seen = 0
    for where, session in _every_question():
        pages = 0
        first = engine().shown_options(session)
        back = bool(session.history) and session.state not in OWN_WAY_BACK | CHECK_IN
        while True:
            shown = engine().shown_options(session)
            answers = [option for option in shown if option.id != NAV_BACK]
            assert 0 < len(answers) <= MAX_OPTIONS, where
            for option in shown:
                assert len(option.label) <= BUTTON_LABEL_LIMIT, (where, option.label)
            assert (NAV_BACK in {o.id for o in shown}) == back, where
            seen += 1
            if NAV_MORE not in {o.id for o in shown}:
                break
            engine().handle(session, Event.option(NAV_MORE))
            pages += 1
            if engine().shown_options(session) == first:
                break
            assert pages < 10, where
    assert seen > 200


def test_paging_shows_every_option_once_and_the_advice_begins_with_its_titles() -> None:
    session = drive("mkb", "geen", "kies", "f3", "nee", "nee", "ja", "ja")
    everything = [o.id for o in engine().current_options(session)]
    assert len(everything) > 2 * MAX_OPTIONS
    first = [o.id for o in engine().shown_options(session)]
    # "Begin hier" first, then the first warning, then the plan and help (on every page).
    named = [stable(session, shorthand) for shorthand in ("i1", "w1")]
    assert first[: MAX_OPTIONS - 1] == [*named, "plan", "hulp"] and NAV_MORE in first
    assert _each_once(pages_of(session)) == _without_pins(everything, pages_of(session))
    while "meer" in {o.id for o in engine().current_options(session)}:
        choose(session, "meer", "terug")
    choose(session, "herinner", "geen", "plan")  # the plan asks about a reminder only once
    advised = [o.id for o in engine().current_options(session)]
    assert len(advised) > MAX_OPTIONS
    assert _each_once(pages_of(session)) == _without_pins(advised, pages_of(session))
    last = engine().knowledge.intervention(session.advised[-1]).title
    engine().handle(session, Event.text(last))  # a whole title names it, on any page
    assert session.state == "uitleg"
    assert session.history[-1].option == f"i.{session.advised[-1]}"


def test_a_number_names_a_numbered_label_on_any_page() -> None:
    session = with_employees(7)
    assert "s7" not in {o.id for o in engine().shown_options(session)}
    engine().handle(session, Event.text("7"))
    assert session.state == "medewerker" and session.current == "G"
    session = with_employees(7)
    engine().handle(session, Event.text("Medewerker F"))
    assert session.state == "medewerker" and session.current == "F"


def test_the_page_starts_at_the_first_again_on_the_next_question() -> None:
    session = drive("mkb", "geen", "kies", "f3", "nee", "nee", "nee", "nee")
    engine().handle(session, Event.option(NAV_MORE))
    assert session.page == 1
    choose(session, "i1")
    assert session.page == 0


# -- honest progress ----------------------------------------------------------------------------
def _steps(session: Session) -> tuple[int, int] | None:
    from dialogs.progress import longest_ahead, step_of

    return step_of(engine().flow, longest_ahead(engine().flow), session)


def _all_intake_paths() -> Iterator[list[str]]:
    stagings = [answers for answers, _, _ in staging_paths()]
    for path in ROLE_PATH.values():
        for staging in stagings:
            yield [*path, *staging, "ok"]
            yield [*path, *staging, "wijzig", "f2"]
        yield [*path, "kies", "f4"]


def _counted(session: Session, path: list[str]) -> list[tuple[int, int]]:
    """The (step, total) of every intake question on `path` and the quick check after it."""
    steps = [_steps(session)]
    for option in path:
        choose(session, option)
        steps.append(_steps(session))
    while session.state == "check":
        choose(session, "wn")
        steps.append(_steps(session))
    assert session.state == "advies", path
    return [step for step in steps if step is not None]


def _honest(numbers: list[tuple[int, int]], where: object) -> None:
    assert [n for n, _ in numbers] == list(range(1, len(numbers) + 1)), where
    totals = [total for _, total in numbers]
    assert totals == sorted(totals, reverse=True), where  # can only shrink
    assert all(number <= total for number, total in numbers), where


def test_the_step_counter_only_goes_up_and_never_promises_too_little() -> None:
    for path in _all_intake_paths():
        numbers = _counted(drive(), path)
        _honest(numbers, path)
        assert numbers[-1][0] == numbers[-1][1], "the last question is the last step"


# Another employee after the first advice, a new look at one from /team, and a check-in whose
# user picks the phase: each is an intake of its own, counted from 1 without a jump.
LATER_INTAKES: list[tuple[list[str], list[str]]] = [
    (["ander"], ["ja", "ja", "ok", "ja"]),  # the organisation's answers reused: no quick check
    (["ander"], ["ja", "ja", "ok", "nee"]),  # asked again
    (["ander"], ["nee", "nee", "wn", "wijzig", "f1", "ja"]),
    (["ander"], ["kies", "f2", "ja"]),
    (["ander"], ["kies", "f2", "nee"]),
    (["team", "s1", "bekijk"], ["nee", "ja", "ok", "ja"]),
]


@pytest.mark.parametrize(("way_in", "path"), LATER_INTAKES, ids=repr)
def test_the_step_counter_of_a_later_intake(way_in: list[str], path: list[str]) -> None:
    session = at_state("advies")
    choose(session, *way_in)
    numbers = _counted(session, path)
    _honest(numbers, path)
    assert numbers[0][0] == 1, "a new intake counts from the start"
    if path[-1] == "ja" and "ok" in path:  # the reused answers end the intake at that question
        assert numbers[-1][0] == len(path)


def test_the_step_counter_after_a_check_in_that_picks_an_earlier_phase() -> None:
    session = at_state("ci_fase")
    assert _steps(session) is None, "the check-in is no intake"
    choose(session, "kies")
    assert session.state == "ci_kies" and _steps(session) is None
    numbers = _counted(session, ["f2", "nee"])  # a new look: the organisation asked again
    _honest(numbers, "check-in")
    assert numbers[0] == (1, 1 + engine().flow.quick_check.max_questions)


def test_the_step_counter_is_shown_on_every_intake_question() -> None:
    session = drive("anders", "zzp")
    assert progress_line(3, "s_toepassen") in engine().prompt(session).text


def test_not_knowing_a_check_is_a_possible_gap_to_check() -> None:
    session = drive("lijn", "geen", "ja", "ja", "ok")
    replies = choose(session, "wn", "ja", "ja", "ja")
    assert session.state == "advies" and len(session.unsure_gaps) == 1
    assert session.precondition_gaps == []
    precondition = engine().knowledge.precondition(session.unsure_gaps[0])
    advice = "\n".join(reply.text for reply in replies)
    assert "check dit" in advice and precondition.title in advice


def test_the_word_lists_are_compiled_on_the_first_typed_answer_not_at_start() -> None:
    """An engine and the employee's self-check that start load no lemmatiser dictionary (about
    half a second of CPU); the first typed sentence that needs it loads it, and is understood.
    A fresh process, since this one's engines have long loaded it."""
    script = """
import simplemma.lemmatizer as lemmatizer
from dialogs import Engine, Event, new_session
from dialogs.selfcheck import SelfCheckDialog
from locales import load_bundle
engine = Engine.load()
SelfCheckDialog(engine.flow, load_bundle(), engine.knowledge)
session = new_session(engine.language)
engine.handle(session, Event.start("mkb"))
engine.handle(session, Event.option("geen"))
before = lemmatizer._legacy_lemmatizer_for.cache_info().currsize
engine.handle(session, Event.text("nee hoor, eigenlijk helemaal niet"))
after = lemmatizer._legacy_lemmatizer_for.cache_info().currsize
print(before, after, session.history[-1].option)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["0", "1", "nee"]


def test_the_dialog_and_the_self_check_share_one_compiled_word_list() -> None:
    """Both read typed answers with the manager's words: compiling them twice would cost the
    dictionary's half second twice, on the first typed answer of each."""
    bundle = load_bundle()
    first = LazyLexicon(bundle.dialog, bundle.language).get()
    assert LazyLexicon(bundle.dialog, bundle.language).get() is first


def _pins(pages: list[list[str]]) -> set[str]:
    """The options on every page of a long list (`pin` in the flow, e.g. help under the advice)."""
    return set.intersection(*(set(page) for page in pages)) if len(pages) > 1 else set()


def _each_once(pages: list[list[str]]) -> list[str]:
    """The options page by page, those on every page left out."""
    return [option for page in pages for option in page if option not in _pins(pages)]


def _without_pins(options: list[str], pages: list[list[str]]) -> list[str]:
    return [option for option in options if option not in _pins(pages)]
