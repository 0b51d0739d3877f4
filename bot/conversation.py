"""The one per-chat step, free of any channel: lock → load → redelivery → engine → save → deliver.

Why one service: Telegram updates, the console, a scheduler that sends a check-in and the tests all
need the same frame around the dialog engine. Kept in Telegram's handlers it could only be entered
with a Telegram `Update`. Here a chat is a string key (`"123"` for a Telegram chat, so other
channels fit beside it), an input is a dialog :class:`~dialogs.Event` or a side :class:`Request`
(privacy, forget, the model picture, a notice), and the result is a :class:`Turn`: the replies with
the turn that tags their buttons. The channel delivers a turn through a callback the service calls
while it still holds the chat's lock, so replies of two quick updates never interleave.

The record is read on the event loop (a few calls on files in the page cache); the decision and
the save run in one worker thread (one hop off the event loop): the engine is fast and pure, and
a save's flushes to disk must not block other chats. A tap on a live button, the most common
input, has its decision on the loop too, and only its save's flush in the thread (see
`_step_on_loop`). A record is saved before anything is delivered, so a reply the user sees
always belongs to a stored state.

Delivery is part of the state: the replies of a turn are saved in the same write as the state
they answer, as its outbox (see bot/turns.py), so nobody is left without a question to answer.
An employee's self-check reaching their manager crosses from one chat to another; that hand-over
has its own module (bot/shares.py), which the service hands its store, locks and outbox.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.invites import InviteStore
from bot.live_taps import LiveTaps, Remembering
from bot.persistence import ChatLocks, ChatRecord
from bot.persistence.records import MESSAGE_PLAN, Delivery, utc_now
from bot.persistence.store import LoadResult, SaveFailed
from bot.selfchecks import Handed, SelfCheckRoute, Step
from bot.shares import Shares, managers_button
from bot.turns import Deliver as Deliver
from bot.turns import Outbox, StagedSave, stored
from bot.turns import RecordStore as RecordStore
from bot.turns import Status as Status
from bot.turns import Turn as Turn
from dialogs import Engine, Event, EventKind, Option, Reply, Session, new_session
from dialogs.civil import AMSTERDAM, is_civil, local_day
from dialogs.milestones import Before, snapshot
from dialogs.selfcheck import SelfCheck, SelfCheckDialog
from locales import Bundle

log = logging.getLogger(__name__)

# Telegram keeps undelivered updates for 24 hours; an update id at or below the last one handled is
# a redelivery only within that window (after a week of silence Telegram may restart its numbering).
REDELIVERY_WINDOW = timedelta(hours=24)

# Turns of the event loop a live tap's callback answer gets before the step starts (it runs one
# stretch in each). The answer's request passes PTB, httpx and httpcore, which hand the loop
# back a few times before its bytes reach the socket. A step started at once held the loop (the
# read, the live tap's decision) or the interpreter lock (a worker) meanwhile, and the answer
# waited. With 50 users tapping (bench.tap_answer, one run each) the answer's p95 was 1.32-1.51
# times a bare bot's with no head start, 1.25-1.36 with two turns and 1.13 with four. The step
# starts those few turns later.
ANSWER_HEAD_START = 4

# The choices of the /vergeet question; dialog option ids never start with "!".
FORGET_CONFIRM = "!wis"
FORGET_CANCEL = "!houd"


class Request(StrEnum):
    """Inputs beside the dialog: they show or erase what is stored, or explain what was not read."""

    PRIVACY = "privacy"
    FORGET = "forget"
    MODEL = "model"
    UNSUPPORTED = "unsupported"  # a photo, a sticker, a file: nothing the dialog can read
    EDITED = "edited"  # an edited message: not re-run, the conversation has moved on


Input = Event | Request


class Conversation:
    """Handles every input of every chat; one instance per process, shared by all channels."""

    def __init__(
        self,
        engine: Engine,
        store: RecordStore,
        retention_days: float,
        bundle: Bundle | None = None,
        stats: Callable[[Before | None, Session], None] | None = None,
        invites: InviteStore | None = None,
        deep_link: Callable[[str], str] | None = None,
    ) -> None:
        self._engine = engine
        self._stats = stats  # the anonymous count (bot/stats/): told each saved step
        # The live buttons of each chat's last question, so a tap on one is answered at once
        # (see bot/live_taps.py); every part of the service writes through `Remembering`.
        self._taps = LiveTaps()
        store = Remembering(store, self._taps)
        self._store = store
        self._bundle = bundle or engine.bundle
        self._texts = self._bundle.telegram
        self._retention_days = retention_days
        self._locks = ChatLocks()
        self._invites = invites
        self._outbox = Outbox(store)
        dialog = SelfCheckDialog(engine.flow, self._bundle, engine.knowledge)
        self._selfchecks = SelfCheckRoute(dialog, invites, engine.flow.roles)
        self._shares = Shares(
            engine, store, self._locks, self._outbox, dialog, invites, self._bundle, stats
        )
        self._shares.deep_link = deep_link

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def deep_link(self) -> Callable[[str], str] | None:
        """How a token becomes a link the channel can open (Telegram: https://t.me/<bot>?start=);
        set by the channel once it knows its name. None: this front end makes no links."""
        return self._shares.deep_link

    @deep_link.setter
    def deep_link(self, link: Callable[[str], str] | None) -> None:
        self._shares.deep_link = link

    @property
    def notify_to(self) -> Callable[[str], Deliver] | None:
        """How the channel delivers to another chat (the message back to a manager); None: the
        message waits, marked untold, for a channel that can."""
        return self._shares.notify_to

    @notify_to.setter
    def notify_to(self, deliver_to: Callable[[str], Deliver] | None) -> None:
        self._shares.notify_to = deliver_to

    @property
    def clock(self) -> Callable[[], datetime]:
        """The clock that decides whether a message back may go now (tests set a working day)."""
        return self._shares.clock

    @clock.setter
    def clock(self, clock: Callable[[], datetime]) -> None:
        self._shares.clock = clock

    async def handle(
        self,
        key: str,
        delivery_id: int,
        message: Input,
        *,
        tap_turn: int | None = None,
        deliver: Deliver | None = None,
        decided: Callable[[], Awaitable[None]] | None = None,
    ) -> Turn:
        """Handle one input of chat `key` and deliver its turn while holding the chat's lock.

        `delivery_id` is the channel's increasing id of the input (Telegram's update id), or 0
        when the channel has none; an id already handled is a redelivery and changes nothing.
        `tap_turn` is the turn a tapped button was made for: a tap from an older turn is stale.

        `decided` runs on the event loop, side by side with the durable save, once a tap was
        accepted: a channel stops its client's waiting sign there (Telegram's callback answer)
        instead of after the save's flush to disk, tens of milliseconds later. That promises
        nothing about the answer: the input is confirmed to the platform only after the save,
        so a process killed in between gets it again and handles it then. A tap on a button of
        the question the chat's last saved turn asked has it started even before the step
        (`answers_at_once`, bot/live_taps.py). It has finished before `deliver` is called.
        """
        async with self._locks.for_chat(key):
            early = _Early(asyncio.get_running_loop(), decided) if decided is not None else None
            live = self.answers_at_once(key, message, tap_turn)
            if early is not None and live:
                early.start_here()  # a button of the question the chat is at: before the step
                for _ in range(ANSWER_HEAD_START):
                    await asyncio.sleep(0)
            try:
                staged = _Staged() if live else None  # a live tap's step runs on the loop
                arrival = _Arrival(key, delivery_id, tap_turn, early, staged)
                loaded = self._read(key)
                if live:
                    turn, record = await self._step_on_loop(arrival, message, loaded)
                else:
                    turn, record = await asyncio.to_thread(self._step, arrival, message, loaded)
            finally:
                if early is not None:
                    await early.finished()
            if deliver is not None:
                shown = await deliver(self._outbox.counted(key, turn, record))
                if record is not None and record.delivery is not None:
                    self._outbox.delivered(key, record, shown)
                elif shown != turn.keyboard_message:
                    await asyncio.to_thread(self._outbox.remember_keyboard, key, shown)
        if turn.hand_over:
            await self.hand_over(key)
        if turn.withdraw is not None:
            await self.withdraw_share(turn.withdraw)
        return turn

    # ---- an employee's share reaching the manager's record (bot/shares.py) -----------------------

    async def hand_over(self, key: str) -> Handed | None:
        """Bring chat `key`'s share into the manager's record; None when none waits."""
        return await self._shares.hand_over(key)

    async def withdraw_share(self, name: str) -> None:
        """The employee erased what they shared through link `name`: the manager's slot lets
        go of it, then the link itself goes."""
        await self._shares.withdraw_share(name)

    async def finish_hand_overs(self) -> int:
        """At start-up: finish every hand-over and withdrawal a kill interrupted; returns how
        many shares were handed over."""
        return await self._shares.finish_hand_overs()

    async def tell_shares(self, now: datetime) -> int:
        """Send the messages back that waited for a civil hour (or a free outbox); returns how
        many went out. Called by the scheduler's tick, one manager at a time."""
        return await self._shares.tell_shares(now)

    def _self_checked(
        self, key: str, delivery_id: int, record: ChatRecord, step: Step
    ) -> tuple[Turn, ChatRecord | None]:
        """Save a self-check's step with its outbox, as `_save_turn` does for the dialog."""
        session = record.session
        if step.stale:
            return Turn(Status.STALE, step.replies, step.turn, None, session), None
        turn = Turn(Status.DONE, step.replies, step.turn, step.chosen, session)
        if not step.changed:
            return turn, None
        check = record.selfcheck
        if step.shared is not None and check is not None:
            if self._shares.possible(check.invite):
                assert self._invites is not None
                self._invites.mark_pending(key)  # before the save: a kill in between is found
                turn = replace(turn, hand_over=True)
            else:
                check.handed_over = True
                check.dropped = True
                turn = replace(turn, replies=(self._selfchecks.dialog.prompt(check),))
        record.asked = None
        self._save_with_outbox(key, record, delivery_id, turn)
        return turn, record

    async def apologise(self, key: str, deliver: Deliver) -> Turn:
        """After a failed delivery: say sorry with the current question, so the user can go on.

        The user then has a question with working buttons, so the turn's outbox counts as done.
        """
        async with self._locks.for_chat(key):
            turn = await asyncio.to_thread(self._apology, key)
            shown = await deliver(turn)
            await asyncio.to_thread(self._outbox.settle, key, shown)
            return turn

    async def resend(self, keys: Iterable[str], deliver_to: Callable[[str], Deliver]) -> int:
        """Send the saved replies that never went out (a crash between save and send).

        Skips chats that blocked the bot. Returns how many chats got their replies.
        """
        sent = 0
        for key in keys:
            try:
                sent += await self._resend_one(key, deliver_to(key))
            except Exception as err:  # one chat's trouble must not keep the others waiting
                log.warning("Unsent replies not sent (%s)", type(err).__name__)
        return sent

    async def _resend_one(self, key: str, deliver: Deliver) -> int:
        """1 when the chat's unsent messages all went out now, 0 when it had none."""
        async with self._locks.for_chat(key):
            record = await asyncio.to_thread(self._outbox.undelivered, key)
            if record is None or record.delivery is None:
                return 0
            turn = self._outbox.from_delivery(record, Status.REDELIVERED)
            shown = await deliver(self._outbox.counted(key, turn, record))
            self._outbox.delivered(key, record, shown)
            return 1

    async def check_in(self, key: str, now: datetime, deliver: Deliver) -> bool:
        """Send chat `key` its check-in when it is due at `now`; True when it was sent.

        Under the chat's lock: the record is checked (due, not blocked, a civil hour, none sent
        today, no reply still waiting), the check-in is started and marked sent in the same save
        as its outbox, then delivered. A process killed after the save sends the outbox at the
        next start (never the check-in again); one killed before it sends it on the next tick.

        A check-in is used up only when the channel took its first message: a send that failed
        (a broken connection, a user who blocked the bot) puts the record back as it was before,
        review date and all, so a later tick in civil hours sends it (for a blocked user: once
        they write again). Later messages that failed stay in the outbox, as for any turn.

        The promise, then: a check-in is started once and never lost. Its message reaches the
        user once, except when the process dies after Telegram took the message and before its
        answer came back: no bot can tell that apart from a send that never arrived, so the
        same message (same turn, same buttons) comes once more, never a second check-in.
        """
        async with self._locks.for_chat(key):
            started = await asyncio.to_thread(self._start_check_in, key, now)
            if started is None:
                return False
            turn, record, before = started
            try:
                shown = await deliver(self._outbox.counted(key, turn, record))
            except Exception:
                if record.delivery is not None and record.delivery.sent == 0:
                    await asyncio.to_thread(self._store.save, key, before)
                raise
            self._outbox.delivered(key, record, shown)
            return True

    def _start_check_in(
        self, key: str, now: datetime
    ) -> tuple[Turn, ChatRecord, ChatRecord] | None:
        """The check-in's turn, its record saved with the outbox, and the record before it."""
        record = self._store.load(key)
        if record is None or record.session is None or record.blocked:
            return None
        due = record.next_checkin()
        if due is None or due > now or not is_civil(now):
            return None
        if record.checkin_day == local_day(now):
            return None  # never more than one check-in per chat per day
        if record.delivery is not None and not record.delivery.delivered:
            return None  # replies wait to be sent first (the start-up sweep sends them)
        before = record.model_copy(deep=True)
        session = record.session
        letter = next(slot.letter for slot in session.slots if slot.review_at == due)
        replies = tuple(self._engine.check_in(session, letter))
        if not replies:  # a review date the engine dropped: saved, nothing to send
            self._store.save(key, record)
            return None
        record.checkin_day = local_day(now)
        record.asked = None
        turn = Turn(Status.DONE, replies, session.turn, None, session, record.keyboard_message)
        record.delivery = Delivery(
            update_id=0,
            turn=turn.turn,
            replies=[stored(reply) for reply in replies],
            plan=MESSAGE_PLAN,
        )
        self._store.save(key, record)
        return turn, record, before

    async def mark_blocked(self, key: str) -> None:
        """The user blocked the bot: remember it for a chat that has a record, create none."""
        async with self._locks.for_chat(key):
            await asyncio.to_thread(self._mark_blocked, key)

    # ---- the step: its read on the event loop, the rest in a worker thread -------------------
    # (a live tap's step runs on the loop too: only its flush to disk goes to the thread)

    def _read(self, key: str) -> LoadResult | None:
        """The chat's record, read on the event loop; None when reading failed (the step then
        reads again in its thread, where a failure gets its answer).

        Why here and not in the step's worker thread: every system call there hands the
        interpreter lock back to the busy event loop and must take it back, a few futex calls
        and context switches each. A read is a handful of calls on files in the page cache,
        over in microseconds; the step's own flushes to disk stay in the thread.
        """
        try:
            return self._store.load_result(key)
        except Exception:
            return None

    async def _step_on_loop(
        self, arrival: _Arrival, message: Input, loaded: LoadResult | None
    ) -> tuple[Turn, ChatRecord | None]:
        """A live tap's step on the event loop; only the flush of its save waits in a thread.

        Why: in a worker thread every system call of the step hands the interpreter lock back
        to the busy loop and takes it back again (futex calls and context switches), which cost
        more CPU than the step itself. On the loop the step writes its record's bytes to a temp
        file (`RecordStore.stage`), and one thread call flushes and renames them.

        Only for a tap on a live button (`answers_at_once`): it goes to the adviesgesprek's step
        for certain (bot/live_taps.py), whose one durable write is the record's save. Other
        inputs may take routes with several durable writes in a set order (an invite's mark
        before the record, an erase) and stay in the thread. What follows the save (the live
        buttons, the count) waits for the flush (`_Staged`); a flush that failed makes the turn
        the not-saved notice, as a failed save in the thread does.
        """
        staged = arrival.staged
        assert staged is not None
        turn, record = self._step(arrival, message, loaded)
        if not staged.saves:
            return turn, record
        try:
            await asyncio.to_thread(staged.commit)
        except SaveFailed as err:
            failed = await asyncio.to_thread(self._unsaved, arrival.key, err)
            return replace(failed, keyboard_message=turn.keyboard_message), None
        staged.settle()
        return turn, record

    def _step(
        self, arrival: _Arrival, message: Input, loaded: LoadResult | None = None
    ) -> tuple[Turn, ChatRecord | None]:
        """Decide and save; the record returned carries the outbox to mark once delivered.

        `loaded` is the chat's record when it was read already (see `_read`). The turn says
        which message had the live buttons before it (see Turn.keyboard_message).
        """
        live: int | None = None
        try:
            if loaded is None:
                loaded = self._store.load_result(arrival.key)
            if loaded.record is not None:
                live = loaded.record.keyboard_message
            turn, saved = self._route(arrival, message, loaded)
        except SaveFailed as err:
            turn, saved = self._unsaved(arrival.key, err), None
        except Exception as err:
            log.error("Handling an input failed (%s)", type(err).__name__, exc_info=err)
            record = loaded.record if loaded is not None else None
            turn, saved = self._recover(arrival, message, record)
        return replace(turn, keyboard_message=live), saved

    def _recover(
        self, arrival: _Arrival, message: Input, record: ChatRecord | None
    ) -> tuple[Turn, ChatRecord | None]:
        """After a failed step: heal a stored chat the dialog cannot go on from, else apologise.

        Why: a record that decodes can still be one the dialog cannot answer (a role or phase the
        knowledge no longer has, a history whose trail outgrows a stored reply). Every input then
        failed, the apology too: the chat never healed. Such a record is set aside in quarantine,
        and the input is answered in a fresh conversation after the `unreadable` notice. That
        happens only when the stored record itself fails (its question cannot be shown) and a
        fresh conversation answers the same input. A bug in one step, or an engine that fails for
        everyone, keeps the user's conversation and gets the apology.
        """
        try:
            if record is not None and not self._answerable(record) and self._fresh_works(message):
                self._store.set_aside(arrival.key, "the dialog cannot go on from it")
                fresh = replace(arrival, tap_turn=None, early=None)
                return self._route(fresh, message, LoadResult(quarantined=True))
        except SaveFailed as err:
            return self._unsaved(arrival.key, err), None
        except Exception as err:
            log.error("Healing a chat failed (%s)", type(err).__name__)
        return self._apology(arrival.key), None

    def _answerable(self, record: ChatRecord) -> bool:
        """The dialog can go on from `record`: its question, with buttons, can be shown and
        stored, and /privacy can describe it."""
        try:
            self._stored_summary(record)
            if record.session is not None:
                prompt = self._engine.prompt(record.session)
                self._engine.shown_options(record.session)
                stored(prompt)
        except Exception:
            return False
        return True

    def _fresh_works(self, message: Input) -> bool:
        """A fresh conversation answers `message` (tried in memory, nothing saved)."""
        if isinstance(message, Request):
            return True  # a side request of a chat without a record asks nothing of the engine
        try:
            for reply in self._dialog(None, message).replies:
                stored(reply)
        except Exception:
            return False
        return True

    def _route(
        self, arrival: _Arrival, message: Input, loaded: LoadResult
    ) -> tuple[Turn, ChatRecord | None]:
        """Redelivery, side request, tap or dialog; saves what changed."""
        key, delivery_id = arrival.key, arrival.delivery_id
        record = loaded.record
        if record is not None and self._is_redelivery(record, delivery_id):
            return self._resume(record, delivery_id)
        if loaded.quarantined:
            # The old conversation is gone: a button of it starts a fresh one, not a toast.
            arrival = replace(arrival, tap_turn=None)
        tap_turn = arrival.tap_turn
        if isinstance(message, Request):
            return self._told(loaded, self._side(key, delivery_id, record, message)), None
        record = record if record is not None else ChatRecord()
        chat = record
        step = self._selfchecks.step(
            key, message, tap_turn, record, lambda: self._current(chat.session)
        )
        if step is not None:
            turn, saved = self._self_checked(key, delivery_id, record, step)
            return self._told(loaded, turn), saved
        if tap_turn is not None and managers_button(message):
            return self._manager_turn(key, delivery_id, record, message.value, tap_turn)
        return self._advice_turn(arrival, record, message, loaded)

    def _manager_turn(
        self, key: str, delivery_id: int, record: ChatRecord, choice: str, tap_turn: int
    ) -> tuple[Turn, ChatRecord | None]:
        """One of the manager's self-check buttons (bot/shares.py); saved only when it changed
        the record (a phase taken over)."""
        turn, keep = self._shares.manager_tap(key, record, choice, tap_turn)
        turn = self._shares.offer_invite(key, turn)
        if not keep or turn.status is Status.STALE:
            return turn, None
        return turn, self._save_turn(key, record, delivery_id, turn)

    def _advice_turn(
        self, arrival: _Arrival, record: ChatRecord, message: Event, loaded: LoadResult
    ) -> tuple[Turn, ChatRecord | None]:
        """A tap or a typed input of the adviesgesprek; saved, and counted, unless stale.

        A tap taken has its answer (`early`) started before the save (see `handle`)."""
        key, tap_turn, early = arrival.key, arrival.tap_turn, arrival.early
        before = snapshot(record.session) if self._stats and record and record.session else None
        if tap_turn is not None:
            turn = self._tap(key, record, message, tap_turn)
        else:
            turn = self._dialog(record, message)
        if turn.status is Status.STALE:
            return turn, None
        turn = self._told(loaded, self._shares.offer_invite(key, turn))
        if early is not None and tap_turn is not None:
            early.start()  # a tap taken: its answer goes out while the turn is saved
        saved = self._save_turn(key, record, arrival.delivery_id, turn, arrival.staged)
        if saved is not None:
            then = functools.partial(self._after_save, key, saved, turn, before)
            if arrival.staged is None:
                then()
            else:
                arrival.staged.then(then)
        return turn, saved

    def _after_save(self, key: str, saved: ChatRecord, turn: Turn, before: Before | None) -> None:
        """What a saved step of the adviesgesprek sets going: its live buttons and its count."""
        self._remember_live(key, saved, turn)
        if self._stats is not None and saved.session is not None:
            self._stats(before, saved.session)

    def answers_at_once(self, key: str, message: Input, tap_turn: int | None) -> bool:
        """True for a tap whose answer `handle` starts before the step: one on a button of the
        question the chat's last saved turn asked (see bot/live_taps.py)."""
        return (
            tap_turn is not None
            and isinstance(message, Event)
            and message.kind is EventKind.OPTION
            and self._taps.accepts(key, tap_turn, message.value)
        )

    def _remember_live(self, key: str, saved: ChatRecord, turn: Turn) -> None:
        """Keep the saved question's buttons that the dialog takes at once when tapped: those
        the engine shows for the session. Nothing when another route may claim a tap (a
        self-check, the /vergeet question) or the question is one asked in between."""
        session = saved.session
        if session is None or saved.selfcheck is not None or saved.asked is not None:
            return
        if session.confirm_restart is not None or session.asked:
            return
        question = next((reply for reply in reversed(turn.replies) if reply.options), None)
        if question is None:
            return
        shown = {option.id for option in self._engine.shown_options(session)}
        ids = frozenset(option.id for option in question.options if option.id in shown)
        if ids:
            self._taps.remember(key, turn.turn, ids)

    def _told(self, loaded: LoadResult, turn: Turn) -> Turn:
        """Say first that the earlier conversation could not be read, when that just happened."""
        if not loaded.quarantined:
            return turn
        notice = Reply(self._texts.unreadable)
        return Turn(turn.status, (notice, *turn.replies), turn.turn, turn.chosen, turn.session)

    @staticmethod
    def _is_redelivery(record: ChatRecord, delivery_id: int) -> bool:
        recent = record.saved_at > utc_now() - REDELIVERY_WINDOW
        return recent and 0 < delivery_id <= record.last_update_id

    def _save_turn(
        self,
        key: str,
        record: ChatRecord | None,
        delivery_id: int,
        turn: Turn,
        staged: _Staged | None = None,
    ) -> ChatRecord | None:
        """Save the new state with the turn's replies as its outbox, in one durable write."""
        if turn.session is None:  # erased: nothing is kept, not even an outbox
            return None
        record = record or ChatRecord()
        record.session = turn.session
        self._save_with_outbox(key, record, delivery_id, turn, staged)
        return record

    def _save_with_outbox(
        self,
        key: str,
        record: ChatRecord,
        delivery_id: int,
        turn: Turn,
        staged: _Staged | None = None,
    ) -> None:
        """The record with this input handled and the turn's replies as its outbox, in one
        durable write: what the user sees next always belongs to a stored state. With `staged`
        (a step on the event loop) the write is flushed once the step is over."""
        record.last_update_id = max(record.last_update_id, delivery_id)
        record.blocked = False
        record.delivery = Delivery(
            update_id=delivery_id,
            turn=turn.turn,
            chosen=turn.chosen,
            replies=[stored(reply) for reply in turn.replies],
            plan=MESSAGE_PLAN,
        )
        if staged is None:
            self._store.save(key, record)
        else:
            staged.add(self._store.stage(key, record))

    def _decide(self, session: Session, event: Event) -> tuple[tuple[Reply, ...], Option | None]:
        outcome = self._engine.decide(session, event)
        return tuple(outcome.replies), outcome.chosen

    def _dialog(self, record: ChatRecord | None, event: Event) -> Turn:
        """Feed one event to the engine; a first contact always starts the conversation."""
        session = record.session if record is not None else None
        if session is None:
            session = new_session(self._engine.language)
            if event.kind is not EventKind.START:
                event = Event.start()
        replies, _ = self._decide(session, event)
        if record is not None:
            record.asked = None
        return Turn(Status.DONE, replies, session.turn, None, session)

    def _tap(self, key: str, record: ChatRecord | None, event: Event, tap_turn: int) -> Turn:
        """A button: accepted only when it belongs to the current turn and is on offer there.

        Anything else is stale (an old message's button) or forged: it changes nothing and gets
        the current question again, so the user has buttons that work.
        """
        session = record.session if record is not None else None
        if record is not None and event.value in (FORGET_CONFIRM, FORGET_CANCEL):
            # Also without a session: a chat whose only data is a quarantined copy is asked too.
            if record.asked != "forget" or tap_turn != (session.turn if session else 0):
                return self._stale(session)
            return self._confirm_forget(key, record, event.value)
        if record is None or session is None or tap_turn != session.turn:
            return self._stale(session)
        replies, chosen = self._decide(session, event)
        if chosen is None:
            return self._stale(session)
        record.asked = None
        return Turn(Status.DONE, replies, session.turn, chosen.label, session)

    def _stale(self, session: Session | None) -> Turn:
        if session is None:
            return Turn(Status.STALE)
        prompt = self._engine.prompt(session)
        return Turn(Status.STALE, (prompt,), session.turn, None, session)

    def _resume(self, record: ChatRecord, delivery_id: int) -> tuple[Turn, ChatRecord | None]:
        """An input handled before a crash comes again: change nothing, send what never went out.

        Its own replies, when they are still in the outbox. Nothing otherwise: when they were
        delivered the user has them; for an older input the user already has a newer question
        (a check-in, say, came in between), and asking it again would only repeat it.
        """
        delivery = record.delivery
        if delivery is not None and delivery.update_id == delivery_id and not delivery.delivered:
            return self._outbox.from_delivery(record, Status.REDELIVERED), record
        return Turn(Status.REDELIVERED), None

    def _load_for_notice(self, key: str, why: str) -> ChatRecord | None:
        """The stored record, to show its question under a notice; None when it cannot be read
        either (logged by type only): the notice then goes alone."""
        try:
            return self._store.load(key)
        except Exception as err:
            log.error("Loading %s failed (%s)", why, type(err).__name__)
            return None

    def _apology(self, key: str) -> Turn:
        """Sorry, with the buttons of the step the user is at."""
        error = self._texts.error
        return self._failed(
            key,
            "for an apology",
            Reply(error),
            lambda session: (Reply(error, self._engine.shown_options(session)),),
        )

    def _unsaved(self, key: str, err: SaveFailed) -> Turn:
        """Log a save the disk refused (its reason only) and make the turn that says so."""
        log.error("An answer was not saved (%s)", err.strerror or type(err).__name__)
        return self._not_saved(key)

    def _not_saved(self, key: str) -> Turn:
        """The answer did not reach the disk: say so honestly, with the question that still stands.

        The stored state is unchanged, so its question (and its turn's buttons) is the one to answer
        again; a chat with nothing stored gets the notice alone and simply writes again.
        """
        notice = Reply(self._texts.not_saved)
        return self._failed(
            key,
            "after a failed save",
            notice,
            lambda session: (notice, self._engine.prompt(session)),
        )

    def _failed(
        self,
        key: str,
        why: str,
        notice: Reply,
        standing: Callable[[Session], tuple[Reply, ...]],
    ) -> Turn:
        """A failed turn that leaves the user something to answer: the replies `standing` makes
        of the stored session (the notice with the question that still stands), or `notice` alone
        when nothing is stored or the stored state cannot be shown (that must never fail too)."""
        record = self._load_for_notice(key, why)
        session = record.session if record is not None else None
        try:
            if session is None:
                raise LookupError("no session")
            replies = standing(session)
        except Exception:
            return Turn(Status.FAILED, (notice,))
        return Turn(Status.FAILED, replies, session.turn, None, session, _keyboard_of(record))

    def _mark_blocked(self, key: str) -> None:
        record = self._store.load(key)
        if record is not None and not record.blocked:
            self._store.mark_blocked(key)

    # ---- side requests ---------------------------------------------------------------------------

    def _side(
        self, key: str, delivery_id: int, record: ChatRecord | None, request: Request
    ) -> Turn:
        session = record.session if record is not None else None
        turn = session.turn if session is not None else 0
        if request is Request.PRIVACY:
            replies = (Reply(self._privacy(key, record)), *self._current(session))
            return Turn(Status.DONE, replies, turn, None, session)
        if request is Request.FORGET:
            if record is None and self._store.quarantined_copies(key):
                record = ChatRecord()  # only a quarantined copy is kept: ask before erasing it
            if record is not None:  # the question waits for its answer: remember that it was asked
                record.asked = "forget"
                record.last_update_id = max(record.last_update_id, delivery_id)
                self._store.save(key, record)
            return Turn(Status.DONE, (self._ask_forget(record),), turn, None, session)
        if request is Request.MODEL:
            picture = Reply("", attachment="model_picture")
            return Turn(
                Status.DONE,
                (picture, *self._current(session)),
                turn,
                None,
                session or new_session(self._engine.language),
            )
        notice = self._texts.unsupported if request is Request.UNSUPPORTED else self._texts.edited
        return Turn(Status.DONE, (Reply(notice), *self._current(session)), turn, None, session)

    def _current(self, session: Session | None) -> tuple[Reply, ...]:
        """The question the user is at, to come back to after a side request."""
        if session is None:
            return ()
        return (self._engine.prompt(session),)

    def _privacy(self, key: str, record: ChatRecord | None) -> str:
        shown = self._bundle.decimal(self._retention_days)
        general = self._texts.privacy.format(retention_days=shown)
        summary = self._stored_summary(record)
        check = record.selfcheck if record is not None else None
        if check is not None:
            own = self._texts.stored.heading if record is None or record.session is None else ""
            lines = self._selfcheck_summary(check)
            summary = "\n".join([own, *lines] if own else [summary, *lines])
            general = f"{general}\n\n{self._bundle.selfcheck.privacy.general}"
        if record is not None and record.session is not None and self._invites is not None:
            summary = "\n".join([summary, *self._links_summary(key, record.session)])
        if self._store.quarantined_copies(key):
            # An unreadable earlier conversation is kept too, until /vergeet or the retention.
            kept = self._texts.stored.quarantined.format(retention_days=shown)
            session = record.session if record is not None else None
            heading = self._texts.stored.heading
            summary = f"{summary}\n{kept}" if session is not None else f"{heading}\n{kept}"
        return f"{general}\n\n{summary}"

    def _stored_summary(self, record: ChatRecord | None) -> str:
        """The user's own record in plain words: everything it holds, nothing else."""
        texts = self._texts.stored
        session = record.session if record is not None else None
        if record is None or session is None:
            return texts.nothing
        role = self._engine.role_label(session.role) if session.role else texts.unknown
        phase = (
            self._engine.knowledge.phase(session.phase).label if session.phase else texts.unknown
        )
        lines = [
            texts.heading,
            texts.role.format(role=role),
            texts.phase.format(phase=phase),
            texts.answers.format(count=len(session.history)),
        ]
        lines.extend(self._team_summary(session))
        lines.append(texts.saved_at.format(date=self._bundle.short_datetime(record.saved_at)))
        return "\n".join(lines)

    def _selfcheck_summary(self, check: SelfCheck) -> list[str]:
        """The employee's own self-check as kept: the answers, and whether they were shared."""
        texts = self._bundle.selfcheck.privacy
        lines = []
        if check.phase is not None or check.answers:
            summary = self._selfchecks.dialog.summary(check)
            lines.append(texts.answers.format(summary=summary))
        given = check.shared_at is not None and not check.dropped
        lines.append(texts.shared if given else texts.not_shared)
        lines.append(texts.forget)
        return lines

    def _links_summary(self, key: str, session: Session) -> list[str]:
        """Per employee: what they shared themselves, and a link of theirs that still works."""
        texts = self._bundle.selfcheck.manager
        lines = []
        for slot in session.slots:
            if slot.shared is not None:
                view = slot.shared.view
                shown = SelfCheck(invite=slot.shared.invite, phase=view.phase, answers=view.answers)
                summary = self._selfchecks.dialog.summary(shown)
                lines.append(texts.stored.format(letter=slot.letter, summary=summary))
            if self._invites is not None and self._invites.open_for(key, slot.letter):
                lines.append(texts.invited.format(letter=slot.letter))
        return lines

    def _team_summary(self, session: Session) -> list[str]:
        """Per employee: its letter, phase and number of looks, and a pending check-in's date."""
        texts = self._texts.stored
        lines = []
        for slot in session.slots:
            if slot.phase is None:
                continue
            phase = self._engine.knowledge.phase(slot.phase).label
            lines.append(
                texts.employee.format(letter=slot.letter, phase=phase, count=len(slot.assessments))
            )
            if slot.review_at is not None:
                day = slot.review_at.astimezone(AMSTERDAM).date()
                lines.append(texts.checkin.format(date=self._bundle.long_date(day)))
        return lines

    def _ask_forget(self, record: ChatRecord | None) -> Reply:
        texts = self._texts.forget
        if record is None:
            return Reply(texts.nothing)
        options = (Option(FORGET_CONFIRM, texts.confirm), Option(FORGET_CANCEL, texts.cancel))
        return Reply(texts.question, options)

    def _confirm_forget(self, key: str, record: ChatRecord, choice: str) -> Turn:
        texts = self._texts.forget
        turn = record.session.turn if record.session is not None else 0
        if choice == FORGET_CONFIRM:
            withdraw = _shared_link(record)
            if self._invites is not None:
                if withdraw is not None:  # before the erase: a kill in between is found
                    self._invites.mark_withdrawn(withdraw)
                if record.session is not None:  # the links this chat made go too
                    self._invites.forget_manager(key)
            self._store.erase(key)
            return Turn(Status.DONE, (Reply(texts.done),), turn, texts.confirm, withdraw=withdraw)
        record.asked = None
        if record.session is None:  # no turn saves a record without a session: clear it here
            self._store.save(key, record)
        replies = (Reply(texts.cancelled), *self._current(record.session))
        return Turn(Status.DONE, replies, turn, texts.cancel, record.session)


