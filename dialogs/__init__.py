"""The advisory dialog, free of Telegram: an engine that turns events into replies.

Public API: :class:`Engine` (``Engine.load(knowledge=None, language="nl", bundle=None)``;
``engine.decide(session, event) -> Outcome`` (replies and the chosen option) or
``engine.handle(session, event) -> list[Reply]``; ``engine.prompt(session)``;
``engine.current_options(session)`` (every option the step accepts);
``engine.shown_options(session)`` (the buttons of now: one page of at most five, "Meer opties",
"← Terug"); ``engine.match_option(session, text)`` (what a typed word or sentence names;
sentences are read by :mod:`dialogs.understanding` from the bundle's `understanding` lists);
``engine.role_label(role_id)``; ``engine.audiences(session)``; ``engine.knowledge``;
``engine.bundle``; ``engine.language``), :func:`new_session`, :class:`Session`, :class:`Event`,
:class:`Command`, :class:`Reply`, :class:`Option`, and :class:`FlowError` (a broken dialog
definition, raised at load). The dialog itself is data: ``dialogs/data/flow.yaml`` (the graph) and
the language bundle's ``locales/<language>/dialog.yaml`` (every word); `python -m dialogs diagram`
draws the graph. Never imports `telegram` or `bot`.
"""

from dialogs.engine import Engine, new_session
from dialogs.events import Command, Event, EventKind, Option, Reply
from dialogs.flow import FlowError
from dialogs.session import Session

__all__ = [
    "Command",
    "Engine",
    "Event",
    "EventKind",
    "FlowError",
    "Option",
    "Reply",
    "Session",
    "new_session",
]
