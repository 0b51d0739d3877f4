"""The action plan PDF: what it holds (by text extraction), and nothing the session lacks."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from bot.artifacts import Artifact, render
from bot.artifacts.action_plan import MAX_REFERRALS, build_action_plan
from dialogs.advice import AdvicePlan
from dialogs.session import Session
from knowledge import KnowledgeBase, load_knowledge
from locales import load_bundle

TODAY = date(2026, 11, 28)


class KnowledgeEngine:
    """The real knowledge with a fixed role table: the part of the engine the renderers read."""

    def __init__(self, knowledge: KnowledgeBase, audiences: list[str]) -> None:
        self.knowledge = knowledge
        self._audiences = audiences

    def role_label(self, role_id: str) -> str:
        return {"teamleider": "Teamleider", "eigenaar": "Eigenaar-directeur"}[role_id]

    def advice_plan(self, session: Session) -> AdvicePlan | None:
        return None  # made-up roles: the plan prints the session's advice as it is

    def audiences(self, session: Session) -> list[str]:
        return list(self._audiences)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


def session_for(kb: KnowledgeBase, layers: list[str], phase: str, gaps: int = 2) -> Session:
    return Session(
        role="teamleider",
        layers=layers,
        phase=phase,
        advised=[item.id for item in kb.interventions_for(layers, phase)[:4]],
        precondition_gaps=[item.id for item in kb.preconditions[:gaps]],
    )


def flat(text: str) -> str:
    """Text with all runs of whitespace as one space: line breaks of the layout do not matter."""
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(artifact: Artifact) -> str:
    reader = PdfReader(io.BytesIO(artifact.data))
    return flat(" ".join(page.extract_text() for page in reader.pages))


CASES = [
    (["leidinggevende"], phase)
    for phase in ("onbewust", "overwegen", "actie", "toepassen", "continu")
] + [(["taken"], "onbewust"), (["hr", "directie"], "overwegen"), (["onderwijs"], "continu")]


@pytest.mark.parametrize(("layers", "phase"), CASES)
def test_plan_holds_phase_steps_and_dates(kb: KnowledgeBase, layers: list[str], phase: str) -> None:
    session = session_for(kb, layers, phase)
    artifact = render("action_plan", session, KnowledgeEngine(kb, ["mkb"]), TODAY)
    text = pdf_text(artifact)
    chosen = kb.phase(phase)
    assert flat(chosen.label) in text
    assert flat(chosen.description) in text
    assert session.advised
    for intervention_id in session.advised:
        item = kb.intervention(intervention_id)
        assert flat(item.title) in text
        assert flat(item.first_step) in text
    for precondition_id in session.precondition_gaps:
        assert flat(kb.precondition(precondition_id).when_gap) in text
    assert "Teamleider" in text
    assert "28 november 2026" in text
    assert "26 december 2026" in text  # the check-in, four weeks on
    assert "Naam medewerker" in text


@pytest.mark.parametrize(("layers", "phase"), CASES)
def test_plan_holds_nothing_the_session_does_not(
    kb: KnowledgeBase, layers: list[str], phase: str
) -> None:
    session = session_for(kb, layers, phase)
    text = pdf_text(render("action_plan", session, KnowledgeEngine(kb, ["mkb"]), TODAY))
    for item in kb.interventions:
        if item.id not in session.advised:
            assert flat(item.first_step) not in text, item.id
    for other in kb.phases:
        if other.key != phase:
            assert flat(other.description) not in text, other.key
    for precondition in kb.preconditions:
        if precondition.id not in session.precondition_gaps:
            assert flat(precondition.when_gap) not in text, precondition.id
    assert "Eigenaar-directeur" not in text


def test_plan_is_a4_and_one_page_for_a_typical_session(kb: KnowledgeBase) -> None:
    for phase in kb.phases:
        session = session_for(kb, ["leidinggevende"], phase.key)
        artifact = render("action_plan", session, KnowledgeEngine(kb, ["mkb"]), TODAY)
        reader = PdfReader(io.BytesIO(artifact.data))
        assert len(reader.pages) == 1, phase.key
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points


def test_plan_artifact_metadata(kb: KnowledgeBase) -> None:
    artifact = render(
        "action_plan", session_for(kb, ["hr"], "actie"), KnowledgeEngine(kb, []), TODAY
    )
    assert artifact.mime == "application/pdf"
    assert artifact.data.startswith(b"%PDF-")
    assert artifact.filename == "actieplan-2026-11-28-0000.pdf"
    assert "26 december 2026" in artifact.caption
    assert len(artifact.caption) <= 1024  # Telegram's caption limit


def test_no_gaps_lists_every_precondition_to_watch(kb: KnowledgeBase) -> None:
    session = session_for(kb, ["collegas"], "toepassen", gaps=0)
    text = pdf_text(render("action_plan", session, KnowledgeEngine(kb, []), TODAY))
    assert flat(load_bundle().artifacts.action_plan.preconditions_none) in text
    for precondition in kb.preconditions:
        assert flat(precondition.title) in text
        assert flat(precondition.when_gap) not in text


def test_blind_spot_and_referrals_follow_phase_layers_and_audience(kb: KnowledgeBase) -> None:
    session = session_for(kb, ["leidinggevende"], "onbewust")
    for audiences in ([], ["mkb"], ["zzp"], ["flex"]):
        plan = build_action_plan(session, kb, "Teamleider", audiences, TODAY)
        spots = kb.blind_spots_for("onbewust", ["leidinggevende"], audiences)
        referrals = kb.referrals_for("onbewust", ["leidinggevende"], audiences)
        assert {note.title for note in plan.blind_spots} <= {spot.title for spot in spots}
        assert bool(plan.blind_spots) == bool(spots)
        assert {note.title for note in plan.referrals} <= {r.name for r in referrals}
        assert len(plan.referrals) == min(MAX_REFERRALS, len(referrals))
        text = pdf_text(render("action_plan", session, KnowledgeEngine(kb, audiences), TODAY))
        for note in plan.blind_spots + plan.referrals:
            assert flat(note.title) in text
            assert flat(note.text) in text
        shown = {note.title for note in plan.blind_spots}
        for spot in spots:
            if spot.title not in shown:
                assert flat(spot.advice) not in text


def test_referrals_for_this_phase_come_before_general_ones(kb: KnowledgeBase) -> None:
    session = session_for(kb, ["leidinggevende"], "overwegen")
    plan = build_action_plan(session, kb, None, ["mkb"], TODAY)
    referrals = kb.referrals_for("overwegen", ["leidinggevende"], ["mkb"])
    specific = [r.name for r in referrals if r.scope.phases]
    assert specific
    assert plan.referrals[0].title == specific[0]


def test_plan_without_role_says_so(kb: KnowledgeBase) -> None:
    session = session_for(kb, ["taken"], "actie").model_copy(update={"role": None})
    text = pdf_text(render("action_plan", session, KnowledgeEngine(kb, []), TODAY))
    assert load_bundle().artifacts.action_plan.role_unknown in text


@pytest.mark.parametrize(("layers", "key"), [(["taken"], "layer"), (["hr", "directie"], "layers")])
def test_plan_names_one_layer_or_several(kb: KnowledgeBase, layers: list[str], key: str) -> None:
    texts = load_bundle().artifacts.action_plan
    text = pdf_text(
        render("action_plan", session_for(kb, layers, "overwegen"), KnowledgeEngine(kb, []), TODAY)
    )
    label = getattr(texts, key)
    other = texts.layers if key == "layer" else texts.layer
    assert label in text
    assert other not in text


def test_plan_needs_a_diagnosis_and_advice(kb: KnowledgeBase) -> None:
    engine = KnowledgeEngine(kb, [])
    with pytest.raises(ValueError):
        render("action_plan", Session(role="teamleider", layers=["hr"]), engine, TODAY)
    with pytest.raises(ValueError):
        render("action_plan", Session(layers=["hr"], phase="actie"), engine, TODAY)


def test_dutch_characters_survive(kb: KnowledgeBase) -> None:
    """The embedded font keeps é, ë and friends (a latin-1 core font would lose ’ and “ ”)."""

    def accented_in(session: Session) -> set[str]:
        return {
            char
            for item in session.advised
            for char in kb.intervention(item).title + kb.intervention(item).first_step
            if ord(char) > 127
        }

    cases = (session_for(kb, [layer.key], phase.key) for layer in kb.layers for phase in kb.phases)
    session = next(case for case in cases if accented_in(case))  # else this proves nothing
    accented = accented_in(session)
    text = pdf_text(render("action_plan", session, KnowledgeEngine(kb, ["mkb"]), TODAY))
    assert accented <= set(text)
