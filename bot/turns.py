"""A turn (the replies to one input) and the outbox that keeps it until the channel took it.

Why a module of its own: the conversation service and the self-check's hand-over (bot/shares.py)
both save replies for a chat and deliver them, the latter to another chat than the one that
wrote. Both keep the same promise, so both use this one outbox.

Delivery is part of the state (a transactional outbox): the replies of a turn are saved in the same
write as the state they answer and marked delivered once the channel has taken them all. A message
is the unit of delivery: the channel reports each message the platform took (`Turn.taken`), and
the service keeps that count with the outbox, so an input that comes again after a crash, or the
start-up sweep, sends only the messages that never went out (`Turn.sent` says where to resume).
Nobody is left without a question to answer.

The count is a note (the store's `note`): written in place beside the record, not forced to disk
(bot/persistence/marks.py; see `make bench`). A killed process loses nothing the operating
system already has, and a machine that loses power at worst sends a message again, never drops
one. A note is written on the event loop, not in a worker thread: one write into the page cache
takes microseconds, less than the hand-over to a worker costs (two thread switches and the
interpreter lock passed back and forth).

The record also remembers which of the channel's messages carries the live buttons (the channel's
delivery returns its id), so that the next turn can take them away or edit that very message into
the next question: no earlier message keeps buttons that look live.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from bot.persistence import ChatRecord
from bot.persistence.records import MESSAGE_PLAN, StoredOption, StoredReply
from bot.persistence.store import LoadResult
from dialogs import Option, Reply, Session

log = logging.getLogger(__name__)


class Status(StrEnum):
    """How a turn went, for the channel's own promises (a toast for a stale button, say)."""

    DONE = "done"
    STALE = "stale"  # a button of an earlier turn, or forged: nothing changed
    REDELIVERED = "redelivered"  # handled before a crash: nothing changed, shown where we are
    FAILED = "failed"  # something broke: an apology with the current question


# Told by the channel after each message the platform took: how many messages of the turn are sent
# now, the message's id when it carries the buttons (the question now live), else None, and
# whether it was the turn's last message (then one note says both: counted, and delivered).
Taken = Callable[[int, int | None, bool], Awaitable[None]]


async def nothing_taken(sent: int, live: int | None, last: bool) -> None:
    """Where no count is kept: a turn without an outbox (a stale tap, a side request), or a
    channel's send that is no turn (a group notice)."""


@dataclass(frozen=True)
class Turn:
    """The result of one input: what to send, and the turn number that tags its buttons."""

    status: Status
    replies: tuple[Reply, ...] = ()
    turn: int = 0
    chosen: str | None = None  # the accepted option's label, to keep visible under the question
    session: Session | None = None  # the session the replies belong to (attachments render it)
    # The channel's message whose buttons were live before this turn (None: unknown or none), so
    # the channel can take them away when it sends the next question as a new message.
    keyboard_message: int | None = None
    # How many of the turn's messages the channel already got out (resume after them), and where
    # it reports each further one it gets out.
    sent: int = 0
    taken: Taken = nothing_taken
    # The channel's layout of the turn's messages that `sent` counts in (Delivery.plan).
    layout: int = MESSAGE_PLAN
    # The turn saved an employee's share of their self-check: hand it over to the manager's
    # record once this chat's lock is let go (see bot/selfchecks.py).
    hand_over: bool = False
    # The user erased a self-check they had shared (/vergeet): the digest of its link, whose
    # share the manager's slot lets go of once this chat's lock is let go.
    withdraw: str | None = None


# Delivers a turn; returns the channel's id of the message that now carries the live buttons
# (None: no message is known to), which the service keeps for the next turn. A channel without
# such ids (the console) returns None.
Deliver = Callable[[Turn], Awaitable[int | None]]


class StagedSave(Protocol):
    """A save whose bytes are written and whose flush to disk waits (`RecordStore.stage`)."""

    def commit(self) -> None:
        """Make it durable; raises SaveFailed when the disk refused. Blocking: a worker thread."""
        ...


class RecordStore(Protocol):
    """What the service needs of a store: durable, per key, blocking calls."""

    def load(self, key: str) -> ChatRecord | None: ...

    def load_result(self, key: str) -> LoadResult: ...

    def save(self, key: str, record: ChatRecord) -> None: ...

    def stage(self, key: str, record: ChatRecord) -> StagedSave: ...

    def note(self, key: str, record: ChatRecord) -> None: ...

    def erase(self, key: str) -> bool: ...

    def mark_blocked(self, key: str) -> None: ...

    def set_aside(self, key: str, reason: str) -> bool: ...

    def quarantined_copies(self, key: str) -> int: ...


