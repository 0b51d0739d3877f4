"""Invitation links (issue 21, part 1): random single-use tokens, hashed, 14 days, withdrawn."""

from __future__ import annotations

import math
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import bot.invites as invites
from bot.invites import LIFETIME, Claim, InviteState, InviteStore, digest
from bot.persistence.store import read_regular

NOW = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
MANAGER = "1001"
EMPLOYEE = "2002"


@pytest.fixture
def store(tmp_path: Path) -> InviteStore:
    return InviteStore(tmp_path)


def test_a_token_is_random_enough_and_only_its_digest_is_stored(store: InviteStore) -> None:
    token = store.create(MANAGER, "A", NOW)
    assert len(token) == 32 and invites.well_formed(token)
    assert invites.TOKEN_BYTES * 8 >= 128
    files = list(store.root.iterdir())
    assert [path.stem for path in files] == [digest(token)]
    stored = files[0].read_text(encoding="utf-8")
    assert token not in stored and "2002" not in stored
    assert math.log2(64) * len(token) >= 128


def test_tokens_say_nothing_about_who_made_them(
    store: InviteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The token is the random draw alone. (Looking for the manager's id or "AAA" in it failed
    about once in 9,000 runs: a random token holds such a string by chance.)"""
    drawn: list[str] = []
    draw = secrets.token_urlsafe

    def noted(nbytes: int) -> str:
        drawn.append(draw(nbytes))
        return drawn[-1]

    monkeypatch.setattr(secrets, "token_urlsafe", noted)
    first = store.create(MANAGER, "A", NOW)
    second = store.create(MANAGER, "A", NOW)
    assert first != second
    assert [first, second] == drawn, "nothing of the manager or the letter is mixed in"


def test_a_link_works_once(store: InviteStore) -> None:
    token = store.create(MANAGER, "B", NOW)
    assert store.check(token, EMPLOYEE, NOW) is Claim.OK
    claim, name = store.claim(token, EMPLOYEE, NOW)
    assert claim is Claim.OK and name == digest(token)
    invite = store.get(name)
    assert invite is not None and invite.letter == "B" and invite.state is InviteState.USED
    assert store.claim(token, "3003", NOW)[0] is Claim.USED  # a second person, or a replay


def test_a_link_expires_after_fourteen_days(store: InviteStore) -> None:
    token = store.create(MANAGER, "A", NOW)
    assert timedelta(days=14) == LIFETIME
    assert store.claim(token, EMPLOYEE, NOW + LIFETIME - timedelta(seconds=1))[0] is Claim.OK
    late = store.create(MANAGER, "C", NOW)
    assert store.claim(late, EMPLOYEE, NOW + LIFETIME)[0] is Claim.EXPIRED
    invite = store.get(digest(late))
    assert invite is not None and invite.state is InviteState.OPEN, "an expired try changes nothing"


def test_a_withdrawn_link_is_refused(store: InviteStore) -> None:
    token = store.create(MANAGER, "A", NOW)
    assert store.open_for(MANAGER, "A", NOW)
    assert store.withdraw(MANAGER, "A") == 1
    assert not store.open_for(MANAGER, "A", NOW)
    assert store.claim(token, EMPLOYEE, NOW)[0] is Claim.WITHDRAWN


def test_a_new_link_for_a_slot_withdraws_the_old_one(store: InviteStore) -> None:
    old = store.create(MANAGER, "A", NOW)
    new = store.create(MANAGER, "A", NOW)
    assert store.check(old, EMPLOYEE, NOW) is Claim.WITHDRAWN
    assert store.check(new, EMPLOYEE, NOW) is Claim.OK


def test_the_manager_cannot_open_their_own_link(store: InviteStore) -> None:
    token = store.create(MANAGER, "A", NOW)
    assert store.claim(token, MANAGER, NOW)[0] is Claim.OWN
    assert store.check(token, EMPLOYEE, NOW) is Claim.OK, "still open for the employee"


def test_guessed_tokens_are_unknown(store: InviteStore) -> None:
    store.create(MANAGER, "A", NOW)
    for guess in ["", "mkb", "x" * 32, "../" * 11, "a" * 200, "é" * 32]:
        assert store.claim(guess, EMPLOYEE, NOW)[0] is Claim.UNKNOWN


def test_a_flood_of_bad_payloads_never_writes_and_mostly_never_reads(
    store: InviteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[Path] = []
    reads: list[Path] = []
    real_read = read_regular
    monkeypatch.setattr(invites, "atomic_write_bytes", lambda path, data: writes.append(path))

    def counted(path: Path) -> bytes:
        reads.append(path)
        return real_read(path)

    monkeypatch.setattr("bot.invites.read_regular", counted)
    for number in range(1000):
        store.claim(f"payload{number}", EMPLOYEE, NOW)
    assert writes == [] and reads == [], "a malformed payload touches no file"
    for number in range(1000):
        store.claim(f"{number:032d}", EMPLOYEE, NOW)
    assert writes == [], "a well-shaped guess only reads (and finds nothing)"


def test_two_openers_at_once_get_one_link(store: InviteStore) -> None:
    import threading

    token = store.create(MANAGER, "A", NOW)
    results: list[Claim] = []
    start = threading.Barrier(8)

    def open_link(who: int) -> None:
        start.wait()
        results.append(store.claim(token, str(5000 + who), NOW)[0])

    threads = [threading.Thread(target=open_link, args=(who,)) for who in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == sorted([Claim.OK] + [Claim.USED] * 7)


def test_forget_and_purge(store: InviteStore) -> None:
    mine = store.create(MANAGER, "A", NOW)
    other = store.create("4004", "A", NOW)
    assert store.forget_manager(MANAGER) == 1
    assert store.get(digest(mine)) is None and store.get(digest(other)) is not None
    assert store.purge(timedelta(days=30), NOW + LIFETIME + timedelta(days=29)) == 0
    assert store.purge(timedelta(days=30), NOW + LIFETIME + timedelta(days=31)) == 1
    assert list(store.root.iterdir()) == []


def test_the_employee_can_remove_the_link_they_used(store: InviteStore) -> None:
    token = store.create(MANAGER, "A", NOW)
    _, name = store.claim(token, EMPLOYEE, NOW)
    assert store.remove(name) and store.get(name) is None
    assert not store.remove("../sessions")
