"""The team picture and one employee's path show both views (issue 21): the manager's, and where
the employees who shared their self-check place themselves. Tested on the pixels: an outlined bar
beside the filled one, an open ring under the employee's own phase, and a label and legend."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from dialog_helpers import engine
from PIL import Image, ImageChops

from bot.artifacts import team_picture as tp
from bot.artifacts.palette import BLUE, PAPER, VERMILLION
from bot.artifacts.render import render
from dialogs.selfcheck import FIVE, SelfView, SharedView
from dialogs.session import Assessment, Session, Slot
from locales import load_bundle

ON = datetime(2026, 3, 9, 9, 30, tzinfo=UTC)
TEXTS = load_bundle().artifacts.team_picture


def phase_key(number: int) -> str:
    return engine().knowledge.phase(number).key


def slot(letter: str, manager: list[int], own: int | None = None) -> Slot:
    shared = None
    if own is not None:
        view = SelfView(phase=phase_key(own), answers=dict.fromkeys(FIVE, "ja"), on=ON)
        shared = SharedView(invite=f"{ord(letter):064x}", view=view)
    looks = [Assessment(on=ON, phase=phase_key(number)) for number in manager]
    return Slot(letter=letter, assessments=looks, shared=shared)


def picture(kind: str, session: Session) -> Image.Image:
    artifact = render(kind, session, engine())  # type: ignore[arg-type]
    return Image.open(io.BytesIO(artifact.data)).convert("RGB")


def column(number: int) -> tuple[int, int]:
    width = (tp.WIDTH - 2 * tp.MARGIN) // 5
    left = tp.MARGIN + (number - 1) * width
    return left, left + width


def outlined_bar(image: Image.Image, number: int) -> bool:
    """An open bar of the employees' own view in phase `number`: a blue edge, white inside."""
    _filled, (left, right) = tp.team_bars(*column(number), both=True)
    y = tp.BODY_BOTTOM - 16 - 10
    edge = image.getpixel((left + tp.OUTLINE // 2, y))
    inside = image.getpixel(((left + right) // 2, y))
    return edge == BLUE and inside == PAPER


def filled_bar(image: Image.Image, number: int) -> bool:
    (left, right), _outlined = tp.team_bars(*column(number), both=True)
    return image.getpixel(((left + right) // 2, tp.BODY_BOTTOM - 16 - 10)) == BLUE


def test_the_team_picture_sets_the_employees_own_view_beside_the_managers() -> None:
    # A and B: the manager says phase 3; A says 4 herself, B shared nothing; C: 2 and says 2.
    session = Session(slots=[slot("A", [3], own=4), slot("B", [3]), slot("C", [2], own=2)])
    image = picture("team_picture", session)
    assert outlined_bar(image, 4) and outlined_bar(image, 2)
    assert not outlined_bar(image, 3), "nobody places themselves in phase 3"
    assert filled_bar(image, 3) and filled_bar(image, 2) and not filled_bar(image, 4)
    plain = picture("team_picture", Session(slots=[slot("A", [3]), slot("B", [3])]))
    assert image.height == plain.height + tp.STRIP, "a strip for the labels and the legend"


def test_the_labels_and_legend_are_drawn_from_the_words_under_the_bars() -> None:
    """Not colour alone: the label under each bar and the legend come from the bundle, and sit
    in the strip below the columns."""
    knowledge = engine().knowledge
    phases, own = [phase_key(3)], [phase_key(4)]
    words = tp.OwnView(TEXTS.self_label, TEXTS.own_label, TEXTS.legend_team)
    base = tp.render_team_picture(knowledge, phases, "T", own, words)
    for changed in (
        tp.OwnView("Xxx", words.own_label, words.legend),
        tp.OwnView(words.self_label, "Xxx", words.legend),
        tp.OwnView(words.self_label, words.own_label, "Xxx Yyy"),
    ):
        other = tp.render_team_picture(knowledge, phases, "T", own, changed)
        box = ImageChops.difference(
            Image.open(io.BytesIO(base)).convert("RGB"),
            Image.open(io.BytesIO(other)).convert("RGB"),
        ).getbbox()
        assert box is not None and box[1] >= tp.BODY_BOTTOM, changed


@pytest.mark.parametrize("own", [1, 3, 5])
def test_one_employees_path_gets_an_open_ring_in_the_column_of_their_own_phase(own: int) -> None:
    session = Session(slots=[slot("A", [2, 3], own=own)], current="A")
    image = picture("slot_picture", session)
    for number in range(1, 6):
        x, y = tp.ring_centre(engine().knowledge, phase_key(number))
        ring = image.getpixel((x + tp.RING - tp.OUTLINE // 2, y)) == VERMILLION
        assert ring == (number == own), number
        if ring:
            assert image.getpixel((x, y)) == PAPER, "open: a ring, not a dot"
            left, right = column(number)
            assert left < x - tp.RING and x + tp.RING < right
    label = image.crop((0, tp.BODY_BOTTOM, tp.WIDTH, image.height))
    assert label.getextrema() != ((255, 255), (255, 255), (255, 255)), "the label and legend"


def test_a_path_without_a_share_has_no_ring_and_no_strip() -> None:
    shared = picture("slot_picture", Session(slots=[slot("A", [2], own=2)], current="A"))
    plain = picture("slot_picture", Session(slots=[slot("A", [2])], current="A"))
    assert plain.height + tp.STRIP == shared.height
    _x, y = tp.ring_centre(engine().knowledge, phase_key(2))
    assert y > plain.height, "the ring sits in the strip that only a share adds"
