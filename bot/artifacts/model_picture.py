"""The maturity model as a PNG that reads well on a phone.

Six layers as rows, five phases as columns, each cell showing how many interventions it holds. The
manager's layer row(s) and the employee's phase column are tinted, and their crossing is marked with
a strong fill, a thick black border and a star: colour is never the only cue, and the colours come
from the Okabe-Ito palette, which stays distinguishable with the common forms of colour blindness.

Rendering is a pure function of (knowledge, layers, phase) and cached, so the picture that is sent
after every diagnosis costs nothing the second time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.artifacts.palette import BLUE, GRID, HEADER_FILL, INK, ORANGE, PAPER, RGB, VERMILLION
from bot.artifacts.png import png_bytes
from bot.artifacts.typeface import BOLD, REGULAR
from dialogs.identity import Same
from knowledge import KnowledgeBase
from locales import load_bundle
from locales.artifacts import PictureTexts

Box = tuple[int, int, int, int]

# Okabe-Ito blue, orange and vermillion (bot/artifacts/palette.py), with light tints of the first
# two for whole rows/columns.
MUTED: RGB = (89, 89, 89)
LAYER_STRONG: RGB = BLUE
LAYER_TINT: RGB = (204, 227, 242)
PHASE_STRONG: RGB = ORANGE
PHASE_TINT: RGB = (252, 228, 176)
CROSS_FILL: RGB = VERMILLION
CROSS_BORDER = 9
MARKER: RGB = PAPER


@dataclass(frozen=True)
class Geometry:
    """Where everything sits; fixed, so tests and renderers agree on the cell boxes."""

    width: int = 1080
    margin: int = 16
    title_height: int = 88
    header_height: int = 150
    label_width: int = 316
    row_height: int = 120
    legend_line: int = 52

    @property
    def grid_top(self) -> int:
        return self.margin + self.title_height + self.header_height

    @property
    def column_width(self) -> int:
        return (self.width - 2 * self.margin - self.label_width) // 5

    def cell_box(self, row: int, column: int) -> Box:
        """The box of the cell of layer `row` (0-based) and phase `column` (0-based)."""
        left = self.margin + self.label_width + column * self.column_width
        top = self.grid_top + row * self.row_height
        return (left, top, left + self.column_width, top + self.row_height)

    def label_box(self, row: int) -> Box:
        """The box of the label of layer `row`."""
        top = self.grid_top + row * self.row_height
        return (self.margin, top, self.margin + self.label_width, top + self.row_height)

    def header_box(self, column: int) -> Box:
        """The box of the heading of phase `column`."""
        left = self.margin + self.label_width + column * self.column_width
        top = self.margin + self.title_height
        return (left, top, left + self.column_width, top + self.header_height)


GEOMETRY = Geometry()


def render_model_picture(
    kb: KnowledgeBase,
    layers: Iterable[str] = (),
    phase: str | None = None,
    texts: PictureTexts | None = None,
) -> bytes:
    """The model as PNG bytes, with `layers` (layer keys) and `phase` (phase key) highlighted.

    `texts` are the picture's words in one language (default: the default language's). Unknown
    keys raise KeyError before anything is cached. Equal inputs in any order share one cache entry.
    """
    key = tuple(sorted(set(layers)))
    for layer_key in key:
        kb.layer(layer_key)
    if phase is not None:
        kb.phase(phase)
    words = texts if texts is not None else load_bundle().artifacts.model_picture
    return _render(Same(kb), key, phase, words)


def cache_hits() -> int:
    """How often a picture came from the cache (for tests and the benchmark)."""
    return _render.cache_info().hits


@lru_cache(maxsize=128)
def _render(
    kb_ref: Same[KnowledgeBase], layers: tuple[str, ...], phase: str | None, texts: PictureTexts
) -> bytes:
    kb = kb_ref.value
    geo = GEOMETRY
    legend = _legend_items(texts, bool(layers), phase is not None)
    height = (
        geo.grid_top + len(kb.layers) * geo.row_height + 24 + (1 + len(legend)) * geo.legend_line
    )
    image = Image.new("RGB", (geo.width, height + geo.margin), PAPER)
    draw = ImageDraw.Draw(image)

    _draw_centered(
        draw,
        (geo.margin, geo.margin, geo.width - geo.margin, geo.margin + geo.title_height),
        texts.title,
        BOLD,
        46,
        30,
        INK,
        max_lines=1,
    )
    phase_number = None if phase is None else kb.phase(phase).number
    counts = kb.cell_counts()

    corner = (geo.margin, geo.margin + geo.title_height, geo.margin + geo.label_width, geo.grid_top)
    draw.rectangle(corner, fill=HEADER_FILL, outline=GRID, width=2)
    _draw_centered(draw, corner, texts.corner, REGULAR, 28, 20, MUTED, max_lines=2)

    phase_size = PHASE_LABEL.common_size(draw, [p.label for p in kb.phases], geo.header_box(0))
    layer_size = LAYER_LABEL.common_size(
        draw, [layer.label for layer in kb.layers], geo.label_box(0)
    )
    for column, item in enumerate(kb.phases):
        box = geo.header_box(column)
        chosen = item.number == phase_number
        draw.rectangle(box, fill=PHASE_STRONG if chosen else HEADER_FILL, outline=GRID, width=2)
        heading = texts.phase_heading.format(number=item.number)
        top_box = (box[0], box[1] + 8, box[2], box[1] + 50)
        _draw_centered(draw, top_box, heading, BOLD, 30, 20, INK, max_lines=1)
        PHASE_LABEL.draw(draw, box, item.label, phase_size, INK)

    for row, layer in enumerate(kb.layers):
        mine = layer.key in layers
        box = geo.label_box(row)
        draw.rectangle(box, fill=LAYER_STRONG if mine else HEADER_FILL, outline=GRID, width=2)
        LAYER_LABEL.draw(draw, box, layer.label, layer_size, PAPER if mine else INK)
        for column, item in enumerate(kb.phases):
            chosen = item.number == phase_number
            cell = geo.cell_box(row, column)
            count = str(counts[(layer.key, item.number)])
            if mine and chosen:
                _draw_crossing(draw, cell, count)
                continue
            fill = LAYER_TINT if mine else PHASE_TINT if chosen else PAPER
            draw.rectangle(cell, fill=fill, outline=GRID, width=2)
            colour = INK if count != "0" else MUTED
            _draw_centered(draw, cell, count, BOLD, 52, 52, colour, max_lines=1)

    _draw_legend(
        draw, geo.grid_top + len(kb.layers) * geo.row_height + 24, texts.legend_count, legend
    )
    return png_bytes(image)


def _legend_items(texts: PictureTexts, layers: bool, phase: bool) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    if layers:
        items.append(("layer", texts.legend_layer))
    if phase:
        items.append(("phase", texts.legend_phase))
    if layers and phase:
        items.append(("cross", texts.legend_cross))
    return items


def _draw_crossing(draw: ImageDraw.ImageDraw, cell: Box, count: str) -> None:
    draw.rectangle(cell, fill=CROSS_FILL, outline=INK, width=CROSS_BORDER)
    _draw_centered(draw, cell, count, BOLD, 56, 56, PAPER, max_lines=1)
    _draw_star(draw, (cell[2] - CROSS_BORDER - 20, cell[1] + CROSS_BORDER + 20), 15)


def _draw_star(draw: ImageDraw.ImageDraw, centre: tuple[int, int], radius: int) -> None:
    points = []
    for index in range(10):
        angle = -math.pi / 2 + index * math.pi / 5
        reach = radius if index % 2 == 0 else radius * 0.45
        points.append((centre[0] + reach * math.cos(angle), centre[1] + reach * math.sin(angle)))
    draw.polygon(points, fill=MARKER, outline=INK)


def _draw_legend(
    draw: ImageDraw.ImageDraw, top: int, count_note: str, items: Sequence[tuple[str, str]]
) -> None:
    geo = GEOMETRY
    line = geo.legend_line
    font = ImageFont.truetype(str(REGULAR), 30)
    draw.text((geo.margin, top + line // 2), count_note, font=font, fill=INK, anchor="lm")
    for index, (kind, label) in enumerate(items, start=1):
        y = top + index * line
        swatch = (geo.margin, y + 6, geo.margin + 64, y + line - 6)
        if kind == "layer":
            draw.rectangle(swatch, fill=LAYER_STRONG, outline=GRID, width=2)
        elif kind == "phase":
            draw.rectangle(swatch, fill=PHASE_STRONG, outline=GRID, width=2)
        else:
            draw.rectangle(swatch, fill=CROSS_FILL, outline=INK, width=5)
            _draw_star(draw, ((swatch[0] + swatch[2]) // 2, (swatch[1] + swatch[3]) // 2), 12)
        draw.text((swatch[2] + 18, y + line // 2), label, font=font, fill=INK, anchor="lm")


def _draw_centered(
    draw: ImageDraw.ImageDraw,
    box: Box,
    text: str,
    font_path: Path,
    size: int,
    min_size: int,
    fill: RGB,
    *,
    max_lines: int,
    align_left: bool = False,
) -> None:
    """Write `text` inside `box`, wrapped on words and shrunk until it fits (never cut off)."""
    width = box[2] - box[0]
    height = box[3] - box[1]
    font, lines = _fit(draw, text, font_path, size, min_size, width, height, max_lines)
    ascent, descent = font.getmetrics()
    line_height = int((ascent + descent) * 1.08)
    y = box[1] + (height - line_height * len(lines)) // 2
    for line in lines:
        if align_left:
            draw.text((box[0], y), line, font=font, fill=fill)
        else:
            x = box[0] + (width - draw.textlength(line, font=font)) / 2
            draw.text((x, y), line, font=font, fill=fill)
        y += line_height


@dataclass(frozen=True)
class LabelStyle:
    """How the labels of one kind (phase headings, layer names) sit in their boxes.

    The inset is used both to choose the common font size and to draw, so the size that was
    measured is the size that fits.
    """

    font_path: Path
    size: int
    min_size: int
    inset: Box  # left, top, right, bottom
    align_left: bool = False
    max_lines: int = 3

    def inner(self, box: Box) -> Box:
        left, top, right, bottom = self.inset
        return (box[0] + left, box[1] + top, box[2] - right, box[3] - bottom)

    def common_size(self, draw: ImageDraw.ImageDraw, texts: Sequence[str], sample: Box) -> int:
        """One font size for a set of labels, so that rows (or columns) look alike."""
        inner = self.inner(sample)
        width, height = inner[2] - inner[0], inner[3] - inner[1]
        fit = self.font_path, self.size, self.min_size, width, height, self.max_lines
        sizes = [int(_fit(draw, text, *fit)[0].size) for text in texts]
        return min(sizes, default=self.size)

    def draw(self, draw: ImageDraw.ImageDraw, box: Box, text: str, size: int, fill: RGB) -> None:
        """Write one label at the common `size` inside the inset of `box`."""
        _draw_centered(
            draw,
            self.inner(box),
            text,
            self.font_path,
            size,
            size,
            fill,
            max_lines=self.max_lines,
            align_left=self.align_left,
        )


# A phase's label sits under its heading ("Fase 3"), a layer's name is left-aligned in its row.
PHASE_LABEL = LabelStyle(REGULAR, 27, 18, (5, 50, 5, 6))
LAYER_LABEL = LabelStyle(BOLD, 29, 20, (12, 6, 12, 6), align_left=True)


def _fit(
    draw: ImageDraw.ImageDraw,
    text: str,
    font_path: Path,
    size: int,
    min_size: int,
    width: int,
    height: int,
    max_lines: int,
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font size (down to `min_size`) at which the text wraps into the box.

    Below `min_size` a word may overflow rather than be broken: a lost letter is worse than a
    slightly tight label, and the tests check that the data's labels fit.
    """
    for current in range(size, min_size - 1, -1):
        font = ImageFont.truetype(str(font_path), current)
        lines = _wrap(draw, text, font, width)
        ascent, descent = font.getmetrics()
        fits_height = len(lines) * (ascent + descent) * 1.08 <= height
        fits_width = all(draw.textlength(line, font=font) <= width for line in lines)
        if len(lines) <= max_lines and fits_height and fits_width:
            return font, lines
    return font, lines


def _wrap(
    draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int
) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and draw.textlength(candidate, font=font) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines
