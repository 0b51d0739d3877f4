"""The team on the maturity model: how many employees sit in each phase, or one employee's path.

The five phase columns of the model picture, read left to right. For the team, each column
holds a bar and the number of employees in that phase (number and bar: colour is never the only
cue). For one employee, each look is a numbered dot in the column of the phase it found, joined
in order, so moving up shows as a line going right.

Both views (issue 21): where employees shared their own self-check, the team picture sets an
outlined bar with its own number beside each filled one, and one employee's path gets an open
ring in the column of the phase they chose themselves. Fill and a short label under each mark
("jij", "zelf") tell the two apart, and a legend line says what they mean: never colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from bot.artifacts.palette import BLUE, GRID, HEADER_FILL, INK, PAPER, VERMILLION
from bot.artifacts.png import png_bytes
from bot.artifacts.typeface import BOLD, REGULAR
from knowledge import KnowledgeBase

WIDTH = 1080
MARGIN = 24
TITLE = 90
HEADER = 120
BODY = 420
BAR = BLUE
PATH = VERMILLION
# Below the columns when the employee's own view is shown: a row for the labels (or the ring)
# and a line for the legend.
STRIP = 120
BODY_BOTTOM = MARGIN + TITLE + HEADER + BODY
OUTLINE = 6  # the outlined bar's and the ring's line width
RING = 24  # the ring's radius


@dataclass(frozen=True)
class OwnView:
    """The words that mark the employee's own view: the label under its mark, the label under
    the manager's bar (team picture only), and the legend line."""

    self_label: str
    own_label: str
    legend: str


def _canvas(title: str, strip: bool = False) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    height = MARGIN * 2 + TITLE + HEADER + BODY + (STRIP if strip else 0)
    image = Image.new("RGB", (WIDTH, height), PAPER)
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN, MARGIN + 20), title, fill=INK, font=ImageFont.truetype(str(BOLD), 40))
    return image, draw


def _columns(draw: ImageDraw.ImageDraw, knowledge: KnowledgeBase) -> list[tuple[int, int]]:
    """Draw the phase headers and column frames; returns each column's (left, right)."""
    width = (WIDTH - 2 * MARGIN) // len(knowledge.phases)
    top = MARGIN + TITLE
    bold, regular = ImageFont.truetype(str(BOLD), 30), ImageFont.truetype(str(REGULAR), 20)
    spans = []
    for index, phase in enumerate(knowledge.phases):
        left = MARGIN + index * width
        right = left + width
        draw.rectangle((left, top, right, top + HEADER), fill=HEADER_FILL, outline=GRID, width=2)
        draw.text((left + 12, top + 12), str(phase.number), fill=INK, font=bold)
        words, line, lines = phase.label.split(), "", []
        for word in words:
            trial = f"{line} {word}".strip()
            if draw.textlength(trial, font=regular) > width - 24 and line:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
        for number, text in enumerate(lines[:3]):
            draw.text((left + 12, top + 52 + number * 22), text, fill=INK, font=regular)
        draw.rectangle((left, top + HEADER, right, top + HEADER + BODY), outline=GRID, width=2)
        spans.append((left, right))
    return spans


def team_bars(left: int, right: int, both: bool) -> tuple[tuple[int, int], tuple[int, int]]:
    """The (left, right) of the filled bar and of the outlined bar in a column; with one view
    only, the filled bar takes the middle of the column and the outlined one is unused."""
    if not both:
        return (left + 40, right - 40), (0, 0)
    middle = (left + right) // 2
    return (left + 20, middle - 6), (middle + 6, right - 20)


def render_team_picture(
    knowledge: KnowledgeBase,
    phases: Sequence[str],
    title: str,
    own: Sequence[str] = (),
    words: OwnView | None = None,
) -> bytes:
    """A bar and a number per phase column: how many of the employees are in that phase.

    `own`: the phases the employees who shared chose themselves; with `words`, an outlined bar
    and its number beside each filled one, a label under each, and the legend below.
    """
    both = bool(own) and words is not None
    image, draw = _canvas(title, strip=both)
    spans = _columns(draw, knowledge)
    counts, selves = _per_phase(knowledge, phases), _per_phase(knowledge, own)
    most = max([*counts, *(selves if both else [])], default=0) or 1
    font = ImageFont.truetype(str(BOLD), 36 if both else 44)
    for (left, right), count, self_count in zip(spans, counts, selves, strict=True):
        filled, outlined = team_bars(left, right, both)
        _bar(draw, filled, (count, most), font, outline=False)
        if both and words is not None:
            _bar(draw, outlined, (self_count, most), font, outline=True)
            _labels(draw, ((filled, words.own_label), (outlined, words.self_label)))
    if both and words is not None:
        _legend(draw, words.legend)
    return png_bytes(image)


