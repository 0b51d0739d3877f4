"""Broken session files are moved aside, never silently deleted and never left in the way.

Why: a file that cannot be read (hand-edited, from a damaged backup, from a newer bot version)
would otherwise fail every update of that chat, or be overwritten by the next save and lost. Moved
to `<data_dir>/quarantine/`, the chat starts afresh while the operator can still inspect the file.
Quarantined files obey the same retention as sessions (counted from the moment they were moved),
so the privacy promise "deleted after N days of inactivity" also holds for them. They are still
the user's data: /privacy shows that a copy is kept and /vergeet erases it (`copies`, `erase`).

A copy is named `<chat key>.<nanoseconds>.json` (a key holds no dot). What was moved may also be a
directory that stood where a session file belongs: it is kept, counted and erased the same way.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Final

from bot.persistence.atomic import ensure_dir, fsync_dir, listed, remove_durably

log = logging.getLogger(__name__)

QUARANTINE_DIR = "quarantine"


class Quarantine:
    """The quarantine directory, and how many files this process moved there."""

    def __init__(self, directory: Path) -> None:
        self.path: Final = directory  # fixed for the quarantine's life
        self._lock = threading.Lock()
        self._moved = 0

    @property
    def moved(self) -> int:
        """Files this process moved aside since it started (a counter for logs and checks)."""
        return self._moved

    def move(self, path: Path, reason: str) -> bool:
        """Move `path` aside; False when it was already gone (another thread moved it first).

        `reason` is logged, so it must hold no personal data (no key, no stored value).
        Raises OSError when the file cannot be moved: then it must not be overwritten either.
        """
        ensure_dir(self.path)
        target = self.path / f"{path.stem}.{time.time_ns()}{path.suffix}"
        try:
            os.replace(path, target)
        except FileNotFoundError:
            return False
        os.utime(target)  # its retention starts now, so the operator has time to look at it
        fsync_dir(self.path)
        fsync_dir(path.parent)
        with self._lock:
            self._moved += 1
        log.warning("Session file moved to quarantine (%s); that chat starts afresh", reason)
        return True

    def files(self) -> list[Path]:
        """Every quarantined copy (a file, or whatever else stood in a session file's place)."""
        return listed(self.path)

    def copies(self, key: str) -> list[Path]:
        """The quarantined copies of chat `key` (a chat key never holds a dot)."""
        prefix = f"{key}."
        return [path for path in self.files() if path.name.startswith(prefix)]

    def erase(self, key: str) -> int:
        """Delete every quarantined copy of chat `key` (for /vergeet); returns how many."""
        return sum(1 for path in self.copies(key) if _remove(path))

    def count(self) -> int:
        """Files in quarantine now (also those moved by earlier runs)."""
        return len(self.files())

    def purge(self, cutoff_ts: float) -> int:
        """Delete quarantined files moved before `cutoff_ts` (a POSIX time); returns how many."""
        deleted = 0
        for path in self.files():
            try:
                if path.lstat().st_mtime < cutoff_ts and _remove(path):
                    deleted += 1
            except OSError as err:
                log.warning("Quarantined file not purged (%s)", type(err).__name__)
        if deleted:
            log.info("Retention: %d quarantined session files deleted", deleted)
        return deleted


def _remove(path: Path) -> bool:
    """Delete a quarantined copy durably, a directory with all it holds; False when gone."""
    if not path.is_dir() or path.is_symlink():
        return remove_durably(path)
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        return False
    fsync_dir(path.parent)
    return True
