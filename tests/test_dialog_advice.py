"""Quick advice that fits a phone, for every role and phase, driven in-process.

One screen first, every detail one tap away and one screen long, words only for this reader, and
no action advised twice anywhere (overview, Meer, next phase, plan menu).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product

import pytest
from dialog_helpers import PHASES, ROLE_PATH, ROLES, choose, drive, engine, reserved_in
from knowledge_helpers import unsupported_claims

from dialogs import Event, Reply, Session
from dialogs.checks import unreachable_variants
from dialogs.render import SCREEN
from knowledge.schema import READERS, Intervention

# The quick check's answers: yes, no and "weet ik niet".
CHECK_ANSWERS = ("ja", "nee", "wn")


def advised(role: str, number: int, answer: str = "nee") -> Session:
    session = drive(*ROLE_PATH[role], "kies", f"f{number}")
    while session.state == "check":
        choose(session, answer)
    return session


def overviews(role: str) -> Iterator[tuple[tuple[object, ...], Session, Reply]]:
    """The first advice as the user gets it, for every phase and every set of check answers.

    The overview is the reply to the last quick-check answer: `Engine.prompt` would give only
    the advice's short question, which is not what a phone shows after the check.
    """
    for number in range(1, len(PHASES) + 1):
        start = drive(*ROLE_PATH[role], "kies", f"f{number}")
        assert start.state == "check" and start.checks, (role, number)
        for answers in product(CHECK_ANSWERS, repeat=len(start.checks)):
            session = start.model_copy(deep=True)
            replies = choose(session, *answers)
            assert session.state == "advies", (role, number, answers)
            yield (role, number, *answers), session, replies[-1]


def every_text(role: str, number: int) -> Iterator[tuple[str, str]]:
    """(where, text) of every message of the advice: overview, details, Meer, next phase, …"""
    start = drive(*ROLE_PATH[role], "kies", f"f{number}")
    answers = ["nee"] * len(start.checks)
    yield "overview", choose(start, *answers)[-1].text
    session = advised(role, number)
    for state in ("volgende", "vlekken", "plan"):
        probe = session.model_copy(deep=True)
        if state in {o.id for o in engine().current_options(probe)}:
            replies = engine().handle(probe, Event.option(state))
            yield state, "\n".join(reply.text for reply in replies)
    probe = session.model_copy(deep=True)
    while "meer" in {o.id for o in engine().current_options(probe)}:
        yield "meer", engine().handle(probe, Event.option("meer"))[-1].text
    for source in (session, probe):
        for state in ("advies", "volgende"):
            at = source.model_copy(deep=True)
            if at.state != state:
                engine().handle(at, Event.option(state if state != "advies" else "terug"))
            for option in engine().current_options(at):
                if option.id[0] in "iwn" and option.id[1:].isdigit():
                    opened = at.model_copy(deep=True)
                    yield (
                        f"detail {option.id}",
                        engine().handle(opened, Event.option(option.id))[-1].text,
                    )


@pytest.mark.parametrize("role", sorted(ROLES))
def test_the_first_advice_and_every_detail_fit_one_screen(role: str) -> None:
    texts = engine().texts.advice
    reader = engine().flow.roles[role].reader
    for where, session, overview in overviews(role):
        plan = engine().advice_plan(session)
        # The real overview (not the advice's short question): where to begin, and every warning.
        assert f"{texts.begin}\n" in overview.text and plan.begin.title in overview.text, where
        assert all(gap.title in overview.text for gap in plan.gaps), where
        assert len(overview.text) <= SCREEN, (where, len(overview.text))
        assert reserved_in(overview.text, reader) == [], where
        assert 2 <= len(plan.others) <= 4
        # Every title and warning, also those on the keyboard's second page.
        for option in engine().current_options(session):
            if option.id[0] in "iw" and option.id[1:].isdigit():
                opened = session.model_copy(deep=True)
                detail = engine().handle(opened, Event.option(option.id))
                assert len(detail) == 1 and opened.state == "uitleg"
                assert len(detail[0].text) <= SCREEN, (where, option.id)
                assert "terug" in [o.id for o in detail[0].options]


def test_every_detail_text_fits_one_screen_for_every_reader() -> None:
    """Every intervention, warning and blind spot as any reader may read it: one screen each.

    Wider than what the walks reach: a reader variant or a warning that no walk happens to open
    is measured too. A warning is measured with its whole advice (nothing left out as a repeat).
    """
    render, knowledge = engine()._render, engine().knowledge
    texts = engine().texts.advice
    for item in knowledge.interventions:
        for reader in READERS:
            assert len(render.detail(item, reader)) <= SCREEN, (item.id, reader)
    for gap in knowledge.preconditions:
        for reader in READERS:
            for unsure in (False, True):
                shown = render.warning_detail(gap, gap.when_gap_for_reader(reader), unsure)
                assert gap.when_gap_for_reader(reader) in shown, (gap.id, reader, unsure)
                assert len(shown) <= SCREEN, (gap.id, reader, unsure)
    for spot in knowledge.blind_spots:
        for reader in READERS:
            shown = texts.blind_spot.format(title=spot.title, advice=spot.advice_for_reader(reader))
            assert len(shown) <= SCREEN, (spot.id, reader)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_the_blind_spots_fit_one_screen(role: str) -> None:
    for number in range(1, len(PHASES) + 1):
        session = advised(role, number)
        if "vlekken" in {o.id for o in engine().current_options(session)}:
            shown = choose(session, "vlekken")[-1].text
            assert engine().texts.advice.blind_spots_heading in shown
            assert len(shown) <= SCREEN, (role, number, len(shown))


def test_a_detail_says_what_where_and_how_to_begin() -> None:
    session = advised("lijn", 2)
    texts = engine().texts.advice
    for number, item in enumerate(engine().advice_plan(session).first, start=1):
        opened = session.model_copy(deep=True)
        text = engine().handle(opened, Event.option(f"i{number}"))[-1].text
        assert item.explanation in text
        assert item.first_step_for_reader("leidinggevende") in text
        assert (texts.evidence_yes if item.evidence else texts.evidence_no) in text
        assert texts.via[item.layer] in text
        if item.report_title.casefold() != item.title.casefold():
            assert item.report_title in text


def test_span_in_words() -> None:
    kb, render = engine().knowledge, engine()._render
    item = next(i for i in kb.interventions if (i.phases.first, i.phases.last) == (2, 4))
    assert f"vanaf fase 2 tot en met 4, {engine().texts.advice.via[item.layer]}" in render.span(
        item
    )


@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_words_meant_for_another_reader(role: str) -> None:
    reader = engine().flow.roles[role].reader
    note = engine().texts.roles[role].note or ""
    assert reserved_in(note, reader) == []
    for number in range(1, len(PHASES) + 1):
        for where, text in every_text(role, number):
            assert reserved_in(text, reader) == [], (role, number, where)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_message_makes_a_claim_the_report_does_not_make(role: str) -> None:
    """Also across the lines of a message: a blind spot's title stands under "Wat vaak vergeten
    wordt:", so a note on uitzendkrachten there would call them often forgotten."""
    for number in range(1, len(PHASES) + 1):
        for where, text in every_text(role, number):
            assert unsupported_claims(text) == [], (role, number, where)
            assert unsupported_claims(" ".join(text.split())) == [], (role, number, where)


