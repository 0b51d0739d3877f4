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
  6  stable option ids and a step back without replay: a pick names its thing (`i.<id>`,
     `f.<phase>`, `w.<id>`, `s.<letter>`, ...) instead of its place in a list, and each answer in
     the session's history carries the small snapshot `/terug` restores ("before"; null for an
     answer kept from an older record, which cannot be undone); at most 30 answers
  7  a message is the unit of delivery: "sent" in the outbox (how many of the turn's messages
     Telegram took)
  8  the employee's self-check (issue 21): "selfcheck" (this chat's own self-check for someone
     else's link; null in every older record), and in the session's slots "shared" (what an
     employee shared; absent means nothing)
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


# As in the model when format 6 came: phase number -> key (the model's five phases never move).
_V6_PHASES = ("onbewust", "overwegen", "actie", "toepassen", "continu")
# The pick lists of format 5 by the state that shows them, and what their positions counted.
_V6_PICKS = {
    "fase_kiezen": "f",
    "ci_kies": "f",
    "advies": "iw",
    "meer": "i",
    "plan": "i",
    "team": "s",
}
# A detail view names what it shows only through the history, which format 6 cannot keep.
_V6_DETAILS = ("uitleg", "woord")


def _v6_stable(option_id: str, kinds: str, session: Raw) -> str:
    """A format 5 pick id (`i2`) as the stable id it meant, where the record itself says what it
    was (the advice, the warnings, the employees); any other id as it is (a tap on it then gets
    the current question, like any old button)."""
    kind, number = option_id[:1], option_id[1:]
    if kind not in kinds or not number.isdigit() or int(number) < 1:
        return option_id
    index = int(number) - 1
    gaps = list(session.get("precondition_gaps") or [])
    gaps += [gap for gap in dict.fromkeys(session.get("unsure_gaps") or []) if gap not in gaps]
    slots = session.get("slots") or []
    named: dict[str, list[str]] = {
        "f": list(_V6_PHASES),
        "i": list(session.get("advised") or []),
        "w": gaps,
        "s": sorted(s["letter"] for s in slots if isinstance(s, dict) and s.get("assessments")),
    }
    keys = named[kind]
    return f"{kind}.{keys[index]}" if index < len(keys) else option_id


def _v6_answers(history: object) -> list[Raw]:
    """The answers of a format 5 history that still say what they meant: fixed options and
    phases picked by number, without a snapshot (so `/terug` says it cannot undo them). The
    others named places in lists the knowledge may have changed since, and are let go; only the
    trail of answers and the result's reasons read this history."""
    kept: list[Raw] = []
    for answer in history if isinstance(history, list) else []:
        if not isinstance(answer, dict) or not isinstance(answer.get("option"), str):
            continue
        option: str = answer["option"]
        if option[:1] in "fiwnst" and option[1:].isdigit():
            if option[:1] != "f" or not 1 <= int(option[1:]) <= len(_V6_PHASES):
                continue
            option = f"f.{_V6_PHASES[int(option[1:]) - 1]}"
        kept.append({"step": answer.get("step"), "option": option, "before": None})
    return kept[-30:]


def _v5_to_v6(raw: Raw) -> Raw:
    """Stable ids in the history and the unsent buttons, answers without snapshots marked so.

    The user stays where they are; only a detail view, which the history named by a place in
    a list, becomes the advice it was opened from. The buttons of replies not yet sent get the
    stable ids the record itself can tell (an old button left as it was gets, when tapped, the
    current question, like any old button)."""
    upgraded: Raw = {**raw, "schema_version": 6}
    session = raw.get("session")
    if not isinstance(session, dict):
        return upgraded
    state = session.get("state")
    session = {**session, "history": _v6_answers(session.get("history"))}
    if state in _V6_DETAILS:
        session |= {"state": "advies", "page": 0}
    upgraded["session"] = session
    delivery = raw.get("delivery")
    kinds = _V6_PICKS.get(str(session.get("state")), "")
    if isinstance(delivery, dict) and isinstance(delivery.get("replies"), list) and kinds:
        replies = [
            {
                **reply,
                "options": [
                    {**option, "id": _v6_stable(str(option.get("id")), kinds, session)}
                    if isinstance(option, dict)
                    else option
                    for option in reply.get("options") or []
                ],
            }
            if isinstance(reply, dict)
            else reply
            for reply in delivery["replies"]
        ]
        upgraded["delivery"] = {**delivery, "replies": replies}
    return upgraded


def _v6_to_v7(raw: Raw) -> Raw:
    """An outbox of an older format counts no message as sent: one still waiting goes out whole,
    as it would have before."""
    upgraded: Raw = {**raw, "schema_version": 7}
    delivery = raw.get("delivery")
    if isinstance(delivery, dict):
        upgraded["delivery"] = {**delivery, "sent": 0}
    return upgraded


def _v7_to_v8(raw: Raw) -> Raw:
    """No older chat did a self-check."""
    return {**raw, "schema_version": 8, "selfcheck": None}


# STEPS[n] turns a version n record into a version n + 1 record.
STEPS: dict[int, Callable[[Raw], Raw]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    4: _v4_to_v5,
    5: _v5_to_v6,
    6: _v6_to_v7,
    7: _v7_to_v8,
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
