"""The action plan keeps its promise: one A4 page for every role, phase and number of "Meer"."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from dialog_helpers import PHASES, ROLES, advised, engine, reserved_in
from pypdf import PdfReader

from bot.artifacts import render
from dialogs import Event
from dialogs.civil import AMSTERDAM

A4 = (595, 842)  # points, rounded


@pytest.mark.slow
@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_plan_is_one_a4_page(role: str) -> None:
    for number, _ in enumerate(PHASES, start=1):
        session = advised(role, number)
        for taps in range(4):
            artifact = render("action_plan", session, engine())
            pages = PdfReader(io.BytesIO(artifact.data)).pages
            assert len(pages) == 1, (role, number, taps)
            box = pages[0].mediabox
            assert (round(float(box.width)), round(float(box.height))) == A4
            text = pages[0].extract_text()
            plan = engine().advice_plan(session)
            # No words for another reader: a zzp'er's plan has no "Naam medewerker".
            assert reserved_in(" ".join(text.split()), plan.reader) == [], (role, number, taps)
            # The plan starts with what the chat said first, in the reader's words.
            begin = plan.begin.first_step_for_reader(plan.reader)
            assert " ".join(begin.split()[:4]) in " ".join(text.split())
            if "meer" in {o.id for o in engine().current_options(session)}:
                engine().handle(session, Event.option("meer"))
                engine().handle(session, Event.option("terug"))


def test_a_plan_that_does_not_fit_says_how_many_are_left_in_the_bot() -> None:
    session = advised("mkb", 3)
    while "meer" in {o.id for o in engine().current_options(session)}:
        engine().handle(session, Event.option("meer"))
        engine().handle(session, Event.option("terug"))
    artifact = render("action_plan", session, engine())
    reader = PdfReader(io.BytesIO(artifact.data))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "in de bot" in text


def test_two_plans_of_one_conversation_have_different_names() -> None:
    session = advised("lijn", 2)
    engine().handle(session, Event.option("plan"))
    first = render("action_plan", session, engine()).filename
    assert session.state == "herinnering"  # the plan asks about a reminder first, once
    engine().handle(session, Event.option("geen"))
    engine().handle(session, Event.option("plan"))
    assert session.state == "plan"
    second = render("action_plan", session, engine()).filename
    assert first != second
    # The plan is for the chat's first employee: the letter is in the name, then date and time.
    assert session.current == "A"
    assert first.startswith(f"actieplan-medewerker-A-{datetime.now(AMSTERDAM):%Y-%m-%d}")
    assert first.endswith(".pdf")


def test_plans_for_two_employees_carry_their_letters() -> None:
    session = advised("lijn", 2)
    first = render("action_plan", session, engine()).filename
    engine().handle(session, Event.option("ander"))
    for answer in ("ja", "ja", "ok", "ja", "ja", "ja", "ja"):
        if answer in {option.id for option in engine().current_options(session)}:
            engine().handle(session, Event.option(answer))
    assert session.current == "B" and session.state == "advies"
    second = render("action_plan", session, engine()).filename
    assert "medewerker-A-" in first and "medewerker-B-" in second


def test_the_plan_says_with_whom_and_when_to_look_back() -> None:
    words = engine().bundle.artifacts.action_plan
    for role in ROLES:
        session = advised(role, 2)
        data = render("action_plan", session, engine()).data
        text = " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
        who = words.check_in_with[engine().flow.roles[role].reader]
        assert who in text, role
