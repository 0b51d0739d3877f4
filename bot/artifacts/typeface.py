"""The one typeface of every artifact: DejaVu Sans, shipped inside this package.

Dutch needs é, ë, ï, ’, “ ” and –; fpdf2's built-in fonts are latin-1 only and Pillow's default
font depends on how Pillow was built. A vendored TTF (permissive Bitstream Vera licence, see
`fonts/LICENSE`) renders the same on every machine that installed us from PyPI alone.
"""

from __future__ import annotations

from pathlib import Path

FONTS_DIR = Path(__file__).parent / "fonts"
REGULAR = FONTS_DIR / "DejaVuSans.ttf"
BOLD = FONTS_DIR / "DejaVuSans-Bold.ttf"
