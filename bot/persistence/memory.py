"""A record store in memory, for the console and for tests of the conversation service.

It keeps records as JSON, as the file store does, so a loaded record is always a fresh copy: what a
caller changes is stored only when it saves, exactly as with files. It offers the file store's
record API (keys checked the same way); nothing here can be unreadable or fail to save.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.persistence.keys import check_key
from bot.persistence.marks import Mark
from bot.persistence.records import ChatRecord, utc_now
from bot.persistence.store import LoadResult


class MemoryStore:
    """Records by key, lost when the process ends."""

    def __init__(self) -> None:
        self._records: dict[str, str] = {}
        # Records set aside (the file store's quarantine), by key: kept until erased.
        self._aside: dict[str, list[str]] = {}

    def load_result(self, key: str) -> LoadResult:
        raw = self._records.get(check_key(key))
        return LoadResult(None if raw is None else ChatRecord.model_validate_json(raw))

    def load(self, key: str) -> ChatRecord | None:
        return self.load_result(key).record

    def is_blocked(self, key: str) -> bool:
        return self.load_result(key).blocked

    def save(self, key: str, record: ChatRecord) -> None:
        self.stage(key, record).commit()

    def stage(self, key: str, record: ChatRecord) -> StagedMemoryRecord:
        """The save of the record as it is now, kept once committed (as the file store's)."""
        record.saved_at = utc_now()
        return StagedMemoryRecord(self._records, check_key(key), record.model_dump_json())

    def note(self, key: str, record: ChatRecord) -> None:
        """Only the delivery marks, and only onto the record they belong to: as the file store."""
        raw = self._records.get(check_key(key))
        if raw is None:
            return
        stored = ChatRecord.model_validate_json(raw)
        if Mark.of(record).apply_to(stored):
            self._records[key] = stored.model_dump_json()

    def erase(self, key: str) -> bool:
        aside = self._aside.pop(check_key(key), None)
        return self._records.pop(key, None) is not None or aside is not None

    def set_aside(self, key: str, reason: str) -> bool:
        raw = self._records.pop(check_key(key), None)
        if raw is None:
            return False
        self._aside.setdefault(key, []).append(raw)
        return True

    def quarantined_copies(self, key: str) -> int:
        return len(self._aside.get(check_key(key), []))

    def mark_blocked(self, key: str) -> None:
        record = self.load(key) or ChatRecord()
        record.blocked = True
        self.save(key, record)

    def due_checkins(self, now: datetime) -> list[str]:
        """Keys of chats whose check-in is due at `now`, the longest waiting first."""
        dues = []
        for key in self._records:
            record = self.load(key)
            due = record.next_checkin() if record is not None else None
            if due is not None and due <= now:
                dues.append((due, key))
        return [key for _, key in sorted(dues)]


@dataclass(frozen=True)
class StagedMemoryRecord:
    """A staged save of the memory store: the record's JSON as it was at the stage."""

    records: dict[str, str]
    key: str
    raw: str

    def commit(self) -> None:
        self.records[self.key] = self.raw
