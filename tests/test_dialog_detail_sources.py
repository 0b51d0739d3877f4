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
