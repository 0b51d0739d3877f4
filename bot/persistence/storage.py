"""A TinyDB storage that writes through :func:`atomic_write_bytes`.

TinyDB's own JSONStorage truncates and rewrites its file in place, so a kill during a write leaves a
corrupt database. This storage keeps TinyDB's file format (plain JSON, readable by JSONStorage) but
replaces the file atomically, and creates nothing until the first write.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from bot.persistence.atomic import atomic_write_bytes


def encode(data: dict[str, dict[str, Any]]) -> bytes:
    """The on-disk bytes of a TinyDB document tree (also used to write fixtures fast)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class AtomicJSONStorage(Storage):
    """One JSON file, replaced atomically on every write."""

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = self._path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw:
            return None
        data: dict[str, dict[str, Any]] = json.loads(raw)
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        atomic_write_bytes(self._path, encode(data))

    def close(self) -> None:
        """Nothing stays open between reads and writes."""
