"""An employee's self-check reaching the manager: the hand-over, its withdrawal, the message back,
and the manager's own buttons around it (invite, withdraw a link, take over, go on).

Why apart from the conversation service: the service's frame is one chat (lock, save with the
outbox, deliver); a share crosses from one chat to another, with a promise of its own (see
bot/selfchecks.py): never two chats' locks at once, each step recognised when a kill made it
run again, and the message back only at a civil hour. The service delegates to this class and
hands it the store, the chats' locks and the outbox it uses itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bot.invites import Invite, InviteStore
from bot.persistence import ChatLocks, ChatRecord
from bot.persistence.records import MESSAGE_PLAN, Delivery, utc_now
from bot.selfchecks import (
    ADOPT,
    ASK_AT,
    GO_ON,
    INVITE,
    WITHDRAW,
    Handed,
    share_url,
    side_by_side,
    with_invite,
)
from bot.turns import Deliver, Outbox, RecordStore, Status, Turn, stored
from dialogs import Engine, Event, EventKind, Option, Reply, Session
from dialogs.civil import is_civil
from dialogs.milestones import Before, snapshot
from dialogs.selfcheck import SelfCheckDialog, SelfView, SharedView
from dialogs.session import Assessment, Slot
from locales import Bundle

log = logging.getLogger(__name__)

# The message back, saved as a chat's outbox with the record it belongs to.
Told = tuple[Turn, ChatRecord]


def managers_button(message: Event) -> bool:
    """A tap on one of the manager's self-check buttons (not a dialog option, not /vergeet)."""
    if message.kind is not EventKind.OPTION:
        return False
    action = message.value.partition(".")[0]
    return action in (INVITE, WITHDRAW, ADOPT, GO_ON)


