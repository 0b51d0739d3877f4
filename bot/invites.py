"""Invitation links: a manager asks one employee slot ("Medewerker A") to do the self-check.

Why a store of its own, beside the chat records: an invitation joins two chats that must stay
strangers. The manager's record never learns who opened the link, and the employee's record keeps
only the invitation's digest (the link's slot reference). The invitation itself knows the
manager's chat key and the slot letter, nothing about the employee, and never the token.

The token is `secrets.token_urlsafe` of 24 bytes (192 bits, 32 characters of Telegram's deep-link
alphabet): random, single use, and it says nothing about who made it. Only its SHA-256 digest is
kept, as the file name `invites/<digest>.json`, so a copy of the data directory opens no link.

Reading is cheap on purpose: a payload that is not shaped like a token is refused without
touching the disk, and a well-shaped guess costs one failed `open` (never a write), so a flood
of made-up `/start` payloads cannot wear the disk. Only a link that is really used, withdrawn or
made writes a file. A link is claimed under one lock, so of two people opening it at once the
second is told it was used.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from bot.persistence.atomic import atomic_write_bytes, ensure_dir, remove_durably
from bot.persistence.keys import KEY_PATTERN, check_key
from bot.persistence.records import utc_now
from bot.persistence.store import NotAFile, read_regular

log = logging.getLogger(__name__)

INVITES_DIR = "invites"
# One empty file per chat whose share still has to reach the manager's record (a kill between
# the two chats' saves is finished from here at the next start).
PENDING_DIR = "pending"
# One empty file per link whose share the employee withdrew (/vergeet), until the manager's slot
# let go of it.
WITHDRAWN_DIR = "withdrawn"
# One empty file per manager with a share whose message back waits (outside civil hours).
UNTOLD_DIR = "untold"
TOKEN_BYTES = 24  # 192 bits of randomness (at least 128 asked for)
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}")
DIGEST_PATTERN = re.compile(r"[0-9a-f]{64}")
LIFETIME = timedelta(days=14)


class InviteState(StrEnum):
    OPEN = "open"
    USED = "used"
    WITHDRAWN = "withdrawn"


class Invite(BaseModel):
    """One invitation, as stored: whose it is, for which slot, until when, and how far it got."""

    model_config = ConfigDict(extra="forbid")

    manager: str = Field(pattern=KEY_PATTERN.pattern)
    letter: str = Field(pattern=r"^[A-T]$")
    created_at: AwareDatetime
    expires_at: AwareDatetime
    state: InviteState = InviteState.OPEN

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


class Claim(StrEnum):
    """What opening a link found; only OK changed anything."""

    OK = "ok"
    UNKNOWN = "unknown"  # malformed, guessed, or deleted meanwhile
    USED = "used"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    OWN = "own"  # the manager opened their own link


def digest(token: str) -> str:
    """The stored name of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: str) -> bool:
    """Shaped like a token we hand out: checked before anything touches the disk."""
    return TOKEN_PATTERN.fullmatch(token) is not None


