"""A chat's file names are not parsed anew for every turn (issue 24: the soak's memory).

Python 3.11's pathlib interns every part of a path it parses (`sys.intern`). A record's path
built for each load, save and note put the chat's file name into the interpreter's table of
interned strings and took it out again: about five slots a turn. The table is rebuilt when its
slots run out, nearly 4 MB at a time, and the soak benchmark grew by that much every couple of
thousand users. These tests count the names the disk work of a turn hands to `sys.intern`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.persistence import ChatRecord, SessionStore
from bot.persistence.atomic import atomic_write_bytes
from bot.persistence.records import Delivery, StoredReply
from bot.telegram.parking import Parking
from dialogs.session import Session

KEY = "4711"
TURNS = 10


def _interned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text handed to `sys.intern` from now on (pathlib looks it up at each call)."""
    seen: list[str] = []
    real = sys.intern

    def counting(text: str) -> str:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(sys, "intern", counting)
    return seen


def _turn(update_id: int) -> ChatRecord:
    delivery = Delivery(update_id=update_id, turn=update_id, replies=[StoredReply(text="Vraag?")])
    return ChatRecord(session=Session(), last_update_id=update_id, delivery=delivery)


def test_ten_turns_of_one_chat_parse_its_file_name_at_most_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SessionStore(tmp_path)
    store.save("1", _turn(1))  # the folders exist, as in a bot that has run a while
    store.indexed()
    seen = _interned(monkeypatch)
    for update_id in range(1, TURNS + 1):
        assert update_id == 1 or store.load(KEY) is not None
        record = _turn(update_id)
        store.save(KEY, record)  # an outbox not sent yet: the chat is listed as unsent
        assert record.delivery is not None
        record.delivery.sent = 1
        record.delivery.delivered = True
        store.note(KEY, record)  # sent: the chat leaves the list again
    assert store.unsent_keys() == ["1"]
    assert [text for text in seen if KEY in text] in ([], [f"{KEY}.json"])


def test_parking_a_batch_interns_no_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "parked"
    parking = Parking(folder)
    parking.register(parking.write([{"update_id": 1}]), [])  # the folder exists
    seen = _interned(monkeypatch)
    for update_id in range(2, TURNS + 2):
        name = parking.write([{"update_id": update_id}])
        parking.register(name, [update_id])
        parking.handled(update_id)
        assert name not in seen
    assert seen == []
    assert not any(path.suffix == ".json" for path in folder.iterdir())


@pytest.mark.parametrize("relative", [False, True])
def test_a_path_given_as_text_is_replaced_in_its_own_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relative: bool
) -> None:
    """Text paths (as parking passes them) behave as Paths; a bare name means the working
    folder, never the root."""
    monkeypatch.chdir(tmp_path)
    target = "plain.json" if relative else str(tmp_path / "plain.json")
    atomic_write_bytes(target, b"old")
    atomic_write_bytes(target, b"new")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["plain.json"]
    assert (tmp_path / "plain.json").read_bytes() == b"new"
