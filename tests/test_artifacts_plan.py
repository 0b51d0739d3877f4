"""The action plan PDF: what it holds (by text extraction), and nothing the session lacks.

Sessions are made by hand at the advice (role, layers, phase, gaps) and the real engine decides
what was advised (`Engine.advice_plan`), as the chat would have shown it.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from dialog_helpers import engine
from pypdf import PdfReader

from bot.artifacts import Artifact, render
from bot.artifacts.action_plan import build_action_plan
from dialogs.advice import AdvicePlan
from dialogs.session import Session
from knowledge import KnowledgeBase
from locales import load_bundle

TODAY = date(2026, 11, 28)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return engine().knowledge


def session_for(role: str, phase: str, gaps: int = 2) -> Session:
    """A session of `role` (in the role's own layers) that was just given the first advice."""
    kb = engine().knowledge
    session = Session(
        role=role,
        layers=list(engine().flow.roles[role].layers),
        phase=phase,
        precondition_gaps=[item.id for item in kb.preconditions[:gaps]],
    )
    session.advised = [item.id for item in advice_of(session).first]
    return session


def advice_of(session: Session) -> AdvicePlan:
    return engine().advice_plan(session)


def plan_for(session: Session) -> tuple[AdvicePlan, str]:
    """The advice the plan prints, and the plan's text."""
    advice = advice_of(session)
    return advice, pdf_text(render("action_plan", session, engine(), TODAY))


def flat(text: str) -> str:
    """Text with all runs of whitespace as one space: line breaks of the layout do not matter."""
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(artifact: Artifact) -> str:
    reader = PdfReader(io.BytesIO(artifact.data))
    return flat(" ".join(page.extract_text() for page in reader.pages))


CASES = [("lijn", phase) for phase in ("onbewust", "overwegen", "actie", "toepassen", "continu")]
CASES += [("zzp", "onbewust"), ("hrzl", "overwegen"), ("onderwijs", "continu")]


@pytest.mark.parametrize(("role", "phase"), CASES)
def test_plan_holds_phase_steps_and_dates(kb: KnowledgeBase, role: str, phase: str) -> None:
    session = session_for(role, phase)
    advice, text = plan_for(session)
    chosen = kb.phase(phase)
    assert flat(chosen.label) in text
    # In the reader's words: a zzp'er reads about himself, a teacher about the working learner.
    assert flat(chosen.description_for_reader(advice.reader)) in text
    assert advice.shown and [item.id for item in advice.shown] == session.advised
    for item in advice.shown:
        assert flat(item.title) in text
        assert flat(item.first_step_for_reader(advice.reader)) in text
    assert len(advice.gaps) == 2
    for gap, warning in zip(advice.gaps, advice.gap_advice, strict=True):
        assert flat(gap.title) in text
        assert flat(warning) in text
    assert engine().role_label(role) in text
    assert "28 november 2026" in text
    # The check-in four weeks on is a Saturday (26 December): the next working day instead.
    assert "28 december 2026" in text
    texts = load_bundle().artifacts.action_plan
    name_line = texts.employee_name_for.get(advice.reader, texts.employee_name)
    assert flat(name_line) in text
    assert ("Naam medewerker" in text) == engine().flow.roles[role].staff


@pytest.mark.parametrize(("role", "phase"), CASES)
def test_plan_holds_nothing_the_session_does_not(kb: KnowledgeBase, role: str, phase: str) -> None:
    session = session_for(role, phase)
    advice, text = plan_for(session)
    shown = {item.id for item in advice.shown}
    for item in kb.interventions:
        if item.id not in shown:
            assert flat(item.first_step) not in text, item.id
            assert flat(item.first_step_for_reader(advice.reader)) not in text, item.id
    for other in kb.phases:
        if other.key != phase:
            assert flat(other.description) not in text, other.key
    for precondition in kb.preconditions:
        if precondition.id not in session.precondition_gaps:
            assert flat(precondition.when_gap) not in text, precondition.id
            assert flat(precondition.when_gap_for_reader(advice.reader)) not in text
    assert engine().role_label("mkb") not in text


def test_plan_is_a4_and_one_page_for_a_typical_session(kb: KnowledgeBase) -> None:
    for phase in kb.phases:
        session = session_for("lijn", phase.key)
        artifact = render("action_plan", session, engine(), TODAY)
        reader = PdfReader(io.BytesIO(artifact.data))
        assert len(reader.pages) == 1, phase.key
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


def test_plan_artifact_metadata() -> None:
    artifact = render("action_plan", session_for("hr", "actie"), engine(), TODAY)
    assert artifact.mime == "application/pdf"
    assert artifact.data.startswith(b"%PDF-")
    assert artifact.filename == "actieplan-2026-11-28-0000.pdf"
    assert "28 december 2026" in artifact.caption
    assert len(artifact.caption) <= 1024  # Telegram's caption limit


def test_no_gaps_lists_every_precondition_to_watch(kb: KnowledgeBase) -> None:
    session = session_for("collega", "toepassen", gaps=0)
    advice, text = plan_for(session)
    assert flat(load_bundle().artifacts.action_plan.preconditions_none) in text
    for precondition in kb.preconditions:
        assert flat(precondition.title) in text
        assert flat(precondition.when_gap) not in text
        assert flat(precondition.when_gap_for_reader(advice.reader)) not in text


@pytest.mark.parametrize("role", ["lijn", "mkb", "zzp", "onderwijs"])
def test_blind_spot_and_referrals_follow_phase_layers_and_audience(
    kb: KnowledgeBase, role: str
) -> None:
    session = session_for(role, "onbewust")
    audiences = engine().audiences(session)
    advice = advice_of(session)
    plan = build_action_plan(session, kb, advice, "Rol", TODAY)
    spots = kb.blind_spots_for("onbewust", session.layers, audiences)
    referrals = kb.referrals_for("onbewust", session.layers, audiences)
    assert {note.title for note in plan.blind_spots} <= {spot.title for spot in spots}
    assert bool(plan.blind_spots) == bool(spots)
    assert {note.title for note in plan.referrals} <= {r.name for r in referrals}
    assert len(plan.referrals) == min(engine().flow.advice.plan_referrals, len(referrals))
    # The plan prints what the dialog chose for paper, nothing of its own choosing.
    assert [note.title for note in plan.referrals] == [r.name for r in advice.plan_referrals]
    assert [note.title for note in plan.blind_spots] == [s.title for s in advice.plan_blind_spots]
    text = pdf_text(render("action_plan", session, engine(), TODAY))
    for note in plan.blind_spots + plan.referrals:
        assert flat(note.title) in text
        assert flat(note.text) in text
    shown = {note.title for note in plan.blind_spots}
    for spot in spots:
        if spot.title not in shown:
            assert flat(spot.advice_for_reader(advice.reader)) not in text


def test_referrals_for_this_phase_come_before_general_ones(kb: KnowledgeBase) -> None:
    session = session_for("lijn", "toepassen")
    audiences = engine().audiences(session)
    plan = build_action_plan(session, kb, advice_of(session), "Rol", TODAY)
    referrals = kb.referrals_for("toepassen", session.layers, audiences)
    specific = [r.name for r in referrals if r.scope.phases]
    assert specific and referrals[0].name not in specific  # else the order proves nothing
    assert plan.referrals[0].title == specific[0]


@pytest.mark.parametrize(("role", "key"), [("zzp", "layer"), ("hrzl", "layers")])
def test_plan_names_one_layer_or_several(kb: KnowledgeBase, role: str, key: str) -> None:
    texts = load_bundle().artifacts.action_plan
    _, text = plan_for(session_for(role, "overwegen"))
    label = getattr(texts, key)
    other = texts.layers if key == "layer" else texts.layer
    assert label in text
    assert other not in text


def test_plan_needs_a_role_a_diagnosis_and_advice() -> None:
    with pytest.raises(ValueError):
        render("action_plan", Session(role="lijn", layers=["leidinggevende"]), engine(), TODAY)
    advised = session_for("lijn", "actie").advised
    without_role = Session(layers=["hr"], phase="actie", advised=advised)
    with pytest.raises(ValueError):
        render("action_plan", without_role, engine(), TODAY)
    not_yet_advised = Session(role="lijn", layers=["leidinggevende"], phase="actie")
    with pytest.raises(ValueError):
        render("action_plan", not_yet_advised, engine(), TODAY)


def test_dutch_characters_survive(kb: KnowledgeBase) -> None:
    """The embedded font keeps é, ë and friends (a latin-1 core font would lose ’ and “ ”)."""

    def accented_in(session: Session) -> set[str]:
        advice = advice_of(session)
        return {
            char
            for item in advice.shown
            for char in item.title + item.first_step_for_reader(advice.reader)
            if ord(char) > 127
        }

    cases = (session_for(role, phase.key) for role in engine().flow.roles for phase in kb.phases)
    session = next(case for case in cases if accented_in(case))  # else this proves nothing
    accented = accented_in(session)
    _, text = plan_for(session)
    assert accented <= set(text)


def test_the_same_answers_on_the_same_day_get_the_plan_from_the_cache() -> None:
    """Laying a plan out costs ~130 ms of CPU: equal plans (answers, knowledge, day) are laid
    out once; other answers or another day make a plan of their own."""
    from bot.artifacts.plan_layout import layout_hits

    first = render("action_plan", session_for("mkb", "overwegen"), engine(), TODAY).data
    hits = layout_hits()
    again = render("action_plan", session_for("mkb", "overwegen"), engine(), TODAY).data
    assert again == first and layout_hits() == hits + 1
    other = render("action_plan", session_for("mkb", "actie"), engine(), TODAY).data
    later = render("action_plan", session_for("mkb", "overwegen"), engine(), date(2026, 12, 1))
    assert other != first and later.data != first and layout_hits() == hits + 1
