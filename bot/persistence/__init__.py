"""Durable, crash-safe storage of each chat's dialog session (one small JSON file per chat)."""

from bot.persistence.locks import ChatLocks
from bot.persistence.records import ChatRecord
from bot.persistence.store import LoadResult, SaveFailed, SessionStore

__all__ = ["ChatLocks", "ChatRecord", "LoadResult", "SaveFailed", "SessionStore"]
