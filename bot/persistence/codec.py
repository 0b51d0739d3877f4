"""Bytes on disk <-> ChatRecord: the current format written, every known format read.

Why a module of its own: the store decides *what* to do with a file (keep, quarantine, purge);
this module only says what a file *is*. Reading the current format takes one pydantic JSON parse;
only an older (or broken) file pays for the slower path through `migrate`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from bot.persistence.migrations import MigrationError, migrate, record_version
from bot.persistence.records import RECORD_VERSION, ChatRecord, SavedAt
from dialogs.session import checked

_SAVED_AT: TypeAdapter[datetime] = TypeAdapter(SavedAt)


class BadRecord(ValueError):
    """The bytes are no readable record; `reason` says why without quoting any stored value."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def encode_record(record: ChatRecord) -> bytes:
    """The exact bytes a save writes: the record's own compact JSON, its session checked first.

    Why the check: the engine assigns a session's fields without validating each one (a step
    works on a dialogs.session.Draft); this is the edge where they are checked, so that no save
    writes what the next load would have to quarantine. BadRecord when it would.
    """
    if record.session is not None:
        try:
            checked(record.session)
        except ValidationError as err:
            raise BadRecord(_why(err)) from err
    return record.model_dump_json().encode("utf-8")


def _why(err: ValidationError) -> str:
    """Where and what kind of problem, never the offending value (it may be personal)."""
    first = err.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "record"
    return f"{where}: {first['type']}"


def _object(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as err:
        raise BadRecord("not JSON") from err
    if not isinstance(data, dict):
        raise BadRecord(f"a JSON {type(data).__name__}, not an object")
    return data


def _current(data: dict[str, Any]) -> dict[str, Any]:
    try:
        return migrate(data)
    except MigrationError as err:
        raise BadRecord(str(err)) from err


def _validate(raw: bytes | str) -> ChatRecord:
    """Strict, complete: the writer writes every field with its exact JSON type, so a "2" for 2,
    a "yes" for true or a missing field (`{}` is no empty record) means damage."""
    record = ChatRecord.model_validate_json(raw, strict=True)
    missing = sorted(set(ChatRecord.model_fields) - record.model_fields_set)
    if missing:
        raise BadRecord(f"{', '.join(missing)}: missing")
    return record


def decode_record(raw: bytes) -> ChatRecord:
    """The record in `raw`, upgraded from an older format when needed; BadRecord otherwise."""
    try:
        return _validate(raw)
    except ValidationError as err:
        problem = err  # an older format, or a broken file: find out which
    data = _object(raw)
    try:
        version = record_version(data)
    except MigrationError as err:
        raise BadRecord(str(err)) from err
    if version == RECORD_VERSION:
        raise BadRecord(_why(problem))
    try:
        return _validate(json.dumps(_current(data)))
    except ValidationError as err:
        raise BadRecord(_why(err)) from err


def decode_saved_at(raw: bytes) -> datetime:
    """Only the `saved_at` of a record of any known format (the purge needs nothing else)."""
    data = _current(_object(raw))
    try:
        return _SAVED_AT.validate_python(data.get("saved_at"))
    except ValidationError as err:
        raise BadRecord(f"saved_at: {err.errors(include_input=False)[0]['type']}") from err
