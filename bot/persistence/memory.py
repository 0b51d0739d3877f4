"""A record store in memory, for the console and for tests of the conversation service.

It keeps records as JSON, as the file store does, so a loaded record is always a fresh copy: what a
caller changes is stored only when it saves, exactly as with files.
"""

from __future__ import annotations

from bot.persistence.records import ChatRecord, utc_now


class MemoryStore:
    """Records by key, lost when the process ends."""

    def __init__(self) -> None:
        self._records: dict[str, str] = {}

    def load(self, key: str) -> ChatRecord | None:
        raw = self._records.get(key)
        return None if raw is None else ChatRecord.model_validate_json(raw)

    def save(self, key: str, record: ChatRecord) -> None:
        record.saved_at = utc_now()
        self._records[key] = record.model_dump_json()

    def erase(self, key: str) -> bool:
        return self._records.pop(key, None) is not None

    def mark_blocked(self, key: str) -> None:
        record = self.load(key) or ChatRecord()
        record.blocked = True
        self.save(key, record)
