"""The figures page in a real headless Chromium: every chart is drawn, with one bar per count shown.

Checked twice, in two ways: the DOM has one `rect.bar` per count shown (none for a hidden one),
and a screenshot of each chart has that many bars in the bars' colours (so they are really
painted, not only present). On a laptop's width and on a phone's.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from browser import chromium, headless, viewport
from dialog_helpers import engine
from PIL import Image
from selenium.webdriver.common.by import By

from bot.stats import CountFiles, Key
from bot.stats.cli import Written, write_report
from bot.stats.page import COLOURS

FLOOR = 10


def counts() -> dict[Key, int]:
    """A few weeks of use: most cells above the floor, some below (they get no bar)."""
    found: dict[Key, int] = {}
    for week, starts in enumerate((40, 25, 6, 31)):
        day = date(2026, 2, 2 + 7 * week).isoformat()
        found[Key(day, "started")] = starts
        found[Key(day, "role", "lijn")] = starts
        found[Key(day, "phase", "lijn", "actie")] = starts // 2
        found[Key(day, "phase", "mkb", "toepassen")] = starts // 3
        found[Key(day, "checked", "lijn", "actie")] = starts // 2
        found[Key(day, "gap", "lijn", "actie", gap="integrale-visie")] = starts // 3
        found[Key(day, "gap", "lijn", "actie", gap="veiligheid-en-werkdruk")] = 2
        found[Key(day, "advice", "lijn", "actie", "maken")] = starts - 1
        found[Key(day, "plan", "lijn", "actie")] = starts // 2
        found[Key(day, "reminder", "lijn", "actie")] = starts // 4
        found[Key(day, "checkin_up", "lijn", "actie", "", "", "gedaan")] = starts // 4
        found[Key(day, "checkin_same", "lijn", "overwegen")] = 3
        found[Key(day, "step_done", "lijn", "actie")] = starts // 5
    return found


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Written:
    why = chromium()
    if why is not None:
        pytest.skip(why)
    data = tmp_path_factory.mktemp("data")
    CountFiles(data).add(counts())
    return write_report(data, data / "out", FLOOR, engine(), today=date(2026, 3, 1))


def near(pixel: tuple[int, ...], colour: str, tolerance: int = 40) -> bool:
    wanted = (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], wanted, strict=True))


def rgb(image: Image.Image, x: int, y: int) -> tuple[int, ...]:
    pixel = image.getpixel((x, y))
    assert isinstance(pixel, tuple)
    return pixel


def runs(line: list[tuple[int, ...]]) -> int:
    """How many separate stretches of bar colour a line of pixels crosses."""
    found, inside = 0, False
    for pixel in line:
        coloured = any(near(pixel, colour) for colour in COLOURS)
        if coloured and not inside:
            found += 1
        inside = coloured
    return found


@pytest.mark.slow
@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)], ids=["laptop", "phone"])
def test_each_chart_is_drawn_with_one_bar_per_count_shown(
    page: Written, width: int, height: int, tmp_path: Path
) -> None:
    mobile = width < 500
    with headless(max(width, 800), height) as driver:
        viewport(driver, width, height, mobile=mobile)
        driver.get(page.page.resolve().as_uri())
        assert driver.title == "Cijfers over het gebruik van de Leercultuur-coach"
        # Readable on the screen: the page never gets wider than the window.
        assert driver.execute_script("return document.documentElement.scrollWidth") <= width
        # The whole page in one screenshot: a window as tall as the page.
        tall = driver.execute_script("return document.documentElement.scrollHeight")
        viewport(driver, width, tall + 200, mobile=mobile)
        shot = tmp_path / "page.png"
        assert driver.get_screenshot_as_file(str(shot))
        screen = Image.open(shot).convert("RGB")
        assert page.report.figures
        for figure in page.report.figures:
            shown = sum(value is not None for row in figure.rows for value in row.values)
            assert shown, f"{figure.key}: the test data must show bars"
            chart = driver.find_element(By.CSS_SELECTOR, f'svg[data-figure="{figure.key}"]')
            bars = chart.find_elements(By.CSS_SELECTOR, "rect.bar")
            assert len(bars) == shown, figure.key
            assert all(bar.size["width"] > 0 and bar.size["height"] > 0 for bar in bars)
            box = chart.rect
            left, top = round(box["x"]), round(box["y"])
            area = screen.crop((left, top, left + round(box["width"]), top + round(box["height"])))
            if figure.chart == "columns":  # a row of pixels just above the axis crosses each bar
                y = area.height - 8
                line = [rgb(area, x, y) for x in range(area.width)]
            else:  # a column of pixels at the bars' start crosses each bar
                line = [rgb(area, 1, y) for y in range(area.height)]
            assert runs(line) == shown, f"{figure.key}: painted bars"
