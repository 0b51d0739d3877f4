"""The parking of updates in hand: no names on disk, a half-written file is no update, a file goes
when its updates are handled, and what is left is read back in order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import FAKE_TOKEN
from fake_bot_api.server import FakeBotApi
from telegram import Bot

from bot.persistence.atomic import TEMP_SUFFIX
from bot.telegram.parking import Parking
from bot.telegram.polling import parse


def _updates(api: FakeBotApi) -> list[dict[str, Any]]:
    api.profiles[5] = {
        "first_name": "Geheimvoornaam",
        "last_name": "Geheimachternaam",
        "username": "geheim_account",
    }
    api.send_text(5, "eerste")
    api.send_contact(5, "+31612345678", "Geheimcontact")
    api.send_text(6, "tweede")
    return api.queued()


def test_a_parked_update_keeps_its_content_but_no_name_or_phone_number(tmp_path: Path) -> None:
    raws = _updates(FakeBotApi(token=FAKE_TOKEN))
    parking = Parking(tmp_path)
    parking.write(raws)
    text = "".join(path.read_text() for path in tmp_path.iterdir())
    secrets = ("Geheimvoornaam", "Geheimachternaam", "geheim_account", "612345678", "Geheimcontact")
    for secret in secrets:
        assert secret not in text
    assert "eerste" in text and "tweede" in text
    loaded = Parking(tmp_path).load()
    assert [raw["update_id"] for raw in loaded] == [raw["update_id"] for raw in raws]
    bot = Bot(FAKE_TOKEN)
    for raw in loaded:
        update_id, update = parse(raw, bot)
        assert update is not None and update.effective_chat is not None
        assert update_id == raw["update_id"]


def test_a_file_goes_when_its_updates_are_handled_and_the_rest_is_read_in_order(
    tmp_path: Path,
) -> None:
    raws = _updates(FakeBotApi(token=FAKE_TOKEN))
    ids: list[int] = [raw["update_id"] for raw in raws]
    parking = Parking(tmp_path)
    older = parking.write(raws[:2])
    newer = parking.write(raws[2:])
    parking.register(older, ids[:2])
    parking.register(newer, ids[2:])
    (tmp_path / f".{older}.x{TEMP_SUFFIX}").write_text("[half")  # a write a kill cut off
    parking.handled(ids[0])
    assert (tmp_path / older).exists(), "one of its updates still waits"
    parking.handled(ids[1])
    assert not (tmp_path / older).exists()
    assert [raw["update_id"] for raw in Parking(tmp_path).load()] == ids[2:]
    assert sorted(path.name for path in tmp_path.iterdir()) == [newer], "the temp file went"


def test_a_file_registered_with_nothing_to_handle_goes_at_once(tmp_path: Path) -> None:
    raws = _updates(FakeBotApi(token=FAKE_TOKEN))
    parking = Parking(tmp_path)
    name = parking.write(raws)
    parking.register(name, [])  # all handled while the file was written
    assert list(tmp_path.iterdir()) == [] and parking.parked == 0
