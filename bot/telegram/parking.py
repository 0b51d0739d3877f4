"""Updates fetched and not yet handled, kept on disk so that polling can move on without them.

Why: Telegram's `getUpdates` offset confirms every update below it, and Telegram then forgets them.
An update still waiting (a chat held by flood control for 30 s, or only a slow handler) could keep
the offset where it is, but then Telegram sends it back at once on every call: the poller either
spins, pauses (every tap of every user then waits for that pause), or stops asking while its window
of 100 updates is full of the waiting chat's messages (everyone else then waits for that chat). So
the updates in hand are parked here, durably, *before* an offset passes them: the offset can then
always move to the newest update, long polling waits for new ones only, and a kill loses nothing,
because a restarted bot replays what is parked, in order, before anything new.

One file per parking (the updates in hand at that moment, a few hundred bytes each), written
atomically (temp file, fsync, rename, directory fsync). A file is deleted when all its updates are
handled; that deletion is not forced to disk: an update replayed after a crash that had been handled
already is recognised by the conversation service's redelivery check and changes nothing.

Privacy: a parked update is the user's input, kept only until it is handled (as Telegram itself
keeps it until it is confirmed). Names, usernames and phone numbers are not needed to handle it and
are left out of the file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.persistence.atomic import TEMP_SUFFIX, atomic_write_bytes, ensure_dir

log = logging.getLogger(__name__)

PARKED_DIR = "parked"
# Fields of a user, chat or contact that say who someone is: never written to disk here. Those
# the Telegram library requires are kept, but empty.
_PERSONAL = frozenset({"last_name", "username", "vcard", "title", "bio"})
_REQUIRED = frozenset({"first_name", "phone_number"})


def scrubbed(value: Any) -> Any:
    """`value` (decoded JSON) without names and phone numbers, at any depth."""
    if isinstance(value, dict):
        return {
            key: "" if key in _REQUIRED else scrubbed(item)
            for key, item in value.items()
            if key not in _PERSONAL
        }
    if isinstance(value, list):
        return [scrubbed(item) for item in value]
    return value


def _id_of(raw: Any) -> int | None:
    value = raw.get("update_id") if isinstance(raw, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class Parking:
    """The parked updates of one bot: which file holds which update still to be handled."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._ids_of: dict[str, set[int]] = {}  # file name → its updates not yet handled
        self._file_of: dict[int, str] = {}  # update id → the file that holds it
        self._serial = 0

    @property
    def parked(self) -> int:
        """How many parked updates are not handled yet (bounded by the poller's limit)."""
        return len(self._file_of)

    def load(self) -> list[Any]:
        """Every parked update an earlier run left, oldest first (blocking: run it in a thread).

        Temp files of a write the earlier run did not finish are deleted: no offset passed their
        updates, so Telegram still has them. A file that cannot be read is logged and kept.
        """
        ensure_dir(self.directory)
        found: dict[int, Any] = {}
        for path in sorted(self.directory.iterdir()):
            if path.name.endswith(TEMP_SUFFIX):
                with contextlib.suppress(OSError):
                    path.unlink()
                continue
            for raw in self._read(path):
                update_id = _id_of(raw)
                if update_id is not None and update_id not in found:
                    found[update_id] = raw
                    self._register_one(path.name, update_id)
        return [found[update_id] for update_id in sorted(found)]

    def _read(self, path: Path) -> list[Any]:
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError) as err:
            log.error("A file of parked updates cannot be read (%s); kept", type(err).__name__)
            return []
        return data if isinstance(data, list) else []

    def write(self, raws: list[Any]) -> str:
        """Store `raws` durably in a new file; returns its name (blocking: run it in a thread).

        Raises OSError when the disk refused: then nothing may confirm these updates.
        """
        self._serial += 1
        name = f"{time.time_ns():020d}-{os.getpid()}-{self._serial}.json"
        body = json.dumps([scrubbed(raw) for raw in raws], separators=(",", ":"))
        # Joined as text: each name is new, and pathlib would intern it (see `_record_path` in
        # bot/persistence/store.py).
        atomic_write_bytes(os.path.join(self.directory, name), body.encode())
        return name

    def register(self, name: str, waiting: Iterable[int]) -> None:
        """File `name` holds these updates still to be handled; deleted at once when none are."""
        for update_id in waiting:
            self._register_one(name, update_id)
        if name not in self._ids_of:
            self._remove(name)

    def _register_one(self, name: str, update_id: int) -> None:
        self._ids_of.setdefault(name, set()).add(update_id)
        self._file_of[update_id] = name

    def handled(self, update_id: int) -> None:
        """The update was handled: its file goes when it holds nothing else still to handle."""
        name = self._file_of.pop(update_id, None)
        if name is None:
            return
        waiting = self._ids_of[name]
        waiting.discard(update_id)
        if not waiting:
            del self._ids_of[name]
            self._remove(name)

    def _remove(self, name: str) -> None:
        """Delete a file whose updates are all handled (a failure only means a harmless replay)."""
        try:
            os.unlink(os.path.join(self.directory, name))
        except FileNotFoundError:
            pass
        except OSError as err:
            log.warning("A file of handled updates was not deleted (%s)", type(err).__name__)
