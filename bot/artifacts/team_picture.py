"""The team on the maturity model: how many employees sit in each phase, or one employee's path.

The five phase columns of the model picture, read left to right. For the team, each column
holds a bar and the number of employees in that phase (number and bar: colour is never the only
cue). For one employee, each look is a numbered dot in the column of the phase it found, joined
in order, so moving up shows as a line going right.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

from bot.artifacts.palette import BLUE, GRID, HEADER_FILL, INK, PAPER, VERMILLION
from bot.artifacts.typeface import BOLD, REGULAR
from knowledge import KnowledgeBase

WIDTH = 1080
MARGIN = 24
TITLE = 90
HEADER = 120
BODY = 420
BAR = BLUE
PATH = VERMILLION


def _canvas(title: str) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (WIDTH, MARGIN * 2 + TITLE + HEADER + BODY), PAPER)
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


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def render_team_picture(knowledge: KnowledgeBase, phases: Sequence[str], title: str) -> bytes:
    """A bar and a number per phase column: how many of the employees are in that phase."""
    image, draw = _canvas(title)
    spans = _columns(draw, knowledge)
    counts = [sum(1 for phase in phases if phase == item.key) for item in knowledge.phases]
    most = max(counts, default=0) or 1
    bottom = MARGIN + TITLE + HEADER + BODY - 16
    font = ImageFont.truetype(str(BOLD), 44)
    for (left, right), count in zip(spans, counts, strict=True):
        height = int((BODY - 90) * count / most)
        if count:
            draw.rectangle((left + 40, bottom - height, right - 40, bottom), fill=BAR)
        draw.text(((left + right) // 2 - 12, bottom - height - 60), str(count), fill=INK, font=font)
    return _png(image)


def render_slot_picture(knowledge: KnowledgeBase, path: Sequence[str], title: str) -> bytes:
    """One employee's looks in order: numbered dots in their phase's column, joined by a line."""
    image, draw = _canvas(title)
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
    return _png(image)
