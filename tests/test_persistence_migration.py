"""Record versions: older files are upgraded step by step, and today's real files keep working."""

from __future__ import annotations

import copy
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dialog_helpers import choose, engine, started
from hypothesis import given, settings
from hypothesis import strategies as st

import bot.persistence.migrations as migrations
from bot.persistence import ChatRecord, SessionStore
from bot.persistence.migrations import STEPS, MigrationError, migrate, record_version
from bot.persistence.records import MAX_UPDATE_ID, RECORD_VERSION
from bot.persistence.store import record_bytes
from dialogs import Command, Event

FIXTURES = Path(__file__).parent / "fixtures"
MID = FIXTURES / "v1-mid-conversation.json"
ADVICE = FIXTURES / "v1-after-advice.json"
# The fixtures were written at this moment; a machine whose clock is earlier would see their
# `saved_at` in the future, so the tests below pin "now" to after it when needed.
WRITTEN = datetime(2026, 11, 29, 19, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock_after_the_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    now = max(datetime.now(UTC), WRITTEN + timedelta(hours=1))
    monkeypatch.setattr("bot.persistence.records.utc_now", lambda: now)


def _v1(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_bytes())
    return data


def _installed(store: SessionStore, key: str, fixture: Path) -> None:
    store.path_for(key).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(fixture, store.path_for(key))


# ---- migrate(): pure, step by step ------------------------------------------------------------


def test_every_older_version_has_exactly_one_step() -> None:
    assert sorted(STEPS) == list(range(1, RECORD_VERSION))


@pytest.mark.parametrize("fixture", [MID, ADVICE], ids=["mid", "advice"])
def test_v1_database_becomes_the_current_record(fixture: Path) -> None:
    raw = _v1(fixture)
    before = copy.deepcopy(raw)
    upgraded = migrate(raw)
    assert raw == before, "migrate leaves its input alone"
    v3 = STEPS[2](STEPS[1](raw))
    assert v3 == {**raw["chat"]["1"], "schema_version": 3, "delivery": None, "asked": None}
    chained = v3
    for version in range(3, RECORD_VERSION):  # every later step, in order
        chained = STEPS[version](chained)
    assert upgraded == chained
    assert {k: v for k, v in upgraded.items() if k != "session"} == {
        **{k: v for k, v in v3.items() if k != "session"},
        "schema_version": RECORD_VERSION,
        "checkin_day": None,
        "keyboard_message": None,
        "selfcheck": None,
    }
    assert record_version(raw) == 1 and record_version(upgraded) == RECORD_VERSION


def test_v2_record_gets_an_empty_outbox() -> None:
    v2 = {"schema_version": 2, "session": None, "blocked": False, "last_update_id": 4}
    assert migrations.STEPS[2](v2) == {**v2, "schema_version": 3, "delivery": None, "asked": None}


def test_a_current_record_passes_unchanged_but_copied() -> None:
    current = json.loads(record_bytes(ChatRecord(last_update_id=3)))
    upgraded = migrate(current)
    assert upgraded == current and upgraded is not current


@settings(deadline=None)  # a loaded shared machine is slow; correctness is what counts here
@given(
    turn=st.integers(min_value=0, max_value=10**9),
    update_id=st.integers(min_value=0, max_value=MAX_UPDATE_ID),
    blocked=st.booleans(),
)
def test_any_record_in_v1_form_migrates_to_the_same_record(
    turn: int, update_id: int, blocked: bool
) -> None:
    record = ChatRecord(session=started(), blocked=blocked, last_update_id=update_id)
    assert record.session is not None
    record.session.turn = turn
    current = json.loads(record_bytes(record))
    skipped = {"schema_version", "delivery", "asked", "checkin_day", "keyboard_message"}
    old = {k: v for k, v in current.items() if k not in skipped}
    assert migrate({"chat": {"1": old}}) == current


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"chat": {}},
        {"chat": {"1": []}},
        {"chat": {"2": {"blocked": False}}},
        {"chat": {"1": {"blocked": False}, "2": {"blocked": False}}},
        {"chat": {"1": {"blocked": False}}, "_default": {}},
        {"chat": {"1": {"schema_version": 2, "blocked": False}}},
        {"session": None, "blocked": False},  # a record without a version is no v1 database
    ],
)
def test_no_known_v1_shape_is_refused(raw: dict[str, Any]) -> None:
    with pytest.raises(MigrationError):
        migrate(raw)


