"""One asyncio lock per chat, so two updates of the same chat never interleave.

With concurrent update processing a quick double tap could otherwise load the same session twice
and lose one of the answers. Locks live in a weak mapping: an idle chat costs nothing.
"""

from __future__ import annotations

import asyncio
import weakref


class ChatLocks:
    """Hands out the same lock for the same chat key while anyone holds or awaits it."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def for_chat(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock
