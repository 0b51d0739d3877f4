"""Routing a chat's input to its self-check, and handing a share over to the manager's record.

Why beside the conversation service and not inside the engine: the self-check is another
person's short dialog (see dialogs/selfcheck.py); the service only has to know which inputs
belong to it. This module decides that, and the service keeps its frame (lock, save with the
outbox, delivery) for both.

Which inputs: `/start <token>` opens a link (a payload that is neither a role nor a link we
could have made is refused here, without a write: a flood of made-up payloads costs nothing);
while a self-check asks something, its taps (by turn), typed answers, /help and /terug go to
it; /opnieuw, /team or a /start with a role leave it (nothing shared) for the adviesgesprek.

Two chats, one promise (the hand-over): the employee's "share" is saved in the employee's own
record first, with a marker under `invites/pending/` written before that save. The manager's
record is then changed in a separate step under the manager's own lock, never while the
employee's lock is held, so no two locks are ever nested and no lock order can deadlock. The
share carries the link's digest, so a share applied again after a crash is recognised and
changes nothing (and tells the manager nothing twice). Only then is the employee's record
marked done and the marker removed; the start-up sweep finishes whatever a kill interrupted.
bot/shares.py carries the hand-over out.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote

from bot.invites import Claim, InviteStore, digest, well_formed
from bot.persistence.records import ChatRecord
from dialogs import Command, Event, EventKind, Option, Reply
from dialogs.engine import MAX_OPTIONS, NAV_BACK, NAV_MORE
from dialogs.selfcheck import DECLINED, KEPT, SHARE, SelfCheck, SelfCheckDialog, SelfView
from knowledge import KnowledgeBase


@dataclass(frozen=True)
class Step:
    """What a self-check input did, for the service to save and deliver."""

    replies: tuple[Reply, ...]
    turn: int
    chosen: str | None = None
    # The record changed (a new or moved self-check): save it with the replies as its outbox.
    changed: bool = False
    # A tap of an earlier message, or one not on offer: nothing changed.
    stale: bool = False
    # The employee chose to share: hand this over once the employee's turn is saved.
    shared: SelfView | None = None


class Handed(StrEnum):
    """What a hand-over did at the manager's side."""

    APPLIED = "applied"
    ALREADY = "already"  # this very share is there already (a retry after a crash)
    DROPPED = "dropped"  # the slot or the link is gone: nothing shared


class SelfCheckRoute:
    """Which inputs belong to a chat's self-check, and what they do there."""

    def __init__(
        self, dialog: SelfCheckDialog, invites: InviteStore | None, roles: Collection[str]
    ) -> None:
        self._dialog = dialog
        self._invites = invites
        self._roles = frozenset(roles)

    @property
    def dialog(self) -> SelfCheckDialog:
        return self._dialog

    def step(
        self,
        key: str,
        message: Event,
        tap_turn: int | None,
        record: ChatRecord,
        current: Callable[[], tuple[Reply, ...]],
    ) -> Step | None:
        """The self-check's answer to `message`; None when the adviesgesprek answers it.

        `record` (a fresh one for a chat without) may be changed in place: a self-check begun,
        moved on, or left for the adviesgesprek; it is saved when `Step.changed`. `current`
        is the adviesgesprek's question, shown under a refused link so nobody loses their place.
        """
        check = record.selfcheck
        if message.kind is EventKind.OPTION and message.value.startswith("!"):
            return None  # the service's own questions (/vergeet) answer these
        if message.kind is EventKind.START and message.value:
            if message.value in self._roles:
                self._leave(record)
                return None
            return self._open(key, message.value, record, current)
        if check is None:
            return None
        if check.state == KEPT:
            return self._kept(record, check, message, tap_turn)
        if not check.active:
            return None
        if message.kind is EventKind.START:
            return Step((self._dialog.prompt(check),), check.turn)
        if message.kind is EventKind.COMMAND and message.value not in (Command.HELP, Command.BACK):
            self._leave(record)
            return None
        if message.kind is EventKind.OPTION and tap_turn != check.turn:
            return Step((self._dialog.prompt(check),), check.turn, stale=True)
        return self._decide(record, check, message)

    def _open(
        self, key: str, token: str, record: ChatRecord, current: Callable[[], tuple[Reply, ...]]
    ) -> Step:
        """A deep link: start the self-check it invites to, or say kindly why not."""
        texts = self._dialog.texts.refused
        check = record.selfcheck
        turn = check.turn if check is not None else 0
        if check is not None and well_formed(token) and check.invite == digest(token):
            # The employee opens their own link again: where they are, not "already used".
            return Step((self._dialog.prompt(check),), check.turn)
        if self._invites is None:
            verdict, name = Claim.UNKNOWN, ""
        else:
            verdict, name = self._invites.claim(token, key)
        if verdict is not Claim.OK:
            refusal = {
                Claim.USED: texts.used,
                Claim.EXPIRED: texts.expired,
                Claim.WITHDRAWN: texts.withdrawn,
                Claim.OWN: texts.own,
            }.get(verdict, texts.unknown)
            return Step((Reply(refusal), *current()), turn)
        fresh, replies = self._dialog.begin(name)
        if check is not None:
            fresh.turn = check.turn + 1  # an old button of an earlier self-check stays stale
        record.selfcheck = fresh
        return Step(replies, fresh.turn, changed=True)

    def _kept(
        self, record: ChatRecord, check: SelfCheck, message: Event, tap_turn: int | None
    ) -> Step | None:
        """After "Niet delen" only the offer to share after all is the self-check's."""
        if message.kind is not EventKind.OPTION or message.value != SHARE:
            return None
        if tap_turn != check.turn:
            return Step((self._dialog.prompt(check),), check.turn, stale=True)
        return self._decide(record, check, message)

    def _decide(self, record: ChatRecord, check: SelfCheck, message: Event) -> Step:
        work, outcome = self._dialog.decide(check, message)
        if work is check:
            return Step(outcome.replies, check.turn, stale=message.kind is EventKind.OPTION)
        record.selfcheck = work
        return Step(outcome.replies, work.turn, outcome.chosen, changed=True, shared=outcome.shared)

    @staticmethod
    def _leave(record: ChatRecord) -> None:
        """The user starts the adviesgesprek: an unfinished self-check ends, nothing shared."""
        check = record.selfcheck
        if check is not None and check.active and check.shared_at is None:
            check.state = DECLINED