class InviteStore:
    """Make, open, claim, withdraw and purge invitations under `<data_dir>/invites/`."""

    def __init__(self, data_dir: Path) -> None:
        self._root = data_dir / INVITES_DIR
        self._lock = threading.Lock()  # one claim at a time: a link is used once

    @property
    def root(self) -> Path:
        return self._root

    def create(self, manager: str, letter: str, now: datetime | None = None) -> str:
        """A fresh token for the manager's slot; an earlier open link of that slot is withdrawn,
        so one slot has at most one link that works."""
        moment = now or utc_now()
        token = secrets.token_urlsafe(TOKEN_BYTES)
        invite = Invite(
            manager=manager, letter=letter, created_at=moment, expires_at=moment + LIFETIME
        )
        with self._lock:
            self._withdraw(manager, letter)
            self._write(digest(token), invite)
        return token

    def get(self, name: str) -> Invite | None:
        """The invitation stored under digest `name`, None when there is none (or it is broken)."""
        if DIGEST_PATTERN.fullmatch(name) is None:
            return None
        try:
            return Invite.model_validate_json(read_regular(self._path(name)))
        except (OSError, NotAFile, ValidationError):
            return None

    def check(self, token: str, opener: str, now: datetime | None = None) -> Claim:
        """What opening `token` from chat `opener` would find; changes nothing."""
        if not well_formed(token):
            return Claim.UNKNOWN
        return _verdict(self.get(digest(token)), opener, now or utc_now())

    def claim(self, token: str, opener: str, now: datetime | None = None) -> tuple[Claim, str]:
        """Use the link once: (OK, digest) marks it used; anything else changes nothing."""
        if not well_formed(token):
            return Claim.UNKNOWN, ""
        name = digest(token)
        with self._lock:
            invite = self.get(name)
            verdict = _verdict(invite, opener, now or utc_now())
            if verdict is Claim.OK and invite is not None:
                invite.state = InviteState.USED
                self._write(name, invite)
        return verdict, name

    def withdraw(self, manager: str, letter: str) -> int:
        """Withdraw the slot's open links; returns how many. A used link stays (it says where a
        share belongs until the employee or the manager forgets it)."""
        with self._lock:
            return self._withdraw(manager, letter)

    def open_for(self, manager: str, letter: str, now: datetime | None = None) -> bool:
        """The slot has a link that still works."""
        moment = now or utc_now()
        return any(
            invite.manager == manager
            and invite.letter == letter
            and invite.state is InviteState.OPEN
            and not invite.expired(moment)
            for _, invite in self._all()
        )

    def forget_manager(self, manager: str, letter: str | None = None) -> int:
        """Delete the manager's invitations (of one slot, or all): /vergeet and a slot removed."""
        removed = 0
        with self._lock:
            for name, invite in self._all():
                if invite.manager == manager and letter in (None, invite.letter):
                    removed += remove_durably(self._path(name))
        return removed

    def remove(self, name: str) -> bool:
        """Delete one invitation by digest (the employee's /vergeet)."""
        if DIGEST_PATTERN.fullmatch(name) is None:
            return False
        with self._lock:
            return remove_durably(self._path(name))

    def purge(self, retention: timedelta, now: datetime | None = None) -> int:
        """Delete invitations expired more than `retention` ago: the same retention as chats."""
        cutoff = (now or utc_now()) - retention
        removed = 0
        with self._lock:
            for name, invite in self._all():
                if invite.expires_at < cutoff:
                    removed += remove_durably(self._path(name))
        return removed

    def mark_pending(self, key: str) -> None:
        """Chat `key` shared: remember that until its hand-over is done (durable, before the
        chat's own save, so a kill in between is found at the next start)."""
        self._mark(PENDING_DIR, check_key(key))

    def pending(self) -> list[str]:
        """The chats whose share still waits for its hand-over."""
        return self._marked(PENDING_DIR, KEY_PATTERN)

    def unmark(self, key: str) -> None:
        remove_durably(self._root / PENDING_DIR / check_key(key))

    def mark_withdrawn(self, name: str) -> None:
        """The employee withdrew the share of link `name` (/vergeet): remembered until the
        manager's slot has let go of it."""
        if DIGEST_PATTERN.fullmatch(name) is None:
            raise ValueError("not an invitation digest")
        self._mark(WITHDRAWN_DIR, name)

    def withdrawals(self) -> list[str]:
        return self._marked(WITHDRAWN_DIR, DIGEST_PATTERN)

    def unmark_withdrawn(self, name: str) -> None:
        if DIGEST_PATTERN.fullmatch(name) is not None:
            remove_durably(self._root / WITHDRAWN_DIR / name)

    def mark_untold(self, manager: str) -> None:
        """Manager `manager` has a share whose message back waits for a civil hour."""
        self._mark(UNTOLD_DIR, check_key(manager))

    def untold(self) -> list[str]:
        return self._marked(UNTOLD_DIR, KEY_PATTERN)

    def unmark_untold(self, manager: str) -> None:
        remove_durably(self._root / UNTOLD_DIR / check_key(manager))

    def _mark(self, kind: str, name: str) -> None:
        atomic_write_bytes(self._root / kind / name, b"")

    def _marked(self, kind: str, pattern: re.Pattern[str]) -> list[str]:
        folder = self._root / kind
        if not folder.is_dir():
            return []
        return sorted(path.name for path in folder.iterdir() if pattern.fullmatch(path.name))

    # ---- files -----------------------------------------------------------------------------------

    def _path(self, name: str) -> Path:
        return self._root / f"{name}.json"

    def _write(self, name: str, invite: Invite) -> None:
        ensure_dir(self._root)
        atomic_write_bytes(self._path(name), invite.model_dump_json().encode("utf-8"))

    def _all(self) -> Iterator[tuple[str, Invite]]:
        if not self._root.is_dir():
            return
        for path in sorted(self._root.glob("*.json")):
            invite = self.get(path.stem)
            if invite is not None:
                yield path.stem, invite

    def _withdraw(self, manager: str, letter: str) -> int:
        count = 0
        for name, invite in list(self._all()):
            mine = invite.manager == manager and invite.letter == letter
            if mine and invite.state is InviteState.OPEN:
                invite.state = InviteState.WITHDRAWN
                self._write(name, invite)
                count += 1
        return count


def _verdict(invite: Invite | None, opener: str, now: datetime) -> Claim:
    if invite is None:
        return Claim.UNKNOWN
    if invite.manager == opener:
        return Claim.OWN
    if invite.state is InviteState.WITHDRAWN:
        return Claim.WITHDRAWN
    if invite.state is InviteState.USED:
        return Claim.USED
    if invite.expired(now):
        return Claim.EXPIRED
    return Claim.OK