@pytest.mark.parametrize("version", [0, -1, True, "2", 1.0, None, [2]])
def test_a_version_must_be_a_positive_whole_number(version: object) -> None:
    with pytest.raises(MigrationError):
        migrate({"schema_version": version})


def test_a_newer_format_is_refused_not_guessed() -> None:
    with pytest.raises(MigrationError, match="newer"):
        migrate({"schema_version": RECORD_VERSION + 1})


def test_later_versions_add_one_step_each(monkeypatch: pytest.MonkeyPatch) -> None:
    """The mechanism for the next format: a v1 file walks through every step to the newest."""

    def next_step(raw: dict[str, Any]) -> dict[str, Any]:
        return {**raw, "schema_version": RECORD_VERSION + 1, "channel": "telegram"}

    monkeypatch.setattr(migrations, "RECORD_VERSION", RECORD_VERSION + 1)
    monkeypatch.setitem(STEPS, RECORD_VERSION, next_step)
    upgraded = migrate(_v1(MID))
    assert upgraded["schema_version"] == RECORD_VERSION + 1 and upgraded["channel"] == "telegram"
    assert upgraded["last_update_id"] == 811


def test_a_step_that_skips_a_version_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(STEPS, 1, lambda raw: {"schema_version": 3})
    with pytest.raises(MigrationError, match="produced format 3"):
        migrate(_v1(MID))


def test_a_missing_step_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrations, "RECORD_VERSION", RECORD_VERSION + 1)
    with pytest.raises(MigrationError, match=f"no migration step from format {RECORD_VERSION}"):
        migrate(_v1(MID))


# ---- today's real files through the store -------------------------------------------------------


