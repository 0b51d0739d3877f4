"""The colours every picture and the plan share: one palette, so that they look like one product.

Okabe-Ito colours, which stay distinguishable with the common forms of colour blindness, and
greys. Defined once: a colour changed for one artifact changes for all of them.
"""

from __future__ import annotations

RGB = tuple[int, int, int]

INK: RGB = (0, 0, 0)
PAPER: RGB = (255, 255, 255)
GRID: RGB = (64, 64, 64)
HEADER_FILL: RGB = (235, 235, 235)
BLUE: RGB = (0, 114, 178)  # Okabe-Ito blue: the reader's layers, the bars, the plan's accent
ORANGE: RGB = (230, 159, 0)  # Okabe-Ito orange
VERMILLION: RGB = (213, 94, 0)  # Okabe-Ito vermillion
