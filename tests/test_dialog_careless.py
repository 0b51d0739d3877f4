"""Careless moments a reader notices (issue 19, part 3): a promise the bot cannot keep, help that
repeats itself or names a button that is not there, and the like."""

from __future__ import annotations

import re

import pytest
from dialog_helpers import (
    ROLE_PATH,
    ROLES,
    STATE_PATHS,
    TO_ADVICE,
    at_state,
    comparable,
    drive,
    engine,
    stable,
)

from dialogs import Command, Event, Session
from dialogs.engine import NAV_MORE


def test_the_welcome_promises_no_time_a_tapping_reader_cannot_keep() -> None:
    """Tapping people needed 2-3 minutes (7-9 taps plus reading) where "een minuut" was said."""
    welcome = engine().texts.welcome
    assert "minuut" not in welcome
    assert "een paar minuten" in welcome


def _labels(session: Session) -> set[str]:
    """Every label the reader can reach at this step: all pages, the paging and back buttons."""
    labels = {option.label for option in engine().current_options(session)}
    labels |= {option.label for option in engine().shown_options(session)}
    probe = session.model_copy(deep=True)
    for _ in range(4):
        shown = engine().shown_options(probe)
        labels |= {option.label for option in shown}
        if NAV_MORE not in {option.id for option in shown}:
            break
        engine().handle(probe, Event.option(NAV_MORE))
    return labels


def _sessions() -> list[tuple[str, Session]]:
    found = [(state, at_state(state)) for state in STATE_PATHS]
    for role in ROLES:
        found.append((f"{role}/advies", drive(*ROLE_PATH[role], "kies", "f3", *["ja"] * 3)))
    return found


@pytest.mark.parametrize(
    ("where", "session"), _sessions(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_help_repeats_no_line_and_names_only_buttons_that_exist(
    where: str, session: Session
) -> None:
    """/help at the advice said its first line twice and named a "Meer" button nobody sees."""
    labels = _labels(session)
    replies = engine().handle(session.model_copy(deep=True), Event.command(Command.HELP))
    text = replies[-1].text
    lines = [line for line in text.splitlines() if line.strip()]
    repeated = {line for line in lines if lines.count(line) > 1}
    assert not repeated, (where, repeated)
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", text) if s.strip()]
    assert len(sentences) == len(set(sentences)), where
    named = set(re.findall(r'"([^"]+)"', text))
    assert named <= labels, (where, named - labels)
    assert "Met Meer " not in text, where


@pytest.mark.parametrize("opened", [["i2", "terug"], ["i2", "terug", "i3", "terug"]])
def test_back_after_closing_a_detail_does_not_reopen_it(opened: list[str]) -> None:
    """/terug after "Terug naar het overzicht" reopened the detail just closed: it undoes the
    answer that led to the advice, as it does before any detail was opened."""
    before = drive(*TO_ADVICE)
    expected = before.model_copy(deep=True)
    engine().handle(expected, Event.command(Command.BACK))
    session = drive(*TO_ADVICE, *opened)
    assert session.state == "advies"
    engine().handle(session, Event.command(Command.BACK))
    assert session.state == expected.state != "uitleg"
    assert comparable(session) == comparable(expected)


def test_the_advice_and_its_views_replace_each_other_when_tapped() -> None:
    """The advice came back as a new message after each "Terug naar het overzicht" and after a
    reminder: a tapped move between the advice and its views edits the message in place."""
    session = drive(*TO_ADVICE)
    for option in ["i2", "terug", "meer", "terug", "herinner", "w4"]:
        replies = engine().handle(session, Event.option(stable(session, option)))
        assert replies[-1].replaces, option
        assert all(reply.attachment is None and not reply.options for reply in replies[:-1])
    assert session.state == "advies"
    typed = engine().handle(session, Event.text("Meer ideeën"))
    assert session.state == "meer" and not typed[-1].replaces  # typed: a new message below