def test_mid_conversation_file_loads_and_the_conversation_goes_on(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    _installed(store, "1001", MID)
    result = store.load_result("1001")
    assert not result.quarantined and not result.blocked
    record = result.record
    assert record is not None and record.session is not None
    assert record.schema_version == RECORD_VERSION
    assert record.last_update_id == 811, "redelivery detection survives the upgrade"
    session = record.session
    assert session.state == "s_actief" and session.turn == 3 and session.role == "mkb"
    assert [(a.step, a.option) for a in session.history] == [("rol", "mkb"), ("s_toepassen", "nee")]

    # The same answers given today lead to the same place, with the same choices offered.
    fresh = started()
    choose(fresh, "mkb", "geen", "nee")
    assert engine().current_options(session) == engine().current_options(fresh)

    engine().handle(session, Event.option("ja"))
    record.last_update_id = 812
    store.save("1001", record)
    stored = json.loads(store.path_for("1001").read_bytes())
    assert stored["schema_version"] == RECORD_VERSION and "chat" not in stored
    again = store.load("1001")
    assert again is not None and again.session == session and again.last_update_id == 812
    assert again.session is not None and again.session.history[-1].option == "ja"


def test_after_advice_file_loads_with_its_advice_and_menu(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    _installed(store, "1002", ADVICE)
    record = store.load("1002")
    assert record is not None and record.session is not None
    session = record.session
    assert session.state == "advies" and session.phase == "actie"
    assert session.advised == _v1(ADVICE)["chat"]["1"]["session"]["advised"]
    fresh = started()
    choose(fresh, "mkb", "geen", "nee", "ja", "ok", "nee", "ja", "ja", "ja")
    # The first advice is shorter now (levers moved behind "Meer"); the old advice begins the same
    # and its overview offers the same buttons.
    assert fresh.advised == session.advised[: len(fresh.advised)]
    overview = [option.id for option in engine().current_options(fresh)]
    assert [option.id for option in engine().current_options(session)] == overview

    replies = engine().handle(session, Event.option("plan"))
    assert replies[0].attachment == "action_plan"
    store.save("1002", record)
    again = store.load("1002")
    assert again is not None and again.session == session


# ---- format 3 (before the team) -----------------------------------------------------------------

V3 = FIXTURES / "v3-after-advice.json"


def test_a_v3_record_with_advice_becomes_employee_a_and_the_conversation_goes_on(
    tmp_path: Path,
) -> None:
    store = SessionStore(tmp_path)
    _installed(store, "1003", V3)
    record = store.load("1003")
    assert record is not None and record.session is not None
    assert record.schema_version == RECORD_VERSION and record.last_update_id == 1203
    assert record.checkin_day is None and record.next_checkin() is None
    session = record.session
    old = json.loads(V3.read_bytes())["session"]
    assert session.state == "advies" and session.advised == old["advised"]
    assert [slot.letter for slot in session.slots] == ["A"] and session.current == "A"
    slot = session.slots[0]
    assert slot.phase == "actie" and slot.advised == old["advised"]
    assert [step.item for step in slot.steps] == old["advised"][:2]
    assert session.precondition_gaps == old["precondition_gaps"]
    assert session.org_checked_at is not None

    # The menu now offers a reminder for employee A, and the check-in works on the old record.
    offered = [option.id for option in engine().current_options(session)]
    assert "herinner" in offered and "team" in offered
    engine().handle(session, Event.option("herinner"))
    engine().handle(session, Event.option("w4"))
    assert slot.letter == "A" and session.slots[0].review_at is not None
    store.save("1003", record)
    again = store.load("1003")
    assert again is not None and again.next_checkin() == session.slots[0].review_at
    assert again.session is not None
    replies = engine().check_in(again.session, "A")
    assert again.session.state == "ci_stap" and again.next_checkin() is None
    assert "A" in replies[-1].text


def test_a_v3_record_mid_conversation_gets_an_empty_team() -> None:
    raw = json.loads(record_bytes(ChatRecord(session=started(), last_update_id=4)))
    newer = ("checkin_day", "keyboard_message")
    v3 = copy.deepcopy({k: v for k, v in raw.items() if k not in newer}) | {"schema_version": 3}
    for field in ("slots", "current", "org_checked_at", "reuse_org", "checkin_step"):
        del v3["session"][field]
    for field in ("unsure_gaps", "page", "confirm_restart"):
        del v3["session"][field]
    assert migrate(v3) == raw


# ---- format 4 (before typed answers and phone-sized keyboards) ---------------------------------

V4_ADVICE = FIXTURES / "v4-after-advice.json"
V4_UNDELIVERED = FIXTURES / "v4-undelivered.json"


def test_v4_step_adds_no_live_keyboard_and_keeps_the_outbox() -> None:
    raw = json.loads(V4_UNDELIVERED.read_bytes())
    before = copy.deepcopy(raw)
    upgraded = STEPS[4](raw)
    assert raw == before, "the step leaves its input alone"
    assert upgraded["schema_version"] == 5 and upgraded["keyboard_message"] is None
    old_replies = raw["delivery"]["replies"]
    assert upgraded["delivery"]["replies"] == [{**r, "replaces": False} for r in old_replies]
    assert upgraded["delivery"]["delivered"] is False
    session = upgraded["session"]
    assert (session["unsure_gaps"], session["page"], session["confirm_restart"]) == ([], 0, None)
    assert {k: v for k, v in session.items() if k in raw["session"]} == raw["session"]
    ChatRecord.model_validate(migrate(upgraded))


def test_v6_step_counts_no_message_of_a_waiting_outbox_as_sent() -> None:
    """Format 7 counts the messages of a turn that went out: an older outbox goes out whole."""
    raw = STEPS[5](STEPS[4](json.loads(V4_UNDELIVERED.read_bytes())))
    before = copy.deepcopy(raw)
    upgraded = STEPS[6](raw)
    assert raw == before, "the step leaves its input alone"
    assert upgraded == {**raw, "schema_version": 7, "delivery": {**raw["delivery"], "sent": 0}}
    assert STEPS[6]({**raw, "delivery": None})["delivery"] is None
    ChatRecord.model_validate(migrate(before))


def test_a_v4_record_with_advice_and_a_check_in_goes_on(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    _installed(store, "1004", V4_ADVICE)
    record = store.load("1004")
    assert record is not None and record.session is not None
    assert record.schema_version == RECORD_VERSION and record.last_update_id == 1409
    assert record.keyboard_message is None and record.delivery is not None
    assert record.delivery.delivered and not any(r.replaces for r in record.delivery.replies)
    session = record.session
    old = json.loads(V4_ADVICE.read_bytes())["session"]
    assert session.state == "advies" and session.advised == old["advised"]
    assert session.precondition_gaps == old["precondition_gaps"] and session.unsure_gaps == []
    assert session.slots[0].review_at is not None
    assert record.next_checkin() == session.slots[0].review_at

    # The menu of today: the same options, now in pages of at most five, and typed words work.
    fresh = started()
    choose(fresh, "mkb", "geen", "nee", "ja", "ok", "nee", "ja", "ja", "ja")
    assert [o.id for o in engine().current_options(session)] == [
        o.id for o in engine().current_options(fresh)
    ]
    assert len([o for o in engine().shown_options(session) if o.id != "_terug"]) <= 5
    engine().handle(session, Event.text("actieplan"))
    assert session.state == "plan"
    store.save("1004", record)
    again = store.load("1004")
    assert again is not None and again.session == session
    assert again.next_checkin() == session.slots[0].review_at
    replies = engine().check_in(session, "A")
    assert session.state == "ci_stap" and "A" in replies[-1].text


async def test_a_v4_record_whose_replies_never_went_out_is_sent_after_the_upgrade(
    tmp_path: Path,
) -> None:
    from bot.conversation import Conversation, Deliver, Turn

    store = SessionStore(tmp_path)
    _installed(store, "1005", V4_UNDELIVERED)
    sent: list[Turn] = []

    def deliver_to(key: str) -> Deliver:
        async def deliver(turn: Turn) -> int:
            sent.append(turn)
            return 77  # the message that now carries the buttons

        return deliver

    conversation = Conversation(engine(), store, retention_days=30)
    assert await conversation.resend(["1005"], deliver_to) == 1
    (turn,) = sent
    old = json.loads(V4_UNDELIVERED.read_bytes())["delivery"]["replies"]
    assert [reply.text for reply in turn.replies] == [reply["text"] for reply in old]
    assert turn.keyboard_message is None and not turn.replies[-1].replaces
    record = store.load("1005")
    assert record is not None and record.delivery is not None and record.delivery.delivered
    assert record.keyboard_message == 77
    # The conversation goes on where it was, with a typed answer.
    typed = await conversation.handle("1005", 1503, Event.text("nee hoor"))
    assert typed.session is not None and typed.session.state == "s_belang"
    assert typed.keyboard_message == 77, "the next turn knows whose buttons to take away"


V5_DETAIL = FIXTURES / "v5-detail-open.json"
V5_UNDELIVERED = FIXTURES / "v5-undelivered-advice.json"


def test_v5_step_keeps_the_answers_that_still_say_what_they_meant() -> None:
    raw = json.loads(V5_DETAIL.read_bytes())
    before = copy.deepcopy(raw)
    upgraded = STEPS[5](raw)
    assert raw == before, "the step leaves its input alone"
    assert upgraded["schema_version"] == 6
    session = upgraded["session"]
    # The detail was named only by a place in a list ("i2"): the user is back at the advice.
    assert session["state"] == "advies" and session["page"] == 0
    old = [(a["step"], a["option"]) for a in raw["session"]["history"]]
    assert old[-1] == ("advies", "i2")
    assert [(a["step"], a["option"]) for a in session["history"]] == old[:-1]
    assert all(answer["before"] is None for answer in session["history"])
    assert {k: v for k, v in session.items() if k not in ("state", "history")} == {
        k: v for k, v in raw["session"].items() if k not in ("state", "history")
    }
    ChatRecord.model_validate(migrate(upgraded))


def test_a_v5_record_goes_on_with_stable_ids_and_says_what_it_cannot_undo(
    tmp_path: Path,
) -> None:
    store = SessionStore(tmp_path)
    _installed(store, "1006", V5_DETAIL)
    record = store.load("1006")
    assert record is not None and record.session is not None
    assert record.schema_version == RECORD_VERSION and record.last_update_id == 1608
    session = record.session
    old = json.loads(V5_DETAIL.read_bytes())["session"]
    assert session.state == "advies" and session.advised == old["advised"]
    # An answer from before snapshots cannot be undone: said so, and nothing changes.
    kept = session.model_dump_json()
    replies = engine().handle(session, Event.command(Command.BACK))
    assert session.model_dump_json() == kept
    assert replies[-1].text.startswith(engine().texts.cannot_undo)
    assert "_terug" not in [option.id for option in replies[-1].options]
    # The button of the intervention the old "i2" opened opens it, by its own id.
    second = engine().knowledge.intervention(old["advised"][1])
    replies = engine().handle(session, Event.option(f"i.{second.id}"))
    assert session.state == "uitleg" and replies[-1].text.startswith(second.title)
    engine().handle(session, Event.command(Command.BACK))
    assert session.state == "advies" and session.model_dump_json() != kept
    store.save("1006", record)
    again = store.load("1006")
    assert again is not None and again.session == session


async def test_a_v5_record_whose_buttons_never_went_out_gets_them_with_stable_ids(
    tmp_path: Path,
) -> None:
    from bot.conversation import Conversation, Deliver, Turn

    store = SessionStore(tmp_path)
    _installed(store, "1007", V5_UNDELIVERED)
    sent: list[Turn] = []

    def deliver_to(key: str) -> Deliver:
        async def deliver(turn: Turn) -> int:
            sent.append(turn)
            return 88

        return deliver

    conversation = Conversation(engine(), store, retention_days=30)
    assert await conversation.resend(["1007"], deliver_to) == 1
    (turn,) = sent
    old = json.loads(V5_UNDELIVERED.read_bytes())
    assert [o["id"] for o in old["delivery"]["replies"][-1]["options"]][:4] == [
        "i1",
        "w1",
        "w2",
        "i2",
    ]
    session = old["session"]
    gaps = session["precondition_gaps"]
    assert [option.id for option in turn.replies[-1].options] == [
        f"i.{session['advised'][0]}",
        f"w.{gaps[0]}",
        f"w.{gaps[1]}",
        f"i.{session['advised'][1]}",
        "_meer",
        "_terug",
    ]
    record = store.load("1007")
    assert record is not None and record.session is not None
    assert [answer.option for answer in record.session.history][2] == "f.actie"  # was "f3"
    # Every button sent is one the step takes.
    offered = {option.id for option in engine().current_options(record.session)}
    assert {option.id for option in turn.replies[-1].options} - offered <= {"_meer", "_terug"}
    tapped = await conversation.handle(
        "1007", 1707, Event.option(f"w.{gaps[0]}"), tap_turn=record.session.turn
    )
    assert tapped.session is not None and tapped.session.state == "uitleg"


def test_a_v7_record_did_no_self_check() -> None:
    v7 = {"schema_version": 7, "session": None, "blocked": False, "keyboard_message": None}
    assert STEPS[7](v7) == {**v7, "schema_version": 8, "selfcheck": None}
