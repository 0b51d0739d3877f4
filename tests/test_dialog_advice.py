"""Quick advice that fits a phone, for every role and phase, driven in-process.

One screen first, every detail one tap away and one screen long, words only for this reader, and
no action advised twice anywhere (overview, Meer, next phase, plan menu).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product

import pytest
from dialog_helpers import (
    PHASES,
    ROLE_PATH,
    ROLES,
    STATE_PATHS,
    advised,
    choose,
    drive,
    engine,
    reserved_in,
)
from knowledge_helpers import unsupported_claims

from dialogs import Event, Reply, Session
from dialogs.checks import unreachable_variants
from dialogs.engine import MAX_OPTIONS, NAV_MORE
from dialogs.render import BUTTON_LABEL_LIMIT, SCREEN
from knowledge.schema import READERS, Intervention

# The quick check's answers: yes, no and "weet ik niet".
CHECK_ANSWERS = ("ja", "nee", "wn")


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
    # An intervention's detail reads the same whatever the check answers were, so each is
    # opened once per role (every text of every reader is measured in the test below); a
    # warning's detail depends on the advice beside it and is opened every time.
    opened_titles: set[str] = set()
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
                if option.id[0] == "i" and option.label in opened_titles:
                    continue
                opened_titles.add(option.label)
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


def _own_words(text: str) -> str:
    """A detail without the frame every detail shares ("via HR", the evidence line)."""
    texts = engine().texts.advice
    for frame in (*texts.via.values(), texts.evidence_yes, texts.evidence_no):
        text = text.replace(frame, "")
    return text


def details(role: str, number: int, answer: str) -> Iterator[tuple[str, Session]]:
    """Every detail the advice opens (overview, warnings, Meer, next phase), as open sessions.

    After "weet ik niet" only the warnings: the interventions do not depend on the answers.
    """
    session = advised(role, number, answer)
    kinds = "iwn" if answer != "wn" else "w"
    more = session.model_copy(deep=True)
    sources = [("advies", session)]
    while "meer" in {o.id for o in engine().current_options(more)}:
        choose(more, "meer")
        sources.append(("meer", more.model_copy(deep=True)))
    following = session.model_copy(deep=True)
    choose(following, "volgende")
    sources.append(("volgende", following))
    for where, source in sources:
        for option in engine().current_options(source):
            if option.id[0] in kinds and option.id[1:2] == ".":
                opened = source.model_copy(deep=True)
                choose(opened, option.id)
                yield f"{where} {option.id}", opened


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_difficult_word_of_a_detail_is_explained_or_one_tap_away(role: str) -> None:
    kb = engine().knowledge
    seen = tapped = 0
    for number in range(1, len(PHASES) + 1):
        for answer in ("nee", "wn"):
            for where, opened in details(role, number, answer):
                reply = engine().prompt(opened)
                detail = engine()._render.prompt(opened)
                buttons = engine().shown_options(opened)
                assert NAV_MORE not in {o.id for o in buttons}, where  # all on one keyboard
                assert len(buttons) <= MAX_OPTIONS, where
                assert all(len(o.label) <= BUTTON_LABEL_LIMIT for o in buttons), where
                assert reply.options == buttons
                for term in kb.glossary_in(_own_words(detail)):
                    seen += 1
                    if engine()._render.word(term) in detail:
                        continue
                    offered = [o for o in buttons if term.term in o.synonyms]
                    assert len(offered) == 1, (role, number, where, term.term)
                    word = opened.model_copy(deep=True)
                    shown = choose(word, offered[0].id)
                    assert word.state == "woord"
                    assert shown[-1].text == f"{term.term}: {term.explanation}"
                    assert [o.id for o in shown[-1].options] == ["terug"]
                    again = choose(word, "terug")
                    assert word.state == "uitleg" and again[-1].text == detail, where
                    tapped += 1
    assert tapped and seen


def test_every_intervention_explains_its_words_or_offers_them_for_every_reader() -> None:
    render, kb = engine()._render, engine().knowledge
    with_words = 0
    for item in kb.interventions:
        for reader in READERS:
            detail = render.detail(item, reader)
            offered = render.unexplained(item.own_words(reader), detail)
            assert len(offered) < MAX_OPTIONS, (item.id, reader)  # with "Terug": one keyboard
            for term in kb.glossary_in(_own_words(detail)):
                with_words += 1
                assert render.word(term) in detail or term in offered, (item.id, reader, term.id)
            for term in offered:
                assert render.word(term) not in detail, "explained once, not twice"
    assert with_words > 300


def test_a_difficult_word_can_be_typed() -> None:
    session = drive(*STATE_PATHS["woord"][:-1])
    term = engine()._render.words(session)[0]
    replies = engine().handle(session, Event.text(term.term.upper()))
    assert session.state == "woord" and replies[-1].text == engine()._render.word(term)
    engine().handle(session, Event.text("terug"))
    # Closing the word closes its answer: the last answer is the one that opened the detail.
    assert session.state == "uitleg" and session.history[-1].option.startswith("i.")


def test_a_detail_says_what_where_and_how_to_begin() -> None:
    session = advised("lijn", 2)
    texts = engine().texts.advice
    for item in engine().advice_plan(session).first:
        opened = session.model_copy(deep=True)
        text = engine().handle(opened, Event.option(f"i.{item.id}"))[-1].text
        assert item.explanation in text
        assert item.first_step_for_reader("leidinggevende") in text
        assert (texts.evidence_yes if item.evidence else texts.evidence_no) in text
        assert texts.via[item.layer] in text
        if item.report_title.casefold() != item.title.casefold():
            assert item.report_title in text


def test_span_in_words() -> None:
    kb, render = engine().knowledge, engine()._render
    item = next(i for i in kb.interventions if (i.phases.first, i.phases.last) == (2, 4))
    assert f"in fase 2 tot en met 4, {engine().texts.advice.via[item.layer]}" in render.span(item)


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
    """Also across the lines of a message: a blind spot's title stands under "Waar nog weinig
    aandacht voor is:", so a note on uitzendkrachten there must not call them often forgotten."""
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
