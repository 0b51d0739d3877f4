"""Upgrading stored records to the current format, one version step at a time.

Why migrate instead of discarding: a file on disk is a user's conversation. When the record format
changes, the old files must keep loading, so a new format adds exactly one step to `STEPS` (from
the version before it) and every older file walks through all later steps. The steps are pure
functions on plain JSON data: easy to test, no disk, no pydantic.

Format history:
  1  TinyDB database: {"chat": {"1": {session, blocked, last_update_id, saved_at}}}
  2  the record itself, with "schema_version": 2
  3  adds "delivery" (the transactional outbox) and "asked" (a pending side question)
  4  adds "keyboard_message" (the message with live buttons) and "replaces" to stored replies
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from bot.persistence.records import RECORD_VERSION

Raw = dict[str, Any]

# Records written before versioning carried no version of their own.
UNVERSIONED = 1


class MigrationError(ValueError):
    """The data is no record of any known format (or of a newer one than this code knows)."""


def record_version(raw: Raw) -> int:
    """The format version `raw` claims; files from before versioning count as version 1."""
    version = raw.get("schema_version", UNVERSIONED)
    if not isinstance(version, int) or isinstance(version, bool) or version < UNVERSIONED:
        raise MigrationError("schema_version is not a positive whole number")
    return version


def _v1_to_v2(raw: Raw) -> Raw:
    """Unwrap the TinyDB database: the only document of table "chat" becomes the record."""
    table = raw.get("chat")
    if set(raw) != {"chat"} or not isinstance(table, dict) or set(table) != {"1"}:
        raise MigrationError("not a version 1 session database")
    record = table["1"]
    if not isinstance(record, dict):
        raise MigrationError("the version 1 record is not an object")
    if "schema_version" in record:
        raise MigrationError("a version 1 record carries no schema_version of its own")
    return {"schema_version": 2, **record}


def _v2_to_v3(raw: Raw) -> Raw:
    """Nothing waits to be delivered or answered in a record from before the outbox."""
    return {**raw, "schema_version": 3, "delivery": None, "asked": None}


def _v3_to_v4(raw: Raw) -> Raw:
    """No message is known to carry live buttons; no stored reply was meant to replace one."""
    upgraded: Raw = {**raw, "schema_version": 4, "keyboard_message": None}
    delivery = raw.get("delivery")
    if isinstance(delivery, dict) and isinstance(delivery.get("replies"), list):
        upgraded["delivery"] = {
            **delivery,
            "replies": [
                {**reply, "replaces": False} if isinstance(reply, dict) else reply
                for reply in delivery["replies"]
            ],
        }
    return upgraded


# STEPS[n] turns a version n record into a version n + 1 record.
STEPS: dict[int, Callable[[Raw], Raw]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
}


def migrate(raw: Raw) -> Raw:
    """`raw` upgraded to RECORD_VERSION (a new dict; `raw` itself is left as it was).

    Raises MigrationError for data of no known format or of a newer version than this code.
    """
    version = record_version(raw)
    if version > RECORD_VERSION:
        raise MigrationError(f"format {version} is newer than this bot ({RECORD_VERSION})")
    current = copy.deepcopy(raw)
    while version < RECORD_VERSION:
        step = STEPS.get(version)
        if step is None:
            raise MigrationError(f"no migration step from format {version}")
        current = step(current)
        upgraded = record_version(current)
        if upgraded != version + 1:
            raise MigrationError(f"step from format {version} produced format {upgraded}")
        version = upgraded
    return current
