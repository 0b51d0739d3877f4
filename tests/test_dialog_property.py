"""Random conversations: whatever a user (or a forged client) sends, the dialog stays sound.

After every event: no exception, a state of the flow, options that the state really accepts,
a session that survives a JSON round trip unchanged, and a turn that moved by at most one.
"""

from __future__ import annotations

import pytest
from dialog_helpers import ROLES, engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs import Command, Event, Session, choices, new_session

TELEGRAM_TEXT_LIMIT = 4096


def events(data: st.DataObject, session: Session) -> Event:
    offered = [option.id for option in engine().current_options(session)]
    choices = [
        st.sampled_from(offered).map(Event.option) if offered else st.nothing(),
        st.sampled_from(offered).map(Event.option) if offered else st.nothing(),
        st.sampled_from(offered).map(Event.option) if offered else st.nothing(),
        st.sampled_from(list(Command)).map(Event.command),
        st.text(max_size=20).map(Event.text),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_.-", max_size=12).map(Event.option),
        st.sampled_from(["", *ROLES, "onbekend"]).map(Event.start),
    ]
    event: Event = data.draw(st.one_of(*choices))
    return event


@pytest.mark.slow
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data(), length=st.integers(min_value=1, max_value=40))
def test_random_conversations_stay_sound(data: st.DataObject, length: int) -> None:
    session = new_session()
    for _ in range(length):
        event = events(data, session)
        turn = session.turn
        before = session.model_dump_json()
        replies = engine().handle(session, event)
        assert session.state in engine().flow.states
        assert session.turn in (turn, turn + 1)
        assert (session.turn == turn) == (session.model_dump_json() == before)
        restored = Session.model_validate_json(session.model_dump_json())
        assert restored == session
        assert replies
        shown, valid = engine().shown_options(session), engine().current_options(session)
        if replies[-1].options != shown:  # asked back which of two options was meant
            assert len(replies[-1].options) == 2 and set(replies[-1].options) <= set(valid)
        for reply in replies:
            assert 0 < len(reply.text) <= TELEGRAM_TEXT_LIMIT
            for option in reply.options:
                assert len(option.id.encode()) <= choices.MAX_LENGTH  # fits Telegram's data
        if session.phase is not None:
            engine().knowledge.phase(session.phase)
        for item in session.advised:
            engine().knowledge.intervention(item)
        session = restored  # carry on with the round-tripped copy, as a persistent bot would
