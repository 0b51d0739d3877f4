"""Stored records for tests: a valid one as JSON, and the same with chosen fields changed.

Shared by the store's quarantine tests and the process-level storage-fault tests, which build the
same broken files.
"""

from __future__ import annotations

import json
from typing import Any

from bot.persistence import ChatRecord
from bot.persistence.store import record_bytes
from dialogs.session import Session


def valid_record() -> dict[str, Any]:
    """A stored record mid-conversation, as the JSON a save writes."""
    data: dict[str, Any] = json.loads(
        record_bytes(ChatRecord(session=Session(turn=4, role="mkb"), last_update_id=9))
    )
    return data


def record_with(**changes: Any) -> bytes:
    """The valid record with fields replaced; `session__role` names a nested field."""
    data = valid_record()
    for dotted, value in changes.items():
        target = data
        *parents, name = dotted.split("__")
        for parent in parents:
            target = target[parent]
        target[name] = value
    return json.dumps(data).encode()
