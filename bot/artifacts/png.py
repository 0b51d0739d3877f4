"""PNG bytes of a drawn picture, encoded for speed rather than the last kilobyte.

Why: with `optimize=True` (zlib level 9 and a search over filters) encoding took about 0.19 s of
the model picture's 0.24 s of CPU, and a bot that has just started renders each role and phase
once before its cache holds them. zlib level 3 takes a quarter of that for a file about a sixth
larger (86 KB -> 101 KB); Telegram re-encodes a photo anyway, so the bytes only cross to its
servers once. Measured with `python -m bench.e2e_throughput` (issue 24).
"""

from __future__ import annotations

import io

from PIL import Image

COMPRESS_LEVEL = 3


def png_bytes(image: Image.Image) -> bytes:
    """`image` as a PNG file's bytes."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=COMPRESS_LEVEL)
    return buffer.getvalue()
