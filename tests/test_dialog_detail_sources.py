"""A detail view says where its claims come from, on one phone screen, for every reader.

Issue 10: an inferred span "must say so", and a name the report cut off is marked as our
reconstruction beside the words the report prints. Both are always in the detail, whatever else
has to give way to fit the screen.
"""

from __future__ import annotations

import pytest
from dialog_helpers import engine

from dialogs.checks import readers_of_layers
from dialogs.render import SCREEN
from knowledge.schema import Intervention

READERS = readers_of_layers(engine().flow)


def readers_of(item: Intervention) -> list[str]:
    return sorted(READERS.get(item.layer, set()))


def test_every_detail_fits_one_screen_for_every_reader() -> None:
    for item in engine().knowledge.interventions:
        for reader in readers_of(item):
            assert len(engine()._render.detail(item, reader)) <= SCREEN, (item.id, reader)


def test_an_inferred_span_says_so_for_every_reader() -> None:
    noted = [item for item in engine().knowledge.interventions if item.span_note]
    assert {"onderwijs-zij-instroom", "taken-stilstaan-bij-leren"} <= {i.id for i in noted}
    for item in noted:
        assert readers_of(item), item.id
        for reader in readers_of(item):
            detail = engine()._render.detail(item, reader)
            assert item.span_note is not None and item.span_note in detail, (item.id, reader)
            assert engine()._render.span(item) in detail


def test_a_reconstructed_name_is_marked_and_shows_the_report_s_words() -> None:
    texts = engine().texts.advice
    item = engine().knowledge.intervention("directie-ruimte-leren-innoveren")
    assert item.title_reconstructed and item.report_fragment
    for reader in readers_of(item):
        detail = engine()._render.detail(item, reader)
        assert item.report_fragment in detail
        assert texts.report_name_reconstructed.format(name=item.report_title) in detail
        assert texts.report_name.format(name=item.report_title) not in detail
    for other in engine().knowledge.interventions:
        if other.title_reconstructed:
            for reader in readers_of(other):
                detail = engine()._render.detail(other, reader)
                assert texts.report_name_reconstructed.format(name=other.report_title) in detail
                assert texts.report_fragment.format(fragment=other.report_fragment) in detail


def test_a_long_explanation_gives_way_to_the_span_note_and_the_name() -> None:
    item = engine().knowledge.intervention("onderwijs-zij-instroom")
    padding = " ".join(f"Dit is zin nummer {number} van een lange uitleg." for number in range(20))
    long = item.model_copy(update={"explanation": f"{item.explanation} {padding}"})
    detail = engine()._render.detail(long, "docent")
    assert len(detail) <= SCREEN
    assert item.span_note is not None and item.span_note in detail
    assert item.report_title in detail
    assert item.first_step_for_reader("docent") in detail
    assert detail.startswith(f"{item.title}\n{item.explanation.split('. ')[0]}")


@pytest.mark.parametrize("reader", ["eigenaar", "zzp", "collega"])
def test_a_detail_keeps_its_whole_explanation_when_it_fits(reader: str) -> None:
    item = engine().knowledge.intervention("taken-stilstaan-bij-leren")
    assert item.explanation in engine()._render.detail(item, reader)


def test_the_report_s_part_stands_apart_from_the_coach_s_tip() -> None:
    """Issue 20: the name, phase and evidence mark under "Uit het rapport:", the first step
    (written for this bot) under a heading of its own, and neither inside the other."""
    texts = engine().texts.advice
    tip_heading = texts.first_step.split("{first_step}")[0]
    for item in engine().knowledge.interventions:
        for reader in readers_of(item):
            blocks = engine()._render.detail(item, reader).split("\n\n")
            report = [block for block in blocks if block.startswith(f"{texts.report_part}\n")]
            tips = [block for block in blocks if block.startswith(tip_heading)]
            assert len(report) == len(tips) == 1, (item.id, reader)
            assert engine()._render.span(item) in report[0]
            assert (texts.evidence_yes if item.evidence else texts.evidence_no) in report[0]
            if item.report_title_differs and not item.title_reconstructed:
                assert texts.report_name.format(name=item.report_title) in report[0]
            first_step = item.first_step_for_reader(reader)
            assert tips[0] == f"{tip_heading}{first_step}", (item.id, reader)
            assert first_step not in report[0]


def test_the_phase_is_where_the_report_finds_it_most_relevant() -> None:
    """Report, line 178: each intervention is placed in the phase where it is "het meest
    relevant"; the detail says that, not that it "works" there."""
    render = engine()._render
    for item in engine().knowledge.interventions:
        span = render.span(item)
        assert "relevant" in span.casefold() and "werkt" not in span.casefold(), (item.id, span)


def test_the_welcome_says_the_first_steps_are_the_coach_s_tips() -> None:
    welcome = engine().texts.welcome
    assert "rapport van TNO" in welcome
    assert "niet uit het rapport" in welcome
