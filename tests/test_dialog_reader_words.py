"""No reader ever reads words meant for another one: every state a role can reach, in every phase.

The advice test (test_dialog_advice.py) reads the advice's messages; this one walks the whole graph
from the role question on, in-process through the engine: every prompt, every reply, every button
label and every /help and /team answer, for every role and every phase the dialog reaches. A
zzp'er, a colleague and a teacher manage no staff, so words for employers ("je medewerker",
"Andere medewerker") must never reach them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import replace

import pytest
from dialog_helpers import ROLE_PATH, ROLES, drive, engine, reserved_in

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