# ---- the manager's side: the invitation, and the two views side by side -------------------------

# The manager's own buttons around a self-check; like /vergeet's, they start with "!" (no dialog
# option does) and are answered by the service, not the engine.
INVITE = "!vraag"  # "Vraag het je medewerker zelf"
WITHDRAW = "!trek"  # withdraw the slot's link
ADOPT = "!neem"  # take over the employee's own phase for the slot
GO_ON = "!verder"  # back to the question the manager was at
# The dialog steps that are about one employee: there the invitation is offered. The employee's
# own step (from /team), and the advice for that employee (issue 21: "in /team and after the
# advice"); in the advice only where its keyboard has room (see `with_invite`).
ASK_AT = frozenset({"medewerker", "advies"})
# At most this many questions for the next conversation.
MAX_QUESTIONS = 3


def with_invite(options: Sequence[Option], extra: Sequence[Option]) -> tuple[Option, ...]:
    """`options` with as many of the manager's `extra` buttons as the keyboard has room for,
    before the paging buttons ("Meer opties", "Terug").

    Why room and not one more row: a keyboard shows at most MAX_OPTIONS answers plus "Terug"
    (dialogs/engine.py, enforced by the dialog and Telegram tests), so a phone shows every
    button without scrolling. The advice's pages are full except, as a rule, its last one (the
    page with "Klaar"): the list runs two to a page beside the plan and help pinned on every
    page, and ends on one. So the invitation is the advice's last option, on that last page,
    which "Meer opties" reaches and comes round from. Where the last page is full too (an even
    list, e.g. once a reminder is set), it is left out of the advice rather than breaking the
    rule: it stays one tap away under the employee in /team. Nothing the engine offers is ever
    replaced or pushed off a page.
    """
    answers = [option for option in options if option.id != NAV_BACK]
    room = max(MAX_OPTIONS - len(answers), 0)
    if not room:
        return tuple(options)
    paging = next(
        (index for index, option in enumerate(options) if option.id in (NAV_MORE, NAV_BACK)),
        len(options),
    )
    return (*options[:paging], *extra[:room], *options[paging:])


def share_url(link: str, text: str) -> str:
    """Telegram's forward dialog for `link` (https://t.me/share/url), opened by a URL button."""
    return f"https://t.me/share/url?url={quote(link, safe='')}&text={quote(text, safe='')}"


def questions(dialog: SelfCheckDialog, own: str | None, view: SelfView) -> list[str]:
    """Two or three questions for the next conversation, from where the views differ: each W
    the employee answered no or "weet ik niet", and the phase when it differs."""
    texts = dialog.texts.manager
    asked = [
        getattr(texts.questions, key) for key, answer in view.answers.items() if answer != "ja"
    ]
    if own is not None and own != view.phase:
        asked.insert(0, texts.phase_question)
    return asked[:MAX_QUESTIONS]


def side_by_side(
    dialog: SelfCheckDialog, knowledge: KnowledgeBase, letter: str, own: str | None, view: SelfView
) -> Reply:
    """The message back to the manager: both views in one line, then what to ask, and a button
    to take over the employee's phase."""
    texts = dialog.texts.manager
    theirs = knowledge.phase(view.phase)
    mine = knowledge.phase(own).number if own is not None else None
    shown_own = texts.phase.format(number=mine) if mine is not None else texts.no_own
    line = texts.side_by_side.format(
        letter=letter, own=shown_own, self=texts.phase.format(number=theirs.number)
    )
    lines = [line, "", dialog.summary_of(view.phase, view.answers)]
    asked = questions(dialog, own, view)
    if asked:
        lines += ["", texts.questions_heading, *(f"• {question}" for question in asked)]
    else:
        lines += ["", texts.same]
    options = []
    if own != view.phase:
        options.append(Option(f"{ADOPT}.{letter}", texts.adopt.format(phase=theirs.number)))
    options.append(Option(GO_ON, texts.go_on))
    return Reply("\n".join(lines), tuple(options))