def _shared_link(record: ChatRecord) -> str | None:
    """The digest of the link whose share this chat's self-check gave (None: none given)."""
    check = record.selfcheck
    if check is None or check.shared_at is None or check.dropped:
        return None
    return check.invite


def _keyboard_of(record: ChatRecord | None) -> int | None:
    """The message whose buttons a record knows to be live (None without a record)."""
    return record.keyboard_message if record is not None else None


@dataclass(frozen=True)
class _Arrival:
    """One input as the channel handed it over, apart from its content: the chat, the channel's
    delivery id, the turn a tapped button was made for (None: typed), the tap's early start and,
    for a step on the event loop, where its saves wait for their flush. These travel together
    from `handle` through the step to the save."""

    key: str
    delivery_id: int
    tap_turn: int | None
    early: _Early | None = None
    staged: _Staged | None = None


class _Staged:
    """The saves of a step on the event loop, written but not flushed, and what waits for them.

    `commit` flushes them in the order they were staged, in a worker thread; `settle` then runs
    on the loop what each save set going (`then`): nothing of it may happen for a turn that
    never reached the disk.
    """

    def __init__(self) -> None:
        self.saves: list[StagedSave] = []
        self._then: list[Callable[[], None]] = []

    def add(self, save: StagedSave) -> None:
        self.saves.append(save)

    def then(self, action: Callable[[], None]) -> None:
        self._then.append(action)

    def commit(self) -> None:
        """In a worker thread: make every save durable; raises SaveFailed at the first refused."""
        for save in self.saves:
            save.commit()

    def settle(self) -> None:
        """On the loop, after `commit`: what the saves set going."""
        for action in self._then:
            action()


class _Early:
    """A coroutine started on the event loop, once: from the step's worker thread when the step
    took the tap, or on the loop itself before the step for a live button (see `handle`)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, run: Callable[[], Awaitable[None]]) -> None:
        self._loop = loop
        self._run = run
        self._future: concurrent.futures.Future[None] | asyncio.Future[None] | None = None

    async def _running(self) -> None:
        await self._run()

    def start(self) -> None:
        """From the worker thread: start it on the loop, without waiting for it."""
        if self._future is None:
            self._future = asyncio.run_coroutine_threadsafe(self._running(), self._loop)

    def start_here(self) -> None:
        """On the loop: start it now, without the hand-over a worker thread needs."""
        if self._future is None:
            self._future = self._loop.create_task(self._running())

    async def finished(self) -> None:
        """On the loop: wait until it has run (a failure is the channel's to log)."""
        future = self._future
        if future is not None:
            if isinstance(future, concurrent.futures.Future):
                future = asyncio.wrap_future(future)
            with contextlib.suppress(Exception):
                await future
