"""One full conversation to advice, as the events a user sends: shared by the benchmarks.

The choices are made against the options the engine offers at each step, so the script follows
the flow as it is authored rather than a copy of it that could silently drift.
"""

from __future__ import annotations

from dialogs import Engine, Event, Session, new_session

# Preferred answer per step, in order of preference; the first offered one is taken. The MKB
# owner in phase 5 gets the longest advice.
PREFERENCES = ("mkb", "geen", "ja", "ok")
# The advice is reached when its titles are offered (`i.<id>`, the first buttons of its first
# page; the rest of its menu sits behind "Meer opties").
DONE_PREFIX = "i."
MAX_STEPS = 40


def choose(offered: list[str]) -> str:
    """The scripted user's answer among the offered option ids."""
    return next((p for p in PREFERENCES if p in offered), offered[0])


def conversation_events(engine: Engine) -> list[Event]:
    """The events of one conversation from /start to the advice menu (MKB owner, phase 5)."""
    session = new_session()
    events = [Event.start()]
    engine.handle(session, events[0])
    while not _at_menu(engine, session):
        offered = [option.id for option in engine.current_options(session)]
        event = Event.option(choose(offered))
        engine.handle(session, event)
        events.append(event)
        if len(events) > MAX_STEPS:
            raise RuntimeError("the conversation script did not reach the advice")
    return events


def intake_taps(engine: Engine) -> frozenset[int]:
    """Which events of `conversation_events` are intake taps: taps that only lead to the next
    question (no picture, not yet the advice), where one message is all a bot needs to send.

    The tap right after a turn with a picture is left out too: the question goes first and the
    picture after it, at least a second later at Telegram's pace for one chat, so a quick user
    has tapped again before it goes, and a count by time would book the picture on that tap.
    """
    session = new_session()
    events = conversation_events(engine)
    engine.handle(session, events[0])
    intake = set()
    after_picture = False
    for index, event in enumerate(events[1:], start=1):
        replies = engine.handle(session, event)
        picture = any(reply.attachment is not None for reply in replies)
        if not picture and not after_picture and not _at_menu(engine, session):
            intake.add(index)
        after_picture = picture
    return frozenset(intake)


def _at_menu(engine: Engine, session: Session) -> bool:
    return any(option.id.startswith(DONE_PREFIX) for option in engine.current_options(session))