class Shares:
    """The self-check's way from the employee's chat to the manager's, and back."""

    def __init__(
        self,
        engine: Engine,
        store: RecordStore,
        locks: ChatLocks,
        outbox: Outbox,
        dialog: SelfCheckDialog,
        invites: InviteStore | None,
        bundle: Bundle,
        stats: Callable[[Before | None, Session], None] | None = None,
    ) -> None:
        self._engine = engine
        self._store = store
        self._locks = locks
        self._outbox = outbox
        self._dialog = dialog
        self._invites = invites
        self._bundle = bundle
        self._stats = stats
        # How a token becomes a link the channel can open (Telegram: https://t.me/<bot>?start=);
        # set by the channel once it knows its name. None: this front end makes no links.
        self.deep_link: Callable[[str], str] | None = None
        # How the channel delivers to another chat (the message back to a manager); None: the
        # message waits, marked untold, for a channel that can.
        self.notify_to: Callable[[str], Deliver] | None = None
        # The clock that decides whether a message back may go now (tests set a working day).
        self.clock: Callable[[], datetime] = utc_now

    # ---- an employee's share reaching the manager's record (see bot/selfchecks.py) ---------------

    async def hand_over(self, key: str) -> Handed | None:
        """Bring chat `key`'s share into the manager's record; None when none waits.

        Three steps, each under one chat's lock only (never two at once, so no lock order can
        deadlock): read the share (employee), apply it once (manager), mark it done (employee).
        A kill anywhere leaves the marker, and the next run applies it once: the manager's slot
        recognises the link's digest.
        """
        async with self._locks.for_chat(key):
            found = await asyncio.to_thread(self._share_of, key)
        if found is None:
            return None
        name, view = found
        invite = self._invites.get(name) if self._invites is not None else None
        handed = Handed.DROPPED
        if invite is not None:
            async with self._locks.for_chat(invite.manager):
                handed, told = await asyncio.to_thread(
                    self._apply_share, invite.manager, invite.letter, name, view
                )
                if told is not None:
                    await self._tell(invite.manager, *told)
        async with self._locks.for_chat(key):
            correction = await asyncio.to_thread(self._handed, key, name, handed)
            if correction is not None:
                await self._tell(key, *correction)
        return handed

    async def withdraw_share(self, name: str) -> None:
        """The employee erased what they shared through link `name`: the manager's slot lets
        go of it (under the manager's lock only), then the link itself goes."""
        if self._invites is None:
            return
        invite = await asyncio.to_thread(self._invites.get, name)
        if invite is not None:
            async with self._locks.for_chat(invite.manager):
                await asyncio.to_thread(self._remove_share, invite.manager, invite.letter, name)
        await asyncio.to_thread(self._invites.unmark_withdrawn, name)

    async def finish_hand_overs(self) -> int:
        """At start-up: finish every hand-over and withdrawal a kill interrupted; returns how
        many shares were handed over."""
        if self._invites is None:
            return 0
        done = 0
        for name in await asyncio.to_thread(self._invites.withdrawals):
            try:
                await self.withdraw_share(name)
            except Exception as err:  # one chat's trouble must not keep the others waiting
                log.warning("A share was not withdrawn (%s)", type(err).__name__)
        for key in await asyncio.to_thread(self._invites.pending):
            try:
                done += await self.hand_over(key) is not None
            except Exception as err:
                log.warning("A share was not handed over (%s)", type(err).__name__)
        return done

    def _remove_share(self, manager: str, letter: str, name: str) -> None:
        record = self._store.load(manager)
        session = record.session if record is not None else None
        slot = session.slot(letter) if session is not None else None
        shared = slot.shared if slot is not None else None
        if record is not None and slot is not None and shared is not None and shared.invite == name:
            slot.shared = None
            self._store.save(manager, record)
        if self._invites is not None:
            self._invites.remove(name)

    def _share_of(self, key: str) -> tuple[str, SelfView] | None:
        record = self._store.load(key)
        check = record.selfcheck if record is not None else None
        view = check.view() if check is not None else None
        if check is None or view is None or check.shared_at is None or check.handed_over:
            if self._invites is not None:
                self._invites.unmark(key)
            return None
        return check.invite, view

    async def _tell(self, manager: str, turn: Turn, record: ChatRecord) -> None:
        """Deliver the message back (saved in the manager's outbox with the share), under the
        manager's lock. A failed send stays in the outbox for the start-up sweep."""
        if self.notify_to is None:
            return
        try:
            shown = await self.notify_to(manager)(self._outbox.counted(manager, turn, record))
        except Exception as err:
            log.warning("The message back to a manager was not sent (%s)", type(err).__name__)
            return
        self._outbox.delivered(manager, record, shown)

    async def tell_shares(self, now: datetime) -> int:
        """Send the messages back that waited for a civil hour (or a free outbox); returns how
        many went out. Called by the scheduler's tick, one manager at a time."""
        if self._invites is None or self.notify_to is None or not is_civil(now):
            return 0
        sent = 0
        for manager in await asyncio.to_thread(self._invites.untold):
            try:
                async with self._locks.for_chat(manager):
                    told = await asyncio.to_thread(self._untold, manager, now)
                    if told is not None:
                        await self._tell(manager, *told)
                        sent += 1
            except Exception as err:  # one chat's trouble must not keep the others waiting
                log.warning("A message back was not sent (%s)", type(err).__name__)
        return sent

    def _untold(self, manager: str, now: datetime) -> Told | None:
        record = self._store.load(manager)
        session = record.session if record is not None else None
        waiting = [
            slot
            for slot in (session.slots if session else [])
            if slot.shared and not slot.shared.told
        ]
        if record is None or not waiting:
            if self._invites is not None:
                self._invites.unmark_untold(manager)
            return None
        told = self._notification(manager, record, waiting[0].letter, now)
        if told is not None and len(waiting) == 1 and self._invites is not None:
            self._invites.unmark_untold(manager)
        return told

    def _notification(
        self, manager: str, record: ChatRecord, letter: str, now: datetime
    ) -> Told | None:
        """The message back for slot `letter`, saved as the manager's outbox, when it may go
        now: a civil hour, no reply of the manager's own still waiting, a channel to send it."""
        session = record.session
        slot = session.slot(letter) if session is not None else None
        if session is None or slot is None or slot.shared is None or self.notify_to is None:
            return None
        if not is_civil(now) or (record.delivery is not None and not record.delivery.delivered):
            return None
        reply = side_by_side(
            self._dialog, self._engine.knowledge, letter, slot.phase, slot.shared.view
        )
        slot.shared.told = True
        turn = Turn(Status.DONE, (reply,), session.turn, None, session, record.keyboard_message)
        record.delivery = Delivery(
            update_id=0, turn=session.turn, replies=[stored(reply)], plan=MESSAGE_PLAN
        )
        self._store.save(manager, record)
        return turn, record

    def _apply_share(
        self, manager: str, letter: str, name: str, view: SelfView
    ) -> tuple[Handed, Told | None]:
        """Under the manager's lock: put the share on the slot, once, with the message back in
        the same save when it may go now (else it waits, marked untold, for a civil hour)."""
        record = self._store.load(manager)
        session = record.session if record is not None else None
        slot = session.slot(letter) if session is not None else None
        invite = self._invites.get(name) if self._invites is not None else None
        if record is None or session is None or slot is None or invite is None:
            return Handed.DROPPED, None  # the slot, or the link (the employee's /vergeet), is gone
        refused = _refused(slot, invite, name)
        if refused is not None:
            return refused, None
        shared = SharedView(invite=name, view=view)
        return Handed.APPLIED, self._put(manager, record, session, slot, shared)

    def _put(
        self, manager: str, record: ChatRecord, session: Session, slot: Slot, shared: SharedView
    ) -> Told | None:
        """Put the share on the slot and save: with the message back when it may go now (the
        notification saves it), else marked untold first."""
        before = snapshot(session) if self._stats is not None else None
        fresh = slot.model_copy(update={"shared": shared})
        # A new list and a new slot, never a change in place: the count compares snapshots.
        session.slots = [fresh if other is slot else other for other in session.slots]
        told = self._notification(manager, record, slot.letter, self.clock())
        if told is None:
            if self._invites is not None:
                self._invites.mark_untold(manager)  # before the save: found by the next tick
            self._store.save(manager, record)
        if self._stats is not None and before is not None:
            self._stats(before, session)
        return told

    def _handed(self, key: str, name: str, handed: Handed) -> Told | None:
        """Under the employee's lock: the hand-over is done (or dropped); the marker goes.

        Dropped after the employee was told it was shared (the slot went in between): the
        honest correction, saved as the employee's outbox, to deliver now.
        """
        record = self._store.load(key)
        check = record.selfcheck if record is not None else None
        told: Told | None = None
        if record is not None and check is not None and check.invite == name:
            check.handed_over = True
            check.dropped = handed is Handed.DROPPED
            free = record.delivery is None or record.delivery.delivered
            if check.dropped and free and self.notify_to is not None:
                reply = Reply(self._bundle.selfcheck.dropped)
                turn = Turn(Status.DONE, (reply,), check.turn, None, record.session)
                record.delivery = Delivery(
                    update_id=0, turn=check.turn, replies=[stored(reply)], plan=MESSAGE_PLAN
                )
                told = turn, record
            self._store.save(key, record)
        if self._invites is not None:
            self._invites.unmark(key)
        return told

    def possible(self, name: str) -> bool:
        """Whether the link and the manager's slot are still there (a read, no lock: the
        employee is told at once when their share would be dropped)."""
        invite = self._invites.get(name) if self._invites is not None else None
        if invite is None:
            return False
        record = self._store.load(invite.manager)
        session = record.session if record is not None else None
        return session is not None and session.slot(invite.letter) is not None

    # ---- the manager's buttons around a self-check -----------------------------------------------

    def offer_invite(self, key: str, turn: Turn) -> Turn:
        """Under an employee of a reader with staff: "Vraag het je medewerker zelf" (and the
        withdrawal of a link that still works), where this channel can make links."""
        session = turn.session
        if (
            session is None
            or session.state not in ASK_AT
            or session.asked  # "Bedoel je A of B?": only the two meant, nothing beside them
            or not turn.replies
            or not turn.replies[-1].options
            or self._invites is None
            or self.deep_link is None
            or not self._engine.flow.has_staff(session.role)
        ):
            return turn
        slot = session.current_slot()
        if slot is None:
            return turn
        texts = self._bundle.selfcheck.manager
        extra = [Option(INVITE, texts.ask)]
        if self._invites.open_for(key, slot.letter):
            extra.append(Option(f"{WITHDRAW}.{slot.letter}", texts.withdraw))
        last = turn.replies[-1]
        shown = replace(last, options=with_invite(last.options, extra))
        return replace(turn, replies=(*turn.replies[:-1], shown))

    def manager_tap(
        self, key: str, record: ChatRecord, choice: str, tap_turn: int
    ) -> tuple[Turn, bool]:
        """The manager's own buttons; True when the turn changed the record (save it).

        The invitation is never saved with the outbox: its message holds the token, and only
        the token's digest may be kept. Withdraw, take over and go on are answered from any
        turn (each names its employee, and each is harmless to repeat).
        """
        session = record.session
        if session is None:
            return Turn(Status.STALE), False
        texts = self._bundle.selfcheck.manager
        # The question the manager was at, to come back to (asked before anything changes).
        current = self._engine.prompt(session)
        action, _, letter = choice.partition(".")
        slot = session.slot(letter) if letter else session.current_slot()
        if action == GO_ON:
            return _said(session, current), False
        if action == WITHDRAW and slot is not None and self._invites is not None:
            self._invites.withdraw(key, slot.letter)
            said = Reply(texts.withdrawn.format(letter=slot.letter))
            return _said(session, current, said), False
        if action == ADOPT and slot is not None and slot.shared is not None:
            return _said(session, current, self._adopt(slot, slot.shared.view.phase)), True
        if action == INVITE and slot is not None and self._may_invite(session, tap_turn):
            return _said(session, current, self._invitation(key, slot.letter)), False
        return Turn(Status.STALE, (current,), session.turn, None, session), False

    def _adopt(self, slot: Slot, phase: str) -> Reply:
        """The employee's own phase becomes the slot's (a new look, unless it is the same)."""
        if slot.phase != phase:
            slot.assessments = [*slot.assessments, Assessment(on=utc_now(), phase=phase)]
        number = self._engine.knowledge.phase(phase).number
        texts = self._bundle.selfcheck.manager
        return Reply(texts.adopted.format(letter=slot.letter, phase=number))

    def _may_invite(self, session: Session, tap_turn: int) -> bool:
        """A link is made only from the current question about one employee, for a reader
        with staff, where the channel can make links."""
        may_ask = session.state in ASK_AT and self._engine.flow.has_staff(session.role)
        fresh = tap_turn == session.turn and self.deep_link is not None
        return fresh and may_ask and self._invites is not None

    def _invitation(self, key: str, letter: str) -> Reply:
        """A fresh link for the slot (an earlier one is withdrawn), explained, to forward."""
        assert self._invites is not None and self.deep_link is not None
        texts = self._bundle.selfcheck.manager
        link = self.deep_link(self._invites.create(key, letter))
        options = []
        if link.startswith("https://"):
            options.append(Option(share_url(link, texts.share_text), texts.share_button))
        options.append(Option(f"{WITHDRAW}.{letter}", texts.withdraw))
        return Reply(texts.explain.format(letter=letter, link=link), tuple(options))


def _said(session: Session, current: Reply, *said: Reply) -> Turn:
    """`said`, then the question the manager was at."""
    return Turn(Status.DONE, (*said, current), session.turn, None, session)


def _refused(slot: Slot, invite: Invite, name: str) -> Handed | None:
    """Why a share does not go on this slot now (None: it goes)."""
    if slot.assessments and invite.created_at < slot.assessments[0].on:
        return Handed.DROPPED  # the letter now names someone the link was not made for
    if slot.shared is not None and slot.shared.invite == name:
        return Handed.ALREADY
    return None
