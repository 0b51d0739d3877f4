"""Quick advice that fits a phone, for every role and phase, driven in-process.

One screen first, every detail one tap away and one screen long, words only for this reader, and
no action advised twice anywhere (overview, Meer, next phase, plan menu).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dialog_helpers import PHASES, ROLE_PATH, ROLES, choose, drive, engine, reserved_in

from dialogs import Event, Session
from dialogs.checks import unreachable_variants
from dialogs.render import SCREEN
from knowledge.schema import Intervention


def advised(role: str, number: int, answer: str = "nee") -> Session:
    session = drive(*ROLE_PATH[role], "kies", f"f{number}")
    while session.state == "check":
        choose(session, answer)
    return session


def every_text(role: str, number: int) -> Iterator[tuple[str, str]]:
    """(where, text) of every message of the advice: overview, details, Meer, next phase, …"""
    session = advised(role, number)
    yield "overview", engine().prompt(session).text
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
    for number in range(1, len(PHASES) + 1):
        session = advised(role, number)
        overview = engine().prompt(session)
        assert len(overview.text) <= SCREEN, (role, number, len(overview.text))
        plan = engine().advice_plan(session)
        assert 2 <= len(plan.others) <= 4
        for option in overview.options:
            if option.id[0] in "iw" and option.id[1:].isdigit():
                opened = session.model_copy(deep=True)
                detail = engine().handle(opened, Event.option(option.id))
                assert len(detail) == 1 and opened.state == "uitleg"
                assert len(detail[0].text) <= SCREEN, (role, number, option.id)
                assert [o.id for o in detail[0].options] == ["terug"]


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
