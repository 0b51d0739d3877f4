"""The model picture: size and mode, highlights where the session says, labels from the data."""

from __future__ import annotations

import dataclasses
import io
from itertools import combinations

import pytest
from PIL import Image, ImageChops

from bot.artifacts import model_picture as mp
from bot.artifacts import palette
from knowledge import KnowledgeBase, load_knowledge


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.convert("RGB")


def cell_fill(image: Image.Image, row: int, column: int) -> tuple[int, int, int]:
    """The background of a cell, sampled bottom-left: away from the count and the star."""
    left, _top, _right, bottom = mp.GEOMETRY.cell_box(row, column)
    pixel = image.getpixel((left + mp.CROSS_BORDER + 4, bottom - mp.CROSS_BORDER - 4))
    assert isinstance(pixel, tuple)
    return (pixel[0], pixel[1], pixel[2])


def test_picture_is_a_phone_sized_rgb_png(kb: KnowledgeBase) -> None:
    image = Image.open(io.BytesIO(mp.render_model_picture(kb, ["leidinggevende"], "actie")))
    assert image.format == "PNG"
    assert image.mode == "RGB"
    assert image.width == 1080
    assert 900 <= image.height <= 1400


def test_grid_has_a_row_per_layer_and_a_column_per_phase(kb: KnowledgeBase) -> None:
    assert len(kb.layers) == 6
    assert len(kb.phases) == 5
    image = open_png(mp.render_model_picture(kb))
    last = mp.GEOMETRY.cell_box(len(kb.layers) - 1, len(kb.phases) - 1)
    assert last[2] <= image.width - mp.GEOMETRY.margin
    assert last[3] < image.height


def expected_fill(mine: bool, chosen: bool) -> tuple[int, int, int]:
    if mine and chosen:
        return mp.CROSS_FILL
    if mine:
        return mp.LAYER_TINT
    if chosen:
        return mp.PHASE_TINT
    return palette.PAPER


LAYER_SETS = [["taken"], ["leidinggevende"], ["onderwijs"], ["hr", "directie"]]


@pytest.mark.parametrize("layers", LAYER_SETS)
@pytest.mark.parametrize("phase_number", [1, 2, 3, 4, 5])
def test_highlights_sit_where_the_session_says(
    kb: KnowledgeBase, layers: list[str], phase_number: int
) -> None:
    phase = kb.phase(phase_number)
    image = open_png(mp.render_model_picture(kb, layers, phase.key))
    for row, layer in enumerate(kb.layers):
        mine = layer.key in layers
        label_left, _t, _r, label_bottom = mp.GEOMETRY.label_box(row)
        label_pixel = image.getpixel((label_left + 5, label_bottom - 5))
        assert label_pixel == (mp.LAYER_STRONG if mine else palette.HEADER_FILL), layer.key
        for column, item in enumerate(kb.phases):
            chosen = item.number == phase_number
            assert cell_fill(image, row, column) == expected_fill(mine, chosen), (layer.key, item)
    for column, item in enumerate(kb.phases):
        left, top, _right, _bottom = mp.GEOMETRY.header_box(column)
        chosen = item.number == phase_number
        assert image.getpixel((left + 5, top + 5)) == (
            mp.PHASE_STRONG if chosen else palette.HEADER_FILL
        )


