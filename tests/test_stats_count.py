"""The anonymous count: which steps count as which milestone, and how the month files are kept.

Driven through the conversation service, as every channel drives it, so that the count is proved
where it is made: once per saved step, from the session before and after (dialogs/milestones.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dialog_helpers import engine, started
from stats_helpers import delivered

from bot.conversation import Conversation, Status, Turn
from bot.persistence import SessionStore
from bot.persistence.memory import MemoryStore
from bot.persistence.records import utc_now
from bot.stats import CountFiles, Key, Tally
from bot.stats.files import QUARANTINE_DIR
from dialogs import Command, Event
from dialogs.knowledge_check import readable
from dialogs.milestones import STATES, Before, Mark, Milestone, between
from dialogs.session import Answer, FirstStep, Slot
from locales import load_bundle
from locales.stats import load_stats_texts

KEY = "4711"
NOON = datetime(2026, 3, 9, 11, 0, tzinfo=UTC)  # 12:00 in Amsterdam: the day is 2026-03-09
DAY = "2026-03-09"


def counted(tmp_path: Path) -> tuple[Conversation, Tally]:
    tally = Tally(tmp_path, clock=NOON.timestamp)
    return Conversation(engine(), MemoryStore(), 30, stats=tally.observe), tally


async def tap(conversation: Conversation, turn: Turn, choice: str | int, number: int) -> Turn:
    """Tap `choice` (an option id on offer, or the place of a button of the last question)."""
    assert turn.session is not None
    if isinstance(choice, int):
        option = turn.replies[-1].options[choice].id
    else:
        offered = [option.id for option in engine().current_options(turn.session)]
        assert choice in offered, f"{choice} not offered: {offered}"
        option = choice
    turn = await conversation.handle(
        KEY, number, Event.option(option), tap_turn=turn.turn, deliver=delivered
    )
    assert turn.status is Status.DONE
    return turn


async def play(conversation: Conversation, choices: list[str | int]) -> Turn:
    """Start, then tap each choice."""
    turn = await conversation.handle(KEY, 1, Event.start(), deliver=delivered)
    for number, choice in enumerate(choices, start=2):
        turn = await tap(conversation, turn, choice, number)
    return turn


def by_milestone(tally: Tally) -> Counter[str]:
    tally.flush()
    found: Counter[str] = Counter()
    for key, number in tally.files.read():
        found[key.milestone] += number
    return found


def test_the_states_the_rules_name_are_in_the_flow() -> None:
    assert set(STATES) <= set(engine().flow.states)


async def test_a_walk_to_the_plan_and_a_reminder_counts_each_milestone_once(
    tmp_path: Path,
) -> None:
    conversation, tally = counted(tmp_path)
    # role, staging (phase 4), the quick check with every answer a gap, a detail, the plan, 4 weeks
    turn = await play(conversation, ["lijn", "geen", "ja", "nee", "ok", "nee", "nee", "nee", "nee"])
    assert turn.session is not None and turn.session.state == "advies"
    gaps = turn.session.precondition_gaps
    assert gaps
    # After the plan a reader with staff is asked for the reminder at once.
    await play_more(conversation, [0, "terug", "plan", "w4"])
    assert by_milestone(tally) == {
        "started": 1,
        "role": 1,
        "phase": 1,
        "checked": 1,
        "gap": len(gaps),
        "advice": 1,
        "detail": 1,
        "plan": 1,
        "reminder": 1,
    }
    keys = {key for key, _ in tally.files.read()}
    assert Key(DAY, "phase", "lijn", "toepassen") in keys
    assert all(key.business == "" for key in keys)  # the kind of work was skipped ("geen")


async def test_the_kind_of_work_is_counted_from_when_it_is_known(tmp_path: Path) -> None:
    conversation, tally = counted(tmp_path)
    turn = await play(conversation, ["lijn", "bouw", "ja", "nee", "ok", "ja", "ja", "ja", "ja"])
    assert turn.session is not None and turn.session.state == "advies"
    await play_more(conversation, ["plan", "w4"])
    tally.flush()
    kinds = {key.milestone: key.business for key, _ in tally.files.read()}
    # Asked right after the role: the start and the role come before it.
    assert kinds == {
        "started": "",
        "role": "",
        "phase": "bouw",
        "checked": "bouw",
        "advice": "bouw",
        "plan": "bouw",
        "reminder": "bouw",
    }


def test_a_month_file_of_the_first_schema_is_still_read_and_written_anew(tmp_path: Path) -> None:
    """A file as the count wrote it before the sixth part (schema 1): read as it was, and the
    next flush writes it as schema 2 with its counts kept."""
    files = CountFiles(tmp_path)
    old = {
        "schema": 1,
        "month": "2026-03",
        "names": ["actie", "checkin_up", "lijn", "plan", "started", "veiligheid-en-werkdruk"],
        "days": {DAY: {"4": 7, "3.2.0": 2, "1.2.0": 3, "3.2.0..5": 1}},
    }
    files.path.mkdir(parents=True)
    files.file_of("2026-03").write_text(json.dumps(old), encoding="ascii")
    stored = {
        Key(DAY, "started"): 7,
        Key(DAY, "plan", "lijn", "actie"): 2,
        Key(DAY, "checkin_up", "lijn", "actie"): 3,
        Key(DAY, "plan", "lijn", "actie", "", "veiligheid-en-werkdruk"): 1,
    }
    assert dict(files.read()) == stored
    files.add({Key(DAY, "checkin_up", "lijn", "actie", "bouw", "", "gedaan"): 1})
    assert dict(files.read()) == {
        **stored,
        Key(DAY, "checkin_up", "lijn", "actie", "bouw", "", "gedaan"): 1,
    }
    assert json.loads(files.file_of("2026-03").read_bytes())["schema"] == 2
    assert not (files.path / QUARANTINE_DIR).exists()
    # A cell of six parts in a file that says schema 1 is not what schema 1 wrote.
    old["days"] = {DAY: {"1.2.0...0": 1}}
    files.file_of("2026-03").write_text(json.dumps(old), encoding="ascii")
    assert dict(files.read()) == {}


async def play_more(conversation: Conversation, choices: list[str | int]) -> Turn:
    """Go on from the chat's current question (asked again by /help), tapping `choices`."""
    turn = await conversation.handle(KEY, 100, Event.command(Command.HELP), deliver=delivered)
    for number, choice in enumerate(choices, start=101):
        turn = await tap(conversation, turn, choice, number)
    return turn


