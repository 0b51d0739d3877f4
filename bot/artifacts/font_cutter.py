"""Cuts the vendored DejaVu Sans files down to `typeface.CHARACTERS`: a command for developers,
run again after widening `CHARACTERS` (`python -m bot.artifacts.font_cutter`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools import subset  # type: ignore[import-untyped]

from bot.artifacts.typeface import BOLD, CHARACTERS, REGULAR

# Debian's fonts-dejavu-core 2.37, the release the vendored files were cut from.
DEFAULT_SOURCE = Path("/usr/share/fonts/truetype/dejavu")


def cut(source: Path, target: Path) -> None:
    """Write `source` cut to `CHARACTERS` to `target`, keeping its hinting (Pillow renders small
    labels with it) and every layout feature (kerning in the PDF)."""
    options = subset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset.parse_unicodes(CHARACTERS))
    subsetter.subset(font)
    subset.save_font(font, str(target), options)


def main(argv: list[str] | None = None) -> None:
    """Cut the vendored fonts anew from DejaVu Sans (by default Debian's fonts-dejavu-core)."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.artifacts.font_cutter", description=main.__doc__
    )
    parser.add_argument(
        "--source", type=Path, default=DEFAULT_SOURCE, help="folder with DejaVuSans*.ttf"
    )
    source = parser.parse_args(argv).source
    for vendored in (REGULAR, BOLD):
        cut(source / vendored.name, vendored)
        print(f"{vendored}: {vendored.stat().st_size} bytes")


if __name__ == "__main__":
    main()
