"""No reader ever reads words meant for another one: every state a role can reach, in every phase.

The advice test (test_dialog_advice.py) reads the advice's messages; this one walks the whole graph
from the role question on, in-process through the engine: every prompt, every reply, every button
label and every /help and /team answer, for every role and every phase the dialog reaches. A
zzp'er, a colleague and a teacher manage no staff, so words for employers ("je medewerker",
"Andere medewerker") must never reach them.
"""

from __future__ import annotations

import io
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import replace

import pytest
from dialog_helpers import ROLE_PATH, ROLES, advised, choose, drive, engine, reserved_in
from pypdf import PdfReader

from bot.artifacts import render
from dialogs import Command, Engine, Event, Reply, Session
from dialogs.checks import unread_text_variants
from dialogs.engine import NAV_BACK, NAV_MORE

# Readers without staff: the roles whose reader has no employees of their own.
WITHOUT_STAFF = {"collega", "onderwijs", "zzp"}


def _texts(replies: list[Reply]) -> Iterator[str]:
    for reply in replies:
        yield reply.text
        yield from (option.label for option in reply.options)


def _key(session: Session) -> tuple[str, str | None, int, int]:
    return (session.state, session.phase, session.check_index, session.checkin_step)


def reachable_texts(role: str) -> Iterator[tuple[str, str]]:
    """(where, text) of everything `role` can read, visiting each state once per phase.

    Every option of every state is tried (restart excepted: it leaves the role), the check-in is
    entered wherever the current employee has one to give, and /help and /team are asked
    everywhere.
    """
    start = drive(*ROLE_PATH[role])
    queue: deque[Session] = deque([start])
    seen = {_key(start)}
    while queue:
        session = queue.popleft()
        where = f"{session.state}/{session.phase}"
        yield from ((where, text) for text in _texts([engine().prompt(session)]))
        for command in (Command.HELP, Command.TEAM):
            probe = session.model_copy(deep=True)
            replies = engine().handle(probe, Event.command(command))
            yield from ((f"{where} /{command}", text) for text in _texts(replies))
            if _key(probe) not in seen:
                seen.add(_key(probe))
                queue.append(probe)
        moves: list[tuple[str, Session, list[Reply]]] = []
        for option in engine().current_options(session):
            if option.id in (NAV_BACK, NAV_MORE) or option.id == "opnieuw":
                continue
            probe = session.model_copy(deep=True)
            moves.append((option.id, probe, engine().handle(probe, Event.option(option.id))))
        slot = session.current_slot()
        if session.state == "advies" and slot is not None and slot.phase is not None:
            probe = session.model_copy(deep=True)
            moves.append(("check-in", probe, engine().check_in(probe, slot.letter)))
        for label, probe, replies in moves:
            yield from ((f"{where} → {label}", text) for text in _texts(replies))
            if _key(probe) not in seen:
                seen.add(_key(probe))
                queue.append(probe)


@pytest.mark.slow
@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_reachable_text_is_for_this_reader(role: str) -> None:
    reader = engine().flow.roles[role].reader
    found = {
        (where, phrase)
        for where, text in reachable_texts(role)
        for phrase in reserved_in(text, reader)
    }
    assert sorted(found) == [], role


@pytest.mark.parametrize("role", sorted(WITHOUT_STAFF))
def test_a_reader_without_staff_gets_no_team(role: str) -> None:
    session = drive(*ROLE_PATH[role], "kies", "f3")
    while session.state == "check":
        engine().handle(session, Event.option("ja"))
    assert session.state == "advies"
    offered = {option.id for option in engine().current_options(session)}
    assert offered.isdisjoint({"team", "ander", "herinner"}), offered
    assert session.slots == [] and session.current is None
    before = session.model_dump_json()
    replies = engine().handle(session, Event.command(Command.TEAM))
    assert session.model_dump_json() == before
    assert replies[-1].text.startswith(engine().texts.team.no_staff)
    assert replies[-1].options == engine().shown_options(session)
    engine().handle(session, Event.option("klaar"))
    assert {option.id for option in engine().current_options(session)} == {"opnieuw"}


def test_a_text_variant_for_a_reader_no_role_has_is_refused_at_load() -> None:
    texts = engine().texts
    state = texts.states["s_belang"]
    typo = state.model_copy(update={"prompt_for": {**state.prompt_for, "zzpp": "Denk je na?"}})
    broken = texts.model_copy(update={"states": {**texts.states, "s_belang": typo}})
    assert unread_text_variants(engine().flow, texts) == []
    assert unread_text_variants(engine().flow, broken) == [
        "states.s_belang.prompt_for.zzpp: no role has the reader 'zzpp'"
    ]


