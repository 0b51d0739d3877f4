"""The one typeface of every artifact: DejaVu Sans, shipped inside this package, cut to the
characters our texts can use.

Dutch needs é, ë, ï, ’, “ ” and –; fpdf2's built-in fonts are latin-1 only and Pillow's default
font depends on how Pillow was built. A vendored TTF (permissive Bitstream Vera licence, see
`fonts/LICENSE`) renders the same on every machine that installed us from PyPI alone.

The vendored files hold only the Latin letters, punctuation, arrows and check marks of
`CHARACTERS`, not DejaVu's 6,000 glyphs: fpdf2 reads the whole font for every document, and
the full font made reading it take longer than drawing the plan. A text with a character outside
`CHARACTERS` fails a test (tests/test_artifacts_typeface.py); widen `CHARACTERS` and cut the
fonts again with `python -m bot.artifacts.font_cutter`.
"""

from __future__ import annotations

from pathlib import Path

FONTS_DIR = Path(__file__).parent / "fonts"
REGULAR = FONTS_DIR / "DejaVuSans.ttf"
BOLD = FONTS_DIR / "DejaVuSans-Bold.ttf"

# Unicode ranges, as pyftsubset writes them: Basic Latin, Latin-1, Latin Extended-A and -B
# (every language written in Latin letters that a bundle may add), General Punctuation, the euro
# sign, arrows, and the check marks and the round-tipped arrow of the chat texts.
CHARACTERS = "U+0020-007E,U+00A0-024F,U+2000-206F,U+20AC,U+2190-21FF,U+2713-2714,U+279C"