def _per_phase(knowledge: KnowledgeBase, phases: Sequence[str]) -> list[int]:
    """How many of `phases` fall in each phase column, left to right."""
    return [sum(1 for phase in phases if phase == item.key) for item in knowledge.phases]


def _bar(
    draw: ImageDraw.ImageDraw,
    span: tuple[int, int],
    count_of: tuple[int, int],
    font: ImageFont.FreeTypeFont,
    *,
    outline: bool,
) -> None:
    """One bar standing on the column's floor, its height `count` of `most`, its count above
    (the number says it too: colour is never the only cue)."""
    count, most = count_of
    bottom = BODY_BOTTOM - 16
    height = int((BODY - 90) * count / most)
    if count:
        box = (span[0], bottom - height, span[1], bottom)
        if outline:
            draw.rectangle(box, outline=BAR, width=OUTLINE)
        else:
            draw.rectangle(box, fill=BAR)
    number_x = (span[0] + span[1]) // 2 - 12
    draw.text((number_x, bottom - height - 60), str(count), fill=INK, font=font)


def _labels(draw: ImageDraw.ImageDraw, marks: Sequence[tuple[tuple[int, int], str]]) -> None:
    """A short word centred under each bar: which view it is, without relying on colour."""
    font = ImageFont.truetype(str(REGULAR), 24)
    for (start, end), text in marks:
        width = draw.textlength(text, font=font)
        draw.text(((start + end - width) / 2, BODY_BOTTOM + 12), text, fill=INK, font=font)


def _legend(draw: ImageDraw.ImageDraw, text: str) -> None:
    """The legend line at the foot of the strip below the columns."""
    font = ImageFont.truetype(str(REGULAR), 26)
    draw.text((MARGIN, BODY_BOTTOM + STRIP - 48), text, fill=INK, font=font)


def ring_centre(knowledge: KnowledgeBase, phase: str) -> tuple[int, int]:
    """Where the ring of the employee's own phase sits: in the strip under its column, left of
    the middle so that the label fits beside it."""
    number_of = {item.key: index for index, item in enumerate(knowledge.phases)}
    width = (WIDTH - 2 * MARGIN) // len(knowledge.phases)
    left = MARGIN + number_of[phase] * width
    return left + width // 2 - 30, BODY_BOTTOM + 12 + RING


def render_slot_picture(
    knowledge: KnowledgeBase,
    path: Sequence[str],
    title: str,
    own: str | None = None,
    words: OwnView | None = None,
) -> bytes:
    """One employee's looks in order: numbered dots in their phase's column, joined by a line.

    `own`: the phase the employee chose themselves; with `words`, an open ring with the label
    beside it under that phase's column, and the legend below.
    """
    shown = own is not None and words is not None
    image, draw = _canvas(title, strip=shown)
    spans = _columns(draw, knowledge)
    number_of = {phase.key: index for index, phase in enumerate(knowledge.phases)}
    top = MARGIN + TITLE + HEADER + 40
    step = (BODY - 80) // max(len(path), 1)
    points = []
    for order, phase in enumerate(path):
        left, right = spans[number_of[phase]]
        points.append(((left + right) // 2, top + order * step + step // 2))
    if len(points) > 1:
        draw.line(points, fill=PATH, width=6)
    font = ImageFont.truetype(str(BOLD), 24)
    for order, (x, y) in enumerate(points, start=1):
        draw.ellipse((x - 22, y - 22, x + 22, y + 22), fill=PATH, outline=INK, width=3)
        draw.text((x - 8, y - 14), str(order), fill=PAPER, font=font)
    if own is not None and words is not None:
        x, y = ring_centre(knowledge, own)
        draw.ellipse((x - RING, y - RING, x + RING, y + RING), outline=PATH, width=OUTLINE)
        label = ImageFont.truetype(str(REGULAR), 24)
        draw.text((x + RING + 8, y - 14), words.self_label, fill=INK, font=label)
        _legend(draw, words.legend)
    return png_bytes(image)