def test_the_staging_questions_ask_a_zzp_er_about_their_own_work() -> None:
    texts = engine().texts.states
    session = drive(*ROLE_PATH["zzp"])
    assert engine().prompt(session).text.endswith(texts["s_toepassen"].prompt_for["zzp"])
    replies = engine().handle(session, Event.command(Command.HELP))
    assert replies[-1].text.startswith(texts["s_toepassen"].help_for["zzp"])


def test_a_check_in_names_the_first_step_in_the_reader_s_words() -> None:
    """The check-in repeats a first step as the advice gave it: HR reads HR's variant."""
    session = drive(*ROLE_PATH["hr"], "kies", "f3")
    while session.state == "check":
        engine().handle(session, Event.option("ja"))
    slot = session.current_slot()
    assert slot is not None and slot.steps
    kb = engine().knowledge
    item = kb.intervention(slot.steps[0].item)
    variant = "Doe deze week één ding dat alleen HR zo zou zeggen."
    changed = item.model_copy(update={"first_step_for": {**item.first_step_for, "hr": variant}})
    knowledge = replace(
        kb, interventions=tuple(changed if i.id == item.id else i for i in kb.interventions)
    )
    hr_engine = Engine(engine().flow, engine().bundle, knowledge)
    hr_engine.handle(session, Event.option("herinner"))
    hr_engine.handle(session, Event.option("w2"))
    assert variant in hr_engine.check_in(session, slot.letter)[-1].text


def test_what_the_telegram_front_end_shows_everyone_fits_every_reader() -> None:
    """The command menu and /privacy's list of what is stored reach every reader: no words that
    only fit an employer (the per-employee lines appear only for readers with staff)."""
    words = engine().bundle.telegram
    commands = words.commands
    shown_to_all = [getattr(commands, name).description for name in type(commands).model_fields]
    stored = words.stored
    shown_to_all += [stored.heading, stored.nothing, stored.role, stored.phase, stored.answers]
    shown_to_all += [stored.saved_at, words.privacy]
    for role in ROLES:
        reader = engine().flow.roles[role].reader
        for text in shown_to_all:
            assert reserved_in(text, reader) == [], (role, text)


# -- issue 19, part 2: every word true for the reader ---------------------------------------------
def _detail_items(session: Session) -> list[tuple[str, Session, str]]:
    """(where, session at the detail, its text) for every advised and every next-phase item."""
    found: list[tuple[str, Session, str]] = []
    for source in ("i", "n"):
        probe = session.model_copy(deep=True)
        if source == "n":
            engine().handle(probe, Event.option("volgende"))
        for option in engine().current_options(probe):
            if option.id[0] == source and option.id[1:].isdecimal():
                opened = probe.model_copy(deep=True)
                replies = engine().handle(opened, Event.option(option.id))
                found.append((option.id, opened, replies[-1].text))
    return found


@pytest.mark.parametrize("role", sorted(ROLES))
def test_a_detail_says_via_you_where_the_reader_is_that_layer(role: str) -> None:
    """An owner read "Het meest relevant in fase 1, via HR": he is HR. In a layer of the
    reader's own the detail says so ("via HR, dus via jou"); in any other it does not."""
    texts = engine().texts.advice
    layers = set(engine().flow.roles[role].layers)
    for number in range(1, 6):
        session = advised(role, number)
        for where, opened, text in _detail_items(session):
            kind, index = where[0], int(where[1:])
            plan = engine().advice_plan(opened)
            item = (plan.next_phase if kind == "n" else plan.shown)[index - 1]
            own = texts.via_own.format(via=texts.via[item.layer])
            if item.layer in layers:
                assert own in text, (role, number, where, item.id)
            else:
                assert texts.via[item.layer] in text and own not in text, (role, number, where)


def _with_employees(role: str, phases: list[int]) -> Session:
    """`role` at the advice after one employee per phase in `phases` (every quick-check a gap)."""
    session = advised(role, phases[0])
    for number in phases[1:]:
        choose(session, "ander", "kies", f"f{number}")
        if session.state == "org":
            choose(session, "ja")
        while session.state == "check":
            choose(session, "nee")
    assert session.state == "advies"
    return session


@pytest.mark.parametrize("role", sorted(set(ROLES) - WITHOUT_STAFF))
@pytest.mark.parametrize("phases", [[1, 1, 2], [3, 3, 3], [2, 4, 4], [5, 1, 5]])
def test_team_names_only_what_each_employee_s_advice_held(role: str, phases: list[int]) -> None:
    """/team told an owner "Leidinggevenden trainen … (voor 3 van de 3)", advised to none of the
    three and not for an owner to do: what helps most comes from each employee's own advice."""
    session = _with_employees(role, phases)
    replies = engine().handle(session, Event.command(Command.TEAM))
    text = "\n".join(reply.text for reply in replies)
    template = engine().texts.team.helps_item
    pattern = re.escape(template).replace(r"\{title\}", "(.+)").replace(r"\{count\}", r"(\d+)")
    pattern = pattern.replace(r"\{total\}", r"\d+")
    listed = [slot for slot in session.slots if slot.assessments]
    for title, count in re.findall(pattern, text):
        advised_for = max(
            sum(item.id in slot.advised for slot in listed)
            for item in engine().knowledge.interventions
            if item.title == title
        )
        assert advised_for >= int(count) > 1, (role, phases, title, count)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_the_picture_s_caption_counts_the_reader_s_layers(role: str) -> None:
    """The caption said "jouw lagen" to a team lead, who acts in one layer."""
    session = drive(*ROLE_PATH[role], "kies")
    replies = choose(session, "f2")
    caption = next(reply.text for reply in replies if reply.attachment == "model_picture")
    if len(engine().flow.roles[role].layers) == 1:
        assert "lagen" not in caption, role


@pytest.mark.parametrize("role", ["hr", "hrzl"])
def test_hr_is_not_told_to_cut_work_itself(role: str) -> None:
    """HR was told "Maak dan eerst ruimte door werk te schrappen", a manager's act: every warning
    HR reads (chat and check-in) says it in HR's words."""
    kb = engine().knowledge
    reader = engine().flow.roles[role].reader
    for item in kb.preconditions:
        assert "werk te schrappen" not in item.when_gap_for_reader(reader), item.id
    session = advised(role, 3)
    for option in engine().current_options(session):
        if option.id.startswith("w"):
            opened = session.model_copy(deep=True)
            engine().handle(opened, Event.option(option.id))
            assert "werk te schrappen" not in engine().prompt(opened).text, option.id


@pytest.mark.parametrize("role", sorted(ROLES))
def test_the_quick_check_and_the_phase_texts_are_in_the_reader_s_words(role: str) -> None:
    """A zzp'er read "Laat de werkdruk de medewerker genoeg tijd om te leren?" and "De medewerker
    is bewust…": every check question, every phase as chosen and as the next phase."""
    reader = engine().flow.roles[role].reader
    kb = engine().knowledge
    at_check = drive(*ROLE_PATH[role], "kies", "f3")
    assert at_check.state == "check"
    for precondition in kb.preconditions:
        for check in precondition.checks:
            probe = at_check.model_copy(update={"checks": [check.id], "check_index": 0})
            text = engine().prompt(probe).text
            assert check.question_for_reader(reader) in " ".join(text.split()), check.id
            assert reserved_in(text, reader) == [], (role, check.id)
    for phase in kb.phases:
        session = drive(*ROLE_PATH[role], "kies")
        replies = choose(session, f"f{phase.number}")
        picked = replies[0].text
        assert phase.description_for_reader(reader) in picked, (role, phase.key)
        assert reserved_in(picked, reader) == [], (role, phase.key)
        while session.state == "check":
            choose(session, "ja")
        if phase.number < len(kb.phases):
            following = kb.phases[phase.number]
            text = choose(session, "volgende")[-1].text
            assert following.description_for_reader(reader) in text, (role, phase.key)
            assert reserved_in(text, reader) == [], (role, phase.key)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_the_plan_is_in_the_reader_s_words(role: str) -> None:
    """The PDF said "De medewerker is bewust…" under "Jouw fase" to a zzp'er."""
    reader = engine().flow.roles[role].reader
    for number in range(1, 6):
        session = advised(role, number)
        data = render("action_plan", session, engine()).data
        text = " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
        phase = engine().knowledge.phase(session.phase or "")
        assert " ".join(phase.description_for_reader(reader).split()) in text, (role, number)
        assert reserved_in(text, reader) == [], (role, number)
