"""A step back restores a small snapshot; the history stays small however long a chat runs.

Issue 18 (part 8) and 22: /terug once replayed the whole history while holding a lock that all
chats share, and after 3,000 rounds of opening and closing one detail the record held 200 KB. Now
an answer keeps only what it changed, opening and closing a view adds nothing to undo, and each
step works on its own copy: two chats can step at the same time.
"""

from __future__ import annotations

import threading
from itertools import cycle

from dialog_helpers import TO_ADVICE, comparable, drive, engine, stable

from bot.persistence.records import ChatRecord
from bot.persistence.store import record_bytes
from dialogs import Command, Event, Session
from dialogs.session import MAX_HISTORY

RECORD_LIMIT = 20_000  # bytes of a stored chat after 10,000 answers
ANSWERS = 10_000
# Rounds at the advice: details opened and closed, the plan, a check-in period, "Meer".
# The reminder before the plan: a plan asks about a reminder first while none is set (issue 19).
ROUND = ["i1", "terug", "w1", "terug", "herinner", "w2", "plan", "terug", "volgende", "terug"]


def _answer(session: Session, option_id: str) -> None:
    before = session.turn
    engine().handle(session, Event.option(stable(session, option_id)))
    assert session.turn == before + 1, (option_id, session.state)


def test_ten_thousand_answers_keep_the_record_small_and_back_exact() -> None:
    session = drive(*TO_ADVICE[:-1], "nee")  # an answer "nee" at the last check: a warning
    assert session.state == "advies" and session.precondition_gaps
    given = 0
    for option_id in cycle(ROUND):
        if given >= ANSWERS:
            break
        _answer(session, option_id)
        given += 1
        if given % 997 == 0 and "meer" in {o.id for o in engine().current_options(session)}:
            _answer(session, "meer")  # more advice now and then: a real answer, kept
            _answer(session, "terug")
            given += 2
    assert session.state == "advies"
    size = len(record_bytes(ChatRecord(session=session)))
    assert size < RECORD_LIMIT, size
    assert len(session.history) <= MAX_HISTORY

    # Back is exact: the step before an answer comes back as it was.
    at_advice = comparable(session)
    _answer(session, "herinner")
    engine().handle(session, Event.command(Command.BACK))
    assert comparable(session) == at_advice


def test_a_detail_opened_and_closed_leaves_nothing_to_undo() -> None:
    session = drive(*TO_ADVICE)
    history = list(session.history)
    for _ in range(50):
        _answer(session, "i2")
        _answer(session, "terug")
    assert session.history == history
    engine().handle(session, Event.command(Command.BACK))  # undoes the last check's answer
    assert comparable(session) == comparable(drive(*TO_ADVICE[:-1]))


# Two chats with different roles and paths, each with details, backs and typed answers.
SCRIPTS: list[list[Event]] = [
    [
        Event.start(),
        *(Event.option(o) for o in TO_ADVICE),
        Event.option("plan"),
        Event.command(Command.BACK),
        Event.text("meer"),
        Event.command(Command.BACK),
        Event.command(Command.BACK),
        Event.option("ja"),
    ],
    [
        Event.start(),
        *(Event.option(o) for o in ["mkb", "geen", "kies", "f.toepassen", "nee", "wn", "ja", "ja"]),
        Event.option("volgende"),
        Event.option("terug"),
        Event.command(Command.BACK),
        Event.text("nee"),
        Event.option("ander"),
        Event.command(Command.BACK),
    ],
]


def _play(script: list[Event], rounds: int, start: threading.Barrier | None) -> list[str]:
    """Every reply and the final session of `rounds` plays of `script`, as comparable text."""
    if start is not None:
        start.wait()
    seen: list[str] = []
    for _ in range(rounds):
        session = Session()
        for event in script:
            for reply in engine().handle(session, event):
                seen.append(reply.text + "|" + ",".join(option.id for option in reply.options))
        seen.append(repr(comparable(session)))
    return seen


def test_two_chats_stepping_at_once_get_what_each_gets_alone() -> None:
    rounds = 20
    alone = [_play(script, rounds, None) for script in SCRIPTS]
    start = threading.Barrier(len(SCRIPTS))
    results: list[list[str]] = [[] for _ in SCRIPTS]

    def run(index: int) -> None:
        results[index] = _play(SCRIPTS[index], rounds, start)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(SCRIPTS))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == alone


def test_switching_between_employees_keeps_the_record_small() -> None:
    """Each employee opened loads its own advice into the session: a real change, kept for
    /terug, but never more than the history holds."""
    session = drive("mkb", "geen", "kies", "f1", "nee", "nee", "nee", "nee")
    while "meer" in {o.id for o in engine().current_options(session)}:
        _answer(session, "meer")  # the longest advice: the largest snapshots
    for option_id in ("terug", "ander", "kies", "f2"):
        _answer(session, option_id)
    while session.state in ("org", "check"):
        _answer(session, "nee")
    _answer(session, "team")
    for _ in range(ANSWERS // 4):
        for option_id in ("s.A", "terug", "s.B", "terug"):
            _answer(session, option_id)
    assert len(session.history) == MAX_HISTORY
    size = len(record_bytes(ChatRecord(session=session)))
    assert size < RECORD_LIMIT, size
    engine().handle(session, Event.command(Command.BACK))
    assert session.state == "medewerker" and session.current == "B"
