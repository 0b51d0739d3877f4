"""Typed answers understood like taps, and a conversation that never leaves anyone stuck.

In-process through the conversation service (the same step Telegram and the console use): typed
numbers, labels, synonyms and small typos reach the same advice as tapping; unclear text is asked
back or refused in a line; every keyboard fits a phone; progress only goes forward.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dialog_helpers import ROLE_PATH, ROLES, STATE_PATHS, at_state, choose, drive, engine

from bot.conversation import FORGET_CANCEL, Conversation, Request, Status, Turn
from bot.persistence.memory import MemoryStore
from dialogs import Command, Event, Session
from dialogs.engine import MAX_OPTIONS, NAV_BACK, NAV_MORE
from dialogs.matching import fold, match
from dialogs.render import BUTTON_LABEL_LIMIT

# How each role is typed (a typo, a synonym, other case), after the tap path's ids.
TYPED_ROLE: dict[str, list[str]] = {
    "lijn": ["leidinggevnde"],
    "hr": ["P&O"],
    "dir": ["directuer"],
    "mkb": ["Eigenar!"],
    "hrzl": ["iets andrs", "hr zonder leidinggevnden"],
    "collega": ["5", "colega"],
    "onderwijs": ["Iets anders.", "docnt"],
    "zzp": ["anders", "zelfstandge"],
}
# The rest of the tap path in play_to_advice (applies, keeps learning, right, all checks yes),
# typed in several ways.
TYPED_REST = ["Ja!", "jawel", "Kloppt", "1", "ja hor", "JA.", "yes"]


def service() -> Conversation:
    return Conversation(engine(), MemoryStore(), retention_days=30)


def ids(turn: Turn) -> list[str]:
    return [option.id for option in turn.replies[-1].options] if turn.replies else []


async def _typed(role: str) -> Session:
    conversation = service()
    turn = await conversation.handle("1", 1, Event.start())
    for number, text in enumerate([*TYPED_ROLE[role], *TYPED_REST], start=2):
        if turn.session is not None and turn.session.state == "advies":
            break
        before = turn.session.turn if turn.session is not None else 0
        turn = await conversation.handle("1", number, Event.text(text))
        assert turn.session is not None and turn.session.turn == before + 1, text
    assert turn.session is not None
    return turn.session


@pytest.mark.parametrize("role", sorted(ROLES))
async def test_a_typed_conversation_reaches_the_same_advice_as_tapping(role: str) -> None:
    typed = await _typed(role)
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
    ("s_toepassen", "misschien", None),
    ("s_toepassen", "ja en nee", None),
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
    ("advies", "opnieuw beginnen", "opnieuw"),
    ("advies", "Meer interventies", "meer"),
    ("advies", "meer interventie", "meer"),
    ("advies", "leg er een uit", "uitleg"),
]


def _at(state: str) -> Session:
    return at_state(state) if state != "fase_kiezen" else drive(*STATE_PATHS[state])


@pytest.mark.parametrize(("state", "text", "meant"), TABLE, ids=repr)
def test_what_a_typed_answer_means(state: str, text: str, meant: str | None) -> None:
    session = _at(state)
    before = session.model_dump_json()
    found = engine().match_option(session, text)
    replies = engine().handle(session, Event.text(text))
    if meant is None:
        assert session.model_dump_json() == before
        lines = replies[-1].text.split("\n\n", 1)
        assert len(replies) == 1 and len(lines) == 2, "one line, then the question"
        assert lines[0] == engine().texts.free_text
        assert replies[-1].options == engine().shown_options(session)
        return
    if meant == "?":  # close to two: asked back, with those two as buttons
        assert session.model_dump_json() == before
        reply = replies[-1]
        assert len(replies) == 1 and len(reply.options) == 2
        first, second = (option.label for option in reply.options)
        assert reply.text == engine().texts.ask_which.format(first=first, second=second)
        valid = {option.id for option in engine().current_options(session)}
        assert {option.id for option in reply.options} <= valid, "both buttons work"
        return
    if found is None:  # back and more are moves, not options
        assert meant in (NAV_BACK, NAV_MORE)
        assert session.model_dump_json() != before
        return
    assert found.id == meant
    # Accepted like a tap: the step moved on, or an information option showed its note.
    assert session.model_dump_json() != before or len(replies) > 1


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
    assert line == engine().texts.free_text
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
                choose(session, "nee")
            yield f"{role}:advies:f{phase}", session
            while "meer" in {o.id for o in engine().current_options(session)}:
                choose(session, "meer")
            yield f"{role}:advies-all:f{phase}", session
            listing = session.model_copy(deep=True)
            choose(listing, "uitleg")
            yield f"{role}:uitleg:f{phase}", listing
    yield "rol", drive()
    yield "rol_anders", drive("anders")
    yield "klaar", at_state("klaar")


def test_no_keyboard_has_more_than_five_options_or_a_long_label() -> None:
    seen = 0
    for where, session in _every_question():
        pages = 0
        first = engine().shown_options(session)
        while True:
            shown = engine().shown_options(session)
            answers = [option for option in shown if option.id != NAV_BACK]
            assert 0 < len(answers) <= MAX_OPTIONS, where
            for option in shown:
                assert len(option.label) <= BUTTON_LABEL_LIMIT, (where, option.label)
            assert (NAV_BACK in {o.id for o in shown}) == bool(session.history), where
            seen += 1
            if NAV_MORE not in {o.id for o in shown}:
                break
            engine().handle(session, Event.option(NAV_MORE))
            pages += 1
            if engine().shown_options(session) == first:
                break
            assert pages < 10, where
    assert seen > 100


def test_paging_shows_every_advised_intervention_once() -> None:
    session = drive("mkb", "kies", "f3", "nee", "nee", "nee")
    while "meer" in {o.id for o in engine().current_options(session)}:
        choose(session, "meer")
    choose(session, "uitleg")
    everything = [o.id for o in engine().current_options(session)]
    assert len(everything) > MAX_OPTIONS
    seen: list[str] = []
    for _ in range(len(everything)):
        shown = [o.id for o in engine().shown_options(session) if o.id not in (NAV_BACK, NAV_MORE)]
        if seen and shown[0] == seen[0]:
            break
        seen.extend(shown)
        engine().handle(session, Event.option(NAV_MORE))
    assert seen == everything
    number = len(everything)
    engine().handle(session, Event.text(str(number)))  # a number names its label, on any page
    assert session.state == "advies"


def test_the_back_button_does_what_terug_does() -> None:
    tapped, commanded = drive("lijn", "nee"), drive("lijn", "nee")
    replies = engine().handle(tapped, Event.option(NAV_BACK))
    engine().handle(commanded, Event.command(Command.BACK))
    assert tapped.history == commanded.history and tapped.state == commanded.state
    assert replies[-1].replaces


# -- honest progress ----------------------------------------------------------------------------
def _steps(session: Session) -> tuple[int, int] | None:
    from dialogs.progress import longest_ahead, step_of

    return step_of(engine().flow, longest_ahead(engine().flow), session)


def _all_intake_paths() -> Iterator[list[str]]:
    stagings = [
        ["ja", "ja"],
        ["ja", "nee"],
        ["nee", "ja"],
        ["wn", "nee", "ja"],
        ["nee", "nee", "wn"],
    ]
    for path in ROLE_PATH.values():
        for staging in stagings:
            yield [*path, *staging, "ok"]
            yield [*path, *staging, "wijzig", "f2"]
        yield [*path, "kies", "f4"]


def test_the_step_counter_only_goes_up_and_never_promises_too_little() -> None:
    for path in _all_intake_paths():
        session = drive()
        steps = [_steps(session)]
        for option in path:
            choose(session, option)
            steps.append(_steps(session))
        while session.state == "check":
            choose(session, "wn")
            steps.append(_steps(session))
        numbers = [step for step in steps if step is not None]
        assert [n for n, _ in numbers] == list(range(1, len(numbers) + 1)), path
        totals = [total for _, total in numbers]
        assert totals == sorted(totals, reverse=True), path  # can only shrink
        assert numbers[-1][0] == numbers[-1][1], "the last question is the last step"
        assert session.state == "advies"


def test_the_step_counter_is_shown_on_every_intake_question() -> None:
    session = drive("anders", "zzp")
    assert "Stap 3 van 10" in engine().prompt(session).text


def test_not_knowing_a_check_is_a_possible_gap_to_check() -> None:
    session = drive("lijn", "ja", "ja", "ok")
    replies = choose(session, "wn", "ja", "ja")
    assert session.state == "advies" and len(session.unsure_gaps) == 1
    assert session.precondition_gaps == []
    precondition = engine().knowledge.precondition(session.unsure_gaps[0])
    advice = "\n".join(reply.text for reply in replies)
    assert "check dit" in advice and precondition.title in advice
