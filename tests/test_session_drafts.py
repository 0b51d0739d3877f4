"""A step changes a draft of the session without validating each field; a save checks them.

Issue 22: validating every assignment inside a step cost a fifth of it. A session is validated
at the edges instead: strictly when loaded, and before it is written (bot/persistence/codec.py).
"""

from __future__ import annotations

import copy

import pytest
from dialog_helpers import advised, choose

from bot.persistence.codec import BadRecord, encode_record
from bot.persistence.records import ChatRecord
from dialogs import new_session
from dialogs.milestones import snapshot
from dialogs.session import Session


def test_a_save_refuses_a_session_that_a_load_would_refuse() -> None:
    session = new_session()
    session.__dict__["check_index"] = -1  # as an unvalidated assignment would leave it
    with pytest.raises(BadRecord, match="check_index"):
        encode_record(ChatRecord(session=session))


def test_a_valid_session_is_written_as_before() -> None:
    session = new_session()
    record = ChatRecord(session=session)
    assert encode_record(record) == record.model_dump_json().encode("utf-8")
    assert isinstance(ChatRecord.model_validate_json(encode_record(record)).session, Session)


def test_a_step_changes_no_list_or_employee_of_the_session_before_it() -> None:
    """The count's snapshot (dialogs/milestones.py `Before`) holds the session's lists and
    employees by reference: a step replaces them on its draft, it never changes them in place."""
    session = advised("lijn", 3)
    choose(session, "herinner")
    before = snapshot(session)
    kept = copy.deepcopy(before)
    choose(session, "w2")  # a review date set on the employee
    assert session.slots[0].review_at is not None
    assert before == kept