def _theme(item: Intervention) -> str:
    return item.theme or item.id


@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_action_is_advised_twice(role: str) -> None:
    for number in range(1, len(PHASES) + 1):
        session = advised(role, number)
        while "meer" in {o.id for o in engine().current_options(session)}:
            engine().handle(session, Event.option("meer"))
        plan = engine().advice_plan(session)
        shown = [*plan.shown, *plan.next_phase]
        themes = [_theme(item) for item in shown]
        assert len(themes) == len(set(themes)), (role, number)
        assert [item.id for item in plan.shown] == session.advised
        for gap_advice in plan.gap_advice:
            for item in plan.shown:
                for sentence in item.first_step_for_reader(plan.reader).split(". "):
                    assert sentence.strip(". ") not in gap_advice or len(sentence) < 20


def test_a_variant_no_role_reads_is_refused_at_load() -> None:
    kb = engine().knowledge
    item = next(i for i in kb.interventions if i.layer == "onderwijs")
    changed = item.model_copy(update={"first_step_for": {"zzp": "Doe iets."}})
    broken = type(kb)(
        phases=kb.phases,
        layers=kb.layers,
        interventions=tuple(changed if i.id == item.id else i for i in kb.interventions),
        preconditions=kb.preconditions,
        blind_spots=kb.blind_spots,
        referrals=kb.referrals,
        glossary=kb.glossary,
    )
    assert unreachable_variants(engine().flow, kb) == []
    assert unreachable_variants(engine().flow, broken) == [
        f"interventions.{item.id}.first_step_for.zzp: no role reads this layer as zzp"
    ]
