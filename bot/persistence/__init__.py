"""Durable, crash-safe storage of each chat's dialog session (one small TinyDB file per chat)."""

from bot.persistence.locks import ChatLocks
from bot.persistence.records import ChatRecord
from bot.persistence.store import SessionStore

__all__ = ["ChatLocks", "ChatRecord", "SessionStore"]
