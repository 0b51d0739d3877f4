"""The plan names its sources and its help as the dialog chose them (issue 10).

The report's own name of each step is kept for traceability and printed under the plain title;
a span the report does not give says so; the help printed is the one the dialog chose, aimed at
the reader first: the owner of a small firm finds "MKB Idee!", the mkb network in the report's list.
"""

from __future__ import annotations

import io
import re

import pytest
from dialog_helpers import PHASES, advised, engine
from pypdf import PdfReader

from bot.artifacts import render
from dialogs.advice import aimed_at, referrals
from dialogs.session import Session
from locales import load_bundle

TEXTS = load_bundle().artifacts.action_plan


def plan_text(session: Session) -> str:
    data = render("action_plan", session, engine()).data
    return re.sub(r"\s+", " ", PdfReader(io.BytesIO(data)).pages[0].extract_text())


@pytest.mark.parametrize("role", ["lijn", "mkb", "zzp", "onderwijs"])
def test_every_step_shows_the_report_s_own_name_where_it_differs(role: str) -> None:
    for number in (2, 4):
        session = advised(role, number, "ja")
        text = plan_text(session)
        advice = engine().advice_plan(session)
        named = 0
        for item in advice.shown:
            assert item.title in text
            line = TEXTS.report_name.format(name=item.report_title)
            marked = TEXTS.report_name_reconstructed.format(name=item.report_title)
            if item.report_title_differs or item.title_reconstructed:
                assert (marked if item.title_reconstructed else line) in text, item.id
                named += 1
            else:
                assert line not in text and marked not in text, item.id
        assert named, "no step with a name of its own: the test proves nothing"


def test_a_reconstructed_name_is_marked_in_the_plan() -> None:
    item = engine().knowledge.intervention("directie-ruimte-leren-innoveren")
    session = advised("dir", 5, "ja")
    assert item in engine().advice_plan(session).shown
    text = plan_text(session)
    assert TEXTS.report_name_reconstructed.format(name=item.report_title) in text


@pytest.mark.parametrize(
    ("role", "number", "item_id"),
    [("onderwijs", 2, "onderwijs-zij-instroom"), ("zzp", 1, "taken-stilstaan-bij-leren")],
)
def test_an_inferred_span_says_so_in_the_plan(role: str, number: int, item_id: str) -> None:
    item = engine().knowledge.intervention(item_id)
    session = advised(role, number, "ja")
    assert item in engine().advice_plan(session).shown
    assert item.span_note is not None
    assert " ".join(item.span_note.split()) in plan_text(session)


@pytest.mark.parametrize("number", range(1, len(PHASES) + 1))
def test_an_owner_s_plan_names_the_mkb_network(number: int) -> None:
    session = advised("mkb", number, "ja")
    advice = engine().advice_plan(session)
    assert "mkb-idee" in [item.id for item in advice.plan_referrals]
    assert "MKB Idee!" in plan_text(session)


def test_help_aimed_at_the_reader_comes_first() -> None:
    kb, flow = engine().knowledge, engine().flow
    owner, zzp, teacher = flow.roles["mkb"], flow.roles["zzp"], flow.roles["onderwijs"]
    mkb_idee = next(item for item in kb.referrals if item.id == "mkb-idee")
    katapult = next(item for item in kb.referrals if item.id == "katapult")
    assert aimed_at(mkb_idee.scope, owner) and not aimed_at(mkb_idee.scope, zzp)
    # Schools and firms together: for owners too, but its layers name education as well.
    assert not aimed_at(katapult.scope, owner)
    for phase in PHASES:
        for role in (owner, zzp, teacher):
            found = kb.referrals_for(phase, role.layers, role.audiences)
            chosen = referrals(kb, role, phase, 2)
            aimed = [item for item in found if aimed_at(item.scope, role)]
            first = chosen[: len(aimed)]
            assert all(aimed_at(item.scope, role) for item in first), (phase, role.reader)


@pytest.mark.parametrize("role", ["mkb", "lijn", "onderwijs"])
def test_each_step_marks_the_report_s_part_apart_from_the_coach_s_tip(role: str) -> None:
    """Issue 20: under each step's title what comes from the report (its phases, its evidence
    mark), and the first step as the coach's tip; the footer says the same."""
    session = advised(role, 3, "ja")
    text = plan_text(session)
    advice = engine().advice_plan(session)
    for item in advice.shown:
        first_step = " ".join(item.first_step_for_reader(advice.reader).split())
        assert f"{TEXTS.first_step} {first_step}" in text, item.id
        everywhere = item.phases.width == len(PHASES)
        phases = TEXTS.phases_all if everywhere else TEXTS.phases.format(phases=item.phases)
        start = text.index(item.title)
        part = text[start : text.index(TEXTS.first_step, start)]
        assert TEXTS.report_part in part and phases in part, item.id
        assert (TEXTS.evidence in part) == item.evidence, item.id
    assert "niet uit het rapport" in TEXTS.footer
    assert " ".join(TEXTS.footer.split()) in text
