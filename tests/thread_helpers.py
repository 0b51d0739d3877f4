"""Where a piece of the service runs: on the event loop or in a worker thread."""

from __future__ import annotations

import asyncio


def on_a_loop() -> bool:
    """True in the event loop's thread; False in a worker thread (no loop runs there)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