def test_crossing_is_marked_by_more_than_colour(kb: KnowledgeBase) -> None:
    image = open_png(mp.render_model_picture(kb, ["collegas"], "toepassen"))
    row = [layer.key for layer in kb.layers].index("collegas")
    column = kb.phase("toepassen").number - 1
    left, top, right, bottom = mp.GEOMETRY.cell_box(row, column)
    middle_y = (top + bottom) // 2
    # A thick black border on every side of the crossing cell ...
    for offset in range(1, mp.CROSS_BORDER - 1):
        assert image.getpixel((left + offset, middle_y)) == palette.INK
        assert image.getpixel((right - offset, middle_y)) == palette.INK
    # ... and a white star in its top-right corner.
    star = (right - mp.CROSS_BORDER - 20, top + mp.CROSS_BORDER + 20)
    assert image.getpixel(star) == mp.MARKER
    # A cell that is not the crossing has neither.
    other = mp.GEOMETRY.cell_box(row, (column + 1) % 5)
    assert image.getpixel((other[0] + 4, (other[1] + other[3]) // 2)) != palette.INK
    assert image.getpixel((other[2] - mp.CROSS_BORDER - 20, other[1] + mp.CROSS_BORDER + 20)) != (
        mp.MARKER
    )


def test_plain_model_highlights_nothing(kb: KnowledgeBase) -> None:
    image = open_png(mp.render_model_picture(kb))
    fills = {cell_fill(image, row, column) for row in range(len(kb.layers)) for column in range(5)}
    assert fills == {palette.PAPER}
    highlighted = open_png(mp.render_model_picture(kb, ["hr"], "continu"))
    assert highlighted.height > image.height  # the legend explains the highlights


def test_layers_alone_highlight_rows_without_a_crossing(kb: KnowledgeBase) -> None:
    image = open_png(mp.render_model_picture(kb, ["taken"], None))
    assert {cell_fill(image, 0, column) for column in range(5)} == {mp.LAYER_TINT}
    assert {cell_fill(image, 1, column) for column in range(5)} == {palette.PAPER}


def test_cells_show_the_counts_of_the_data(kb: KnowledgeBase) -> None:
    """Two cells with the same count look the same; cells with other counts do not."""
    image = open_png(mp.render_model_picture(kb))
    counts = kb.cell_counts()
    cells = [
        (row, column, counts[(layer.key, phase.number)])
        for row, layer in enumerate(kb.layers)
        for column, phase in enumerate(kb.phases)
    ]
    crops = {
        (row, column): image.crop(mp.GEOMETRY.cell_box(row, column)) for row, column, _ in cells
    }
    for (r1, c1, n1), (r2, c2, n2) in combinations(cells, 2):
        same = ImageChops.difference(crops[(r1, c1)], crops[(r2, c2)]).getbbox() is None
        assert same == (n1 == n2), ((r1, c1, n1), (r2, c2, n2))


def relabelled(
    kb: KnowledgeBase, *, phase: int | None = None, layer: int | None = None
) -> KnowledgeBase:
    """The same model with one label changed, as an author editing the YAML would."""
    phases = list(kb.phases)
    layers = list(kb.layers)
    if phase is not None:
        phases[phase] = phases[phase].model_copy(update={"label": "Xxx Yyy"})
    if layer is not None:
        layers[layer] = layers[layer].model_copy(update={"label": "Xxx Yyy"})
    return dataclasses.replace(kb, phases=tuple(phases), layers=tuple(layers))


def changed_box(before: bytes, after: bytes) -> tuple[int, int, int, int] | None:
    return ImageChops.difference(open_png(before), open_png(after)).getbbox()


def inside(inner: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> bool:
    return (
        outer[0] <= inner[0]
        and outer[1] <= inner[1]
        and inner[2] <= outer[2]
        and inner[3] <= outer[3]
    )


@pytest.mark.parametrize("index", range(5))
def test_each_phase_label_is_drawn_from_the_data(kb: KnowledgeBase, index: int) -> None:
    base = mp.render_model_picture(kb, ["hr"], "actie")
    changed = changed_box(
        base, mp.render_model_picture(relabelled(kb, phase=index), ["hr"], "actie")
    )
    assert changed is not None
    assert inside(changed, mp.GEOMETRY.header_box(index))


@pytest.mark.parametrize("index", range(6))
def test_each_layer_label_is_drawn_from_the_data(kb: KnowledgeBase, index: int) -> None:
    base = mp.render_model_picture(kb, ["hr"], "actie")
    changed = changed_box(
        base, mp.render_model_picture(relabelled(kb, layer=index), ["hr"], "actie")
    )
    assert changed is not None
    # Layer labels share one font size; a shorter label may enlarge all of them, so the change is
    # confined to the label column.
    column = (
        mp.GEOMETRY.margin,
        mp.GEOMETRY.grid_top,
        mp.GEOMETRY.margin + mp.GEOMETRY.label_width,
        mp.GEOMETRY.grid_top + 6 * mp.GEOMETRY.row_height,
    )
    assert inside(changed, column)
    assert changed[1] <= mp.GEOMETRY.label_box(index)[3]


def test_repeat_renders_come_from_the_cache(kb: KnowledgeBase) -> None:
    first = mp.render_model_picture(kb, ["directie", "hr"], "overwegen")
    hits = mp.cache_hits()
    again = mp.render_model_picture(kb, ["hr", "directie"], "overwegen")
    assert again is first
    assert mp.cache_hits() == hits + 1


def test_unknown_keys_are_refused(kb: KnowledgeBase) -> None:
    with pytest.raises(KeyError):
        mp.render_model_picture(kb, ["kantine"], "actie")
    with pytest.raises(KeyError):
        mp.render_model_picture(kb, ["hr"], "slapen")