async def test_a_step_back_counts_nothing_and_a_restart_counts_a_start(tmp_path: Path) -> None:
    conversation, tally = counted(tmp_path)
    await play(conversation, ["hr", "geen", "nee", "ja"])  # phase 3 found: the quick check asks
    await conversation.handle(KEY, 10, Event.command(Command.BACK))
    assert by_milestone(tally) == {"started": 1, "role": 1}  # not in the quick check yet
    turn = await conversation.handle(KEY, 11, Event.command(Command.RESTART))
    confirm = turn.replies[-1].options[0].id  # "Ja, opnieuw"
    await conversation.handle(KEY, 12, Event.option(confirm), tap_turn=turn.turn)
    assert by_milestone(tally) == {"started": 2, "role": 1}


async def test_without_a_count_nothing_is_written(tmp_path: Path) -> None:
    conversation = Conversation(engine(), MemoryStore(), 30)
    await play(conversation, ["lijn", "geen", "ja", "ja", "ok"])
    assert not (tmp_path / "stats").exists()


def test_a_flush_adds_to_what_the_month_file_holds(tmp_path: Path) -> None:
    files = CountFiles(tmp_path)
    files.add({Key(DAY, "started"): 2, Key("2026-04-01", "started"): 1})
    files.add({Key(DAY, "started"): 3})
    assert dict(files.read()) == {Key(DAY, "started"): 5, Key("2026-04-01", "started"): 1}
    assert files.months() == ["2026-03", "2026-04"]
    raw = json.loads(files.file_of("2026-03").read_text(encoding="ascii"))
    assert raw == {
        "schema": 2,
        "month": "2026-03",
        "names": ["started"],
        "width": 1,
        "days": {DAY: {"0": 5}},
    }


