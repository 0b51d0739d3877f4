"""The vendored fonts are cut to `CHARACTERS`: every character any text of ours can put into a
picture or a plan must still be in them, or it would print as an empty box."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from bot.artifacts.typeface import BOLD, REGULAR

ROOT = Path(__file__).parent.parent
# Every file a user-facing text can come from: the bundles (the test bundle too, as a stand-in
# for a language still to come), the knowledge and the dialog's data.
TEXT_FILES = sorted(
    [
        *ROOT.glob("locales/*/*.yaml"),
        *ROOT.glob("tests/data/locales/*/*.yaml"),
        *ROOT.glob("knowledge/data/*.yaml"),
        *ROOT.glob("dialogs/data/*.yaml"),
    ]
)


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def used_characters() -> dict[str, Path]:
    """Each printable character of our texts, with a file it is in."""
    found: dict[str, Path] = {}
    for path in TEXT_FILES:
        for text in strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
            for character in text:
                if character.isprintable():
                    found.setdefault(character, path)
    return found


def test_the_text_files_are_found() -> None:
    assert len(TEXT_FILES) >= 8
    assert "é" in used_characters()


@pytest.mark.parametrize("font", [REGULAR, BOLD], ids=lambda path: path.stem)
def test_every_character_of_our_texts_is_in_the_font(font: Path) -> None:
    cmap = TTFont(font).getBestCmap()
    missing = {
        f"U+{ord(c):04X} {c!r} ({path.relative_to(ROOT)})"
        for c, path in used_characters().items()
        if ord(c) not in cmap
    }
    assert missing == set(), "widen typeface.CHARACTERS and cut the fonts again"


@pytest.mark.parametrize("font", [REGULAR, BOLD], ids=lambda path: path.stem)
def test_the_font_is_cut_to_a_small_file(font: Path) -> None:
    """The point of the cut: fpdf2 reads the whole font for every plan."""
    assert font.stat().st_size < 150_000
