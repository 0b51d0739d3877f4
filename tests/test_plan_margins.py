"""Every line of every action plan lies inside the page's margins (issue 19, part 3).

The plan's "Terugblik" line ran off the page for HR and director (text at x = 601 and 597 pt on a
595 pt page). Measured on the PDF itself: where each run of text starts (pypdf's text visitor)
and how wide it is (the embedded typeface's advance widths, as fpdf2 sets them, unkerned).
"""

from __future__ import annotations

import io
from dataclasses import replace
from functools import cache

import pytest
from dialog_helpers import PHASES, ROLES, advised, engine
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from pypdf import PdfReader

from bot.artifacts import render
from bot.artifacts.plan_layout import MARGIN
from bot.artifacts.typeface import BOLD, REGULAR
from dialogs import Event

POINTS_PER_MM = 72 / 25.4
SLACK = 0.5  # points: rounding of the positions fpdf2 writes


@cache
def _advances(bold: bool) -> tuple[dict[int, str], dict[str, int], int]:
    font = TTFont(str(BOLD if bold else REGULAR))
    return (
        font.getBestCmap(),
        {k: v[0] for k, v in font["hmtx"].metrics.items()},
        font["head"].unitsPerEm,
    )


def _width(text: str, bold: bool, size: float) -> float:
    cmap, advances, per_em = _advances(bold)
    return sum(advances[cmap[ord(char)]] for char in text if ord(char) in cmap) * size / per_em


def overruns(data: bytes) -> list[str]:
    """Each run of text that starts left of the left margin or ends right of the right one."""
    page = PdfReader(io.BytesIO(data)).pages[0]
    width = float(page.mediabox.width)
    left, right = MARGIN * POINTS_PER_MM - SLACK, width - MARGIN * POINTS_PER_MM + SLACK
    found: list[str] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if not text.strip():
            return
        name = str(font.get("/BaseFont", "")) if isinstance(font, dict) else ""
        x = tm[4] * cm[0] + cm[4]
        end = x + _width(text.rstrip(), "Bold" in name, size * tm[0] * cm[0])
        if x < left or end > right:
            found.append(f"{text.strip()[:40]!r}: {x:.0f}-{end:.0f} pt of {width:.0f}")

    page.extract_text(visitor_text=visit)
    return found


@pytest.mark.slow
@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_line_of_every_plan_lies_inside_the_margins(role: str) -> None:
    for number, _ in enumerate(PHASES, start=1):
        session = advised(role, number)
        assert overruns(render("action_plan", session, engine()).data) == [], (role, number)
        while "meer" in {o.id for o in engine().current_options(session)}:
            engine().handle(session, Event.option("meer"))
            engine().handle(session, Event.option("terug"))
        assert overruns(render("action_plan", session, engine()).data) == [], (role, number)


def test_the_measure_finds_a_line_that_runs_off() -> None:
    """The check can fail: a plan whose review line is far too long is caught."""
    words = engine().bundle
    texts = words.artifacts.action_plan
    long = texts.model_copy(
        update={"check_in_with": {**texts.check_in_with, "hr": "iedereen " * 12}}
    )
    bundle = replace(words, artifacts=words.artifacts.model_copy(update={"action_plan": long}))
    data = render("action_plan", advised("hr", 3), engine(), bundle=bundle).data
    assert overruns(data) == []  # wrapped, not cut off: the words are all on the page
    assert "iedereen iedereen" in " ".join(
        PdfReader(io.BytesIO(data)).pages[0].extract_text().split()
    )