def test_a_corrupt_month_file_is_quarantined_and_the_month_starts_afresh(tmp_path: Path) -> None:
    files = CountFiles(tmp_path)
    files.add({Key(DAY, "started"): 2})
    files.file_of("2026-03").write_bytes(b'{"schema": 1, "month": "2026-03", "days": {"x')
    assert dict(files.read()) == {}  # the report skips it and moves nothing
    assert files.file_of("2026-03").exists()
    files.add({Key(DAY, "plan", "lijn", "actie"): 1})
    assert dict(files.read()) == {Key(DAY, "plan", "lijn", "actie"): 1}
    moved = list((files.path / QUARANTINE_DIR).iterdir())
    assert len(moved) == 1 and moved[0].read_bytes().endswith(b'"x')


def test_free_text_never_fits_a_cell(tmp_path: Path) -> None:
    files = CountFiles(tmp_path)
    files.file_of("2026-03").parent.mkdir(parents=True)
    files.file_of("2026-03").write_text(
        json.dumps({"schema": 1, "month": "2026-03", "names": ["plan", "Jan Jansen"], "days": {}}),
        encoding="utf-8",
    )
    assert dict(files.read()) == {}


def test_a_failed_flush_keeps_its_batch(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data directory should be", encoding="utf-8")
    tally = Tally(blocker, clock=NOON.timestamp)
    tally.observe(None, started())
    assert tally.pending() == 1
    assert tally.flush() == 0
    assert tally.pending() == 1


def test_the_figures_page_texts_are_readable() -> None:
    assert readable(load_stats_texts(), "stats.yaml") == []


def test_privacy_tells_that_the_counts_exist_and_hold_nothing_about_anyone() -> None:
    text = load_bundle().telegram.privacy
    assert "Tellingen" in text
    assert "geen chatnummer, naam, tijdstip of tekst" in text
    assert "/vergeet wist de telling niet" in text


async def test_a_check_in_that_finds_an_earlier_phase_counts_as_down(tmp_path: Path) -> None:
    tally = Tally(tmp_path, clock=NOON.timestamp)
    store = MemoryStore()
    conversation = Conversation(engine(), store, 30, stats=tally.observe)
    turn = await play(conversation, ["lijn", "geen", "ja", "nee", "ok", "ja", "ja", "ja", "ja"])
    turn = await play_more(conversation, ["herinner", "w2"])
    record = store.load(KEY)
    assert record is not None and record.session is not None
    due = record.session.next_review()
    assert due is not None
    shown: list[Turn] = []

    async def deliver(sent: Turn) -> int | None:
        shown.append(sent)
        return None

    assert await conversation.check_in(KEY, due, deliver)
    turn = shown[-1]
    number = 200
    while turn.session is not None and turn.session.state == "ci_stap":
        turn = await tap(conversation, turn, "bezig", number := number + 1)
    turn = await tap(conversation, turn, "kies", number + 1)
    turn = await tap(conversation, turn, 0, number + 2)  # phase 1: earlier than phase 4
    counts = by_milestone(tally)
    assert counts["checkin_down"] == 1 and counts["step_busy"] >= 1
    keys = {key for key, _ in tally.files.read()}
    # The phase it started from, and how far its first steps got: both "Bezig".
    assert Key(DAY, "checkin_down", "lijn", "toepassen", "", "", "bezig") in keys


async def test_the_flusher_writes_once_more_when_the_bot_stops(tmp_path: Path) -> None:
    tally = Tally(tmp_path, clock=NOON.timestamp)
    flusher = asyncio.create_task(tally.run(flush_seconds=3600))
    await asyncio.sleep(0)  # the flusher waits for its first round
    tally.observe(None, started())
    flusher.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await flusher
    assert dict(tally.files.read()) == {Key(DAY, "started"): 1}


async def test_the_counts_outlive_the_purge_and_forget(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    tally = Tally(tmp_path, clock=NOON.timestamp)
    conversation = Conversation(engine(), store, 30, stats=tally.observe)
    await play(conversation, ["lijn", "geen", "ja", "ja", "ok"])
    tally.flush()
    before = dict(tally.files.read())
    assert before
    store.erase(KEY)  # what /vergeet does
    assert store.purge_idle(timedelta(days=1), now=utc_now() + timedelta(days=400)) >= 0
    assert dict(tally.files.read()) == before


def _at_phase_question(statuses: list[str], asked: int) -> Before:
    """A check-in at its phase question, after `asked` of the employee's first steps."""
    steps = [
        FirstStep(item=f"stap-{index}", status=status) for index, status in enumerate(statuses)
    ]
    slot = Slot(letter="A", steps=steps)
    history = [Answer(step="ci_stap", option="bezig")] * asked
    return Before("ci_fase", 5, history, "lijn", "actie", [], None, [slot], [], "zorg", "A", asked)


def _moved_up(before: Before) -> Before:
    """The phase answer "Een stap verder": the advice for the next phase, new first steps."""
    fresh = Slot(letter="A", steps=[FirstStep(item="nieuw")])
    answer = Answer(step="ci_fase", option="verder")
    return before._replace(
        state="advies",
        turn=6,
        history=[*before.history, answer],
        phase="toepassen",
        advised=["nieuw"],
        slots=[fresh],
    )


def test_a_check_in_outcome_carries_how_far_its_own_first_steps_got() -> None:
    cases = {
        (("nog_niet", "gedaan"), 2): "gedaan",  # the furthest of the two
        (("bezig", "nog_niet"), 2): "bezig",
        (("nog_niet", "nog_niet"), 2): "nog_niet",
        (("gedaan", "open"), 0): "",  # left from an earlier check-in: not asked in this one
        (("nog_niet", "gedaan"), 1): "nog_niet",  # only the first asked so far
        ((), 0): "",  # a check-in without first steps
    }
    for (statuses, asked), furthest in cases.items():
        before = _at_phase_question(list(statuses), asked)
        outcome = [
            mark
            for mark in between(before, _moved_up(before))
            if mark.milestone is Milestone.CHECKIN_UP
        ]
        assert outcome == [Mark(Milestone.CHECKIN_UP, "lijn", "actie", "zorg", "", furthest)], (
            statuses
        )


def test_a_cell_names_its_parts_in_one_character_each_and_two_when_there_are_many(
    tmp_path: Path,
) -> None:
    files = CountFiles(tmp_path)
    cell = Key(DAY, "checkin_up", "lijn", "actie", "", "", "gedaan")
    files.add({cell: 3, Key(DAY, "gap", "hr", "actie", "", "veiligheid-en-werkdruk"): 1})
    raw = json.loads(files.file_of("2026-03").read_bytes())
    names = ["actie", "checkin_up", "gap", "gedaan", "hr", "lijn", "veiligheid-en-werkdruk"]
    assert raw["names"] == names
    assert raw["days"] == {DAY: {"150--3": 3, "240-6": 1}}
    # More names than one character can number (62): two characters a part, read back the same.
    many = {Key(DAY, "plan", f"rol{index}"): index + 1 for index in range(70)}
    files.add(many)
    raw = json.loads(files.file_of("2026-03").read_bytes())
    assert raw["width"] == 2
    assert dict(files.read()) == {
        cell: 3,
        **many,
        Key(DAY, "gap", "hr", "actie", "", "veiligheid-en-werkdruk"): 1,
    }
