"""The index of pending check-ins: one empty file `<due>_<key>` per chat with a check-in.

Why an index: the scheduler finds what is due by reading names, never by parsing every record
each minute, and a restart, a crash or an upgrade loses no check-in (the names are on disk).

Why the names are also kept in memory: every save keeps its chat's entry in step with its record,
and finding that entry by listing the folder cost time in proportion to all pending check-ins:
13.6 ms per save at 1,000 of them and 134 ms at 10,000, for every turn of every user. The store
lists the folder once, on its first save, and then knows each chat's entry; a save that changes
nothing about a check-in costs one `stat`. One store object per data folder writes its index (the
bot's own); the scheduler's look for what is due always lists the folder itself.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.persistence.atomic import atomic_write_bytes, listed, remove_durably

DUE_FORMAT = "%Y%m%dT%H%M%SZ"


def marker_name(key: str, due: datetime) -> str:
    return f"{due.astimezone(UTC).strftime(DUE_FORMAT)}_{key}"


def parse_marker(name: str) -> tuple[datetime, str] | None:
    """(due, key) of an index entry; None for anything else (a temp file, a stray name)."""
    stamp, _, key = name.partition("_")
    try:
        due = datetime.strptime(stamp, DUE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
    return (due, key) if key else None


@dataclass(frozen=True)
class Marker:
    """One entry of the index: when the chat's check-in is due, the chat, and the file."""

    due: datetime
    key: str
    path: Path


class CheckinIndex:
    """The entries under one folder, and which entry each chat has (see the module docstring)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._names: dict[str, list[str]] | None = None  # chat key -> its entries; None: not read
        # Saves of different chats run in worker threads side by side: the first one reads the
        # folder, and no two change the mapping at once.
        self._lock = threading.Lock()

    def entries(self) -> list[Marker]:
        """Every entry on disk now (for the scheduler and the purge), read from the folder."""
        found = []
        for path in listed(self.directory):
            parsed = parse_marker(path.name)
            if parsed is not None:
                found.append(Marker(parsed[0], parsed[1], path))
        return found

    def put(self, key: str, due: datetime | None) -> None:
        """Make the chat's entry say `due` (None: no entry), written after the record itself.

        A crash in between leaves at worst a stale entry: the scheduler checks the record, and
        the chat's next save puts the entry right.
        """
        wanted = [] if due is None else [marker_name(key, due)]
        with self._lock:
            names = self._known()
            current = names.get(key, [])
            if current == wanted and all((self.directory / name).exists() for name in wanted):
                return
            for name in wanted:  # the write makes the folder when it is not there yet
                atomic_write_bytes(self.directory / name, b"")
            for name in current:
                if name not in wanted:
                    remove_durably(self.directory / name)
            if wanted:
                names[key] = wanted
            else:
                names.pop(key, None)

    def _known(self) -> dict[str, list[str]]:
        """Each chat's entries (one, unless an older store left more), read from the folder the
        first time (under the lock)."""
        if self._names is None:
            names: dict[str, list[str]] = {}
            for marker in self.entries():
                names.setdefault(marker.key, []).append(marker.path.name)
            self._names = names
        return self._names