class PassingStore:
    """A store that hands every call on to `store`: the base of one that adds a step to some
    calls (bot/live_taps.py, the end-to-end tests' paused saves), so each says only that step."""

    def __init__(self, store: RecordStore) -> None:
        self._store = store

    def load(self, key: str) -> ChatRecord | None:
        return self._store.load(key)

    def load_result(self, key: str) -> LoadResult:
        return self._store.load_result(key)

    def save(self, key: str, record: ChatRecord) -> None:
        self.stage(key, record).commit()  # a store that adds a step to `stage` adds it here too

    def stage(self, key: str, record: ChatRecord) -> StagedSave:
        return self._store.stage(key, record)

    def note(self, key: str, record: ChatRecord) -> None:
        self._store.note(key, record)

    def erase(self, key: str) -> bool:
        return self._store.erase(key)

    def mark_blocked(self, key: str) -> None:
        self._store.mark_blocked(key)

    def set_aside(self, key: str, reason: str) -> bool:
        return self._store.set_aside(key, reason)

    def quarantined_copies(self, key: str) -> int:
        return self._store.quarantined_copies(key)


def stored(reply: Reply) -> StoredReply:
    """A reply as the outbox keeps it."""
    return StoredReply(
        text=reply.text,
        options=[StoredOption(id=option.id, label=option.label) for option in reply.options],
        attachment=reply.attachment,
        replaces=reply.replaces,
    )


class Outbox:
    """Marks what the channel took of a saved turn. The marks (`delivered`, each message taken)
    are notes, written where they are called (see the module docstring); the calls that load a
    record first (`settle`, `undelivered`, `remember_keyboard`) block: run them in a worker."""

    def __init__(self, store: RecordStore) -> None:
        self._store = store

    def delivered(self, key: str, record: ChatRecord, shown: int | None) -> None:
        """The channel took every reply: mark the outbox (not forced to disk: at worst a resend).

        `shown` is the message that now carries the live buttons (None: none is known to).
        """
        done = record.delivery is None or record.delivery.delivered
        if done and shown == record.keyboard_message:
            return
        if record.delivery is not None:
            record.delivery.delivered = True
        record.keyboard_message = shown
        self.save_note(key, record, "Outbox not marked delivered")

    def counted(self, key: str, turn: Turn, record: ChatRecord | None) -> Turn:
        """The turn, with where its delivery resumes and how each message taken is kept."""
        delivery = record.delivery if record is not None else None
        if record is None or delivery is None or delivery.delivered:
            return turn

        async def taken(sent: int, live: int | None, last: bool) -> None:
            self._took(key, record, sent, live, last)

        return replace(turn, sent=delivery.sent, taken=taken)

    def _took(self, key: str, record: ChatRecord, sent: int, live: int | None, last: bool) -> None:
        """One more message of the outbox went out: keep the count (and the live buttons).

        After the `last` message the outbox is delivered, and this note says so too: the mark
        that `delivered` would write next then has nothing left to change, one write per turn
        less. Not forced to disk (see the module's docstring); a failed save is only logged, as
        its loss at worst sends that message again after a crash.
        """
        if record.delivery is None or sent <= record.delivery.sent:
            return
        record.delivery.sent = sent
        record.delivery.delivered = last
        if live is not None:
            record.keyboard_message = live
        self.save_note(key, record, "A sent message not counted")

    def remember_keyboard(self, key: str, shown: int | None) -> None:
        """A turn that saved no outbox (a stale tap, a side request) moved the live buttons.

        Only the message id is kept: an outbox still waiting stays waiting.
        """
        record = self._store.load(key)
        if record is None or record.keyboard_message == shown:
            return
        record.keyboard_message = shown
        self.save_note(key, record, "Live buttons not remembered")

    def save_note(self, key: str, record: ChatRecord, failure: str) -> None:
        """Note the record's delivery marks, whose loss is harmless (at worst a resend or a spare
        edit after a crash): not forced to disk, and a failure is only logged, since the turn
        itself is safe."""
        try:
            self._store.note(key, record)
        except OSError as err:
            log.warning("%s (%s)", failure, type(err).__name__)

    def settle(self, key: str, shown: int | None) -> None:
        record = self._store.load(key)
        if record is not None:
            self.delivered(key, record, shown)

    def undelivered(self, key: str) -> ChatRecord | None:
        record = self._store.load(key)
        if record is None or record.blocked or record.delivery is None:
            return None
        return None if record.delivery.delivered else record

    @staticmethod
    def from_delivery(record: ChatRecord, status: Status) -> Turn:
        """The saved replies of the record's last turn, as a turn to deliver again."""
        assert record.delivery is not None
        delivery = record.delivery
        replies = tuple(
            Reply(
                reply.text,
                tuple(Option(option.id, option.label) for option in reply.options),
                reply.attachment,
                reply.replaces,
            )
            for reply in delivery.replies
        )
        return Turn(
            status,
            replies,
            delivery.turn,
            delivery.chosen,
            record.session,
            record.keyboard_message,
            delivery.sent,
            layout=delivery.plan,
        )
