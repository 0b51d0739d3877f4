"""Upgrading stored records to the current format, one version step at a time.

Why migrate instead of discarding: a file on disk is a user's conversation. When the record format
changes, the old files must keep loading, so a new format adds exactly one step to `STEPS` (from
the version before it) and every older file walks through all later steps. The steps are pure
functions on plain JSON data: easy to test, no disk, no pydantic.

Format history:
  1  TinyDB database: {"chat": {"1": {session, blocked, last_update_id, saved_at}}}
  2  the record itself, with "schema_version": 2
  3  adds "delivery" (the transactional outbox) and "asked" (a pending side question)
  4  the team: the session's employee becomes employee A (with its phase, advice and first
     steps), the organisation's answers get a date, and "checkin_day" (the last check-in sent)
  5  typed answers and phone-sized keyboards: "keyboard_message" (the message with live buttons),
     "replaces" on stored replies (edit the answered question in place), and in the session
     "unsure_gaps" (checks answered "weet ik niet"), "page" (of a long list of buttons) and
     "confirm_restart" (the question before a wipe)
  6  a message is the unit of delivery: "sent" in the outbox (how many of the turn's messages
     Telegram took)
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


# First steps a check-in asks about (as `team.steps` in dialogs/data/flow.yaml when format 4 came).
_V4_STEPS = 2


def _v3_to_v4(raw: Raw) -> Raw:
    """An employee already advised becomes employee A, so /team and check-ins know it."""
    session = raw.get("session")
    if isinstance(session, dict):
        session = dict(session)
        phase, advised = session.get("phase"), session.get("advised") or []
        when = session.get("updated_at")
        slots = []
        if phase and advised and when:
            steps = [{"item": item, "status": "open"} for item in advised[:_V4_STEPS]]
            slot: Raw = {"letter": "A", "assessments": [{"on": when, "phase": phase}]}
            slot |= {"advised": list(advised), "steps": steps, "review_at": None}
            slot |= {"review_weeks": None, "mark": max(len(session.get("history") or []) - 1, 0)}
            slots.append(slot)
        checked = bool(session.get("check_index")) and when
        session |= {"slots": slots, "current": "A" if slots else None}
        session |= {"org_checked_at": when if checked else None, "reuse_org": False}
        session |= {"checkin_step": 0}
    return {**raw, "schema_version": 4, "session": session, "checkin_day": None}


def _v4_to_v5(raw: Raw) -> Raw:
    """No message is known to carry live buttons, no stored reply replaces one, nothing was
    answered "weet ik niet", the first page of buttons is shown and no restart is being asked."""
    upgraded: Raw = {**raw, "schema_version": 5, "keyboard_message": None}
    delivery = raw.get("delivery")
    if isinstance(delivery, dict) and isinstance(delivery.get("replies"), list):
        upgraded["delivery"] = {
            **delivery,
            "replies": [
                {**reply, "replaces": False} if isinstance(reply, dict) else reply
                for reply in delivery["replies"]
            ],
        }
    session = raw.get("session")
    if isinstance(session, dict):
        upgraded["session"] = {
            **session,
            "unsure_gaps": [],
            "page": 0,
            "confirm_restart": None,
        }
    return upgraded


def _v5_to_v6(raw: Raw) -> Raw:
    """An outbox of an older format counts no message as sent: one still waiting goes out whole,
    as it would have before."""
    upgraded: Raw = {**raw, "schema_version": 6}
    delivery = raw.get("delivery")
    if isinstance(delivery, dict):
        upgraded["delivery"] = {**delivery, "sent": 0}
    return upgraded


# STEPS[n] turns a version n record into a version n + 1 record.
STEPS: dict[int, Callable[[Raw], Raw]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    4: _v4_to_v5,
    5: _v5_to_v6,
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
