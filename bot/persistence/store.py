"""Durable per-chat records: one small TinyDB file per chat, sharded over subdirectories.

Why one file per chat: TinyDB rewrites its whole file on every write, so a single database for all
chats would make each save cost grow with the number of chats. Here a save rewrites only that chat's
file (a few hundred bytes), atomically, so its cost stays flat whether 100 or 100,000 chats are
stored (see `bench/persistence_growth.py`). Subdirectories named by a hash of the chat id keep
directories small.

The methods are synchronous and blocking (fsync); async callers run them in a worker thread.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import ValidationError
from tinydb import TinyDB
from tinydb.table import Document

from bot.persistence.atomic import TEMP_SUFFIX, ensure_dir, remove_durably
from bot.persistence.keys import check_key, shard_of
from bot.persistence.records import ChatRecord, utc_now
from bot.persistence.storage import AtomicJSONStorage, encode

log = logging.getLogger(__name__)

TABLE = "chat"
DOC_ID = 1
SESSIONS_DIR = "sessions"


def record_bytes(record: ChatRecord) -> bytes:
    """The exact bytes a save writes (TinyDB's format), e.g. to create benchmark fixtures fast."""
    return encode({TABLE: {str(DOC_ID): record.model_dump(mode="json")}})


class SessionStore:
    """Load, save, erase and expire chat records under `<data_dir>/sessions/`."""

    def __init__(self, data_dir: Path) -> None:
        self._root = data_dir / SESSIONS_DIR

    @property
    def root(self) -> Path:
        return self._root

    def path_for(self, key: str) -> Path:
        """`sessions/<shard>/<key>.json`; raises ValueError for a key unsafe as a file name."""
        return self._root / shard_of(check_key(key)) / f"{key}.json"

    def load(self, key: str) -> ChatRecord | None:
        """The chat's record, or None when nothing is stored (or it is unreadable)."""
        path = self.path_for(key)
        if not path.is_file():
            return None
        try:
            with TinyDB(path, storage=AtomicJSONStorage) as db:
                doc = db.table(TABLE).get(doc_id=DOC_ID)
        except (OSError, ValueError) as err:
            log.warning("Sessiebestand onleesbaar (%s); de chat begint opnieuw", type(err).__name__)
            return None
        if doc is None:
            return None
        try:
            return ChatRecord.model_validate(dict(doc))
        except ValidationError:
            # An incompatible schema version: start afresh rather than fail every update.
            log.warning("Sessie past niet bij het huidige schema; de chat begint opnieuw")
            return None

    def save(self, key: str, record: ChatRecord) -> None:
        """Write the record durably; returns only when it is on disk."""
        record.saved_at = utc_now()
        path = self.path_for(key)
        with TinyDB(path, storage=AtomicJSONStorage) as db:
            db.table(TABLE).upsert(Document(record.model_dump(mode="json"), doc_id=DOC_ID))

    def erase(self, key: str) -> bool:
        """Delete everything stored about the chat; False when there was nothing."""
        return remove_durably(self.path_for(key))

    def mark_blocked(self, key: str) -> None:
        """Remember that the user blocked the bot, so nothing more is sent to them."""
        record = self.load(key) or ChatRecord()
        if not record.blocked:
            record.blocked = True
            self.save(key, record)

    def files(self) -> Iterator[Path]:
        if not self._root.is_dir():
            return
        for shard in os.scandir(self._root):
            if shard.is_dir():
                for entry in os.scandir(shard.path):
                    yield Path(entry.path)

    def count(self) -> int:
        return sum(1 for path in self.files() if path.suffix == ".json")

    def prepare(self) -> int:
        """Create the root and remove temp files a killed process left behind; returns removed."""
        ensure_dir(self._root)
        removed = 0
        for path in self.files():
            if path.name.endswith(TEMP_SUFFIX) and remove_durably(path):
                removed += 1
        return removed

    def purge_idle(self, retention: timedelta, now: datetime | None = None) -> int:
        """Delete records not saved within `retention`; returns how many were deleted.

        The file's mtime is a cheap first filter (a save always touches it); the stored `saved_at`
        decides, so a restored backup with fresh mtimes is still judged by its content.
        """
        cutoff = (now or utc_now()) - retention
        cutoff_ts = cutoff.timestamp()
        deleted = 0
        for path in self.files():
            if path.suffix != ".json":
                continue
            try:
                if path.stat().st_mtime >= cutoff_ts:
                    saved_at = self._saved_at(path)
                    if saved_at is not None and saved_at >= cutoff:
                        continue
                if remove_durably(path):
                    deleted += 1
            except OSError:
                continue
        return deleted

    @staticmethod
    def _saved_at(path: Path) -> datetime | None:
        try:
            with TinyDB(path, storage=AtomicJSONStorage) as db:
                doc = db.table(TABLE).get(doc_id=DOC_ID)
            if doc is None:
                return None
            return ChatRecord.model_validate(dict(doc)).saved_at
        except (OSError, ValueError):
            return None
