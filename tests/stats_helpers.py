"""Played conversations with known answers, and the figures they must give, for the stats tests.

Why a player and an oracle apart from bot/stats/: the figures are checked against what was
played, counted here from the script of each conversation (its role, its staging answers, its
quick-check answers, what it tapped next), never from the count files the code under test wrote.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from dialog_helpers import ROLE_PATH, SKIP_WORK, engine, staging_paths

from bot.conversation import Conversation, Status, Turn
from bot.persistence.memory import MemoryStore
from dialogs import Event
from dialogs.advice import check_question
from locales.stats import load_stats_texts

STAFF = ("lijn", "hr", "dir", "mkb", "hrzl")
OTHERS = ("collega", "onderwijs", "zzp")
# Conversations per week over ten weeks: some weeks under the floor of 10, so some cells hide.
WEEKLY = (30, 25, 4, 40, 8, 35, 20, 18, 12, 8)
FIRST_MONDAY = date(2026, 1, 5)
PHASES = ("onbewust", "overwegen", "actie", "toepassen", "continu")
KINDS = ("maken", "bouw", "kantoor", "zorg")
# The kind of work a reader with staff says, "geen" skips it: makers most, some skip.
SAID = ("maken", "maken", "maken", "maken", "bouw", "bouw", "kantoor", "kantoor", "zorg", SKIP_WORK)
# A check-in's first steps, the furthest first (dialogs/milestones.py FURTHEST, as tapped).
FURTHEST = ("gedaan", "bezig", "nognie")


@dataclass
class Played:
    """What the conversations did, counted from their scripts."""

    started_per_week: Counter[tuple[int, int]] = field(default_factory=Counter)
    totals: Counter[str] = field(default_factory=Counter)
    phases: Counter[tuple[str, str]] = field(default_factory=Counter)
    gaps: Counter[str] = field(default_factory=Counter)
    checkins: Counter[tuple[str, str]] = field(default_factory=Counter)
    steps: Counter[str] = field(default_factory=Counter)
    # (kind of work or "", "advice" / "plan" / "reminder")
    work: Counter[tuple[str, str]] = field(default_factory=Counter)
    # (the furthest first-step answer of the check-in or "", "verder" / "zelfde")
    checkin_steps: Counter[tuple[str, str]] = field(default_factory=Counter)


@dataclass
class Clock:
    now: datetime = datetime(2026, 1, 5, 11, tzinfo=UTC)

    def __call__(self) -> float:
        return self.now.timestamp()


async def delivered(turn: Turn) -> int | None:
    """A channel that takes every reply (so the outbox is done and a check-in may start)."""
    return None


class Player:
    """Plays one conversation per chat key through the service, tap by tap."""

    def __init__(
        self, conversation: Conversation, store: MemoryStore, clock: Clock, seed: int = 23
    ) -> None:
        self.conversation = conversation
        self.store = store
        self.clock = clock
        self.rng = random.Random(seed)
        self.played = Played()
        self._update = 0

    async def _tap(self, key: str, turn: Turn, option: str) -> Turn:
        assert turn.session is not None
        offered = [item.id for item in engine().current_options(turn.session)]
        assert option in offered, f"{option} not offered in {turn.session.state}: {offered}"
        self._update += 1
        turn = await self.conversation.handle(
            key, self._update, Event.option(option), tap_turn=turn.turn, deliver=delivered
        )
        assert turn.status is Status.DONE
        return turn

    async def play_all(self) -> Played:
        number = 0
        for week, count in enumerate(WEEKLY):
            for index in range(count):
                day = FIRST_MONDAY + timedelta(weeks=week, days=index % 5)
                self.clock.now = datetime.combine(day, datetime.min.time(), UTC) + timedelta(
                    hours=11
                )
                number += 1
                await self.play(f"chat{number}", day)
        return self.played

    async def play(self, key: str, day: date) -> None:
        rng, played = self.rng, self.played
        role = rng.choice(STAFF + STAFF + OTHERS)  # most users manage staff
        answers, phase, _ = rng.choice(list(staging_paths()))
        path = ROLE_PATH[role]
        said = rng.choice(SAID) if path[-1] == SKIP_WORK else SKIP_WORK
        if path[-1] == SKIP_WORK:
            path = [*path[:-1], said]
        kind = "" if said == SKIP_WORK else said
        self._update += 1
        turn = await self.conversation.handle(key, self._update, Event.start(), deliver=delivered)
        played.started_per_week[day.isocalendar()[:2]] += 1
        for option in [*path, *answers, "ok"]:
            turn = await self._tap(key, turn, option)
        played.totals["role"] += 1
        played.phases[(role, phase)] += 1
        turn = await self._quick_check(key, turn, role, phase)
        played.totals["advice"] += 1
        played.work[(kind, "advice")] += 1
        if rng.random() < 0.6:  # open the first step's detail: the first button of the advice
            turn = await self._tap(key, turn, turn.replies[-1].options[0].id)
            turn = await self._tap(key, turn, "terug")
            played.totals["detail"] += 1
        asked_after_plan = False  # a reader with staff is asked for a reminder right after it
        if rng.random() < 0.5:
            turn = await self._tap(key, turn, "plan")
            played.totals["plan"] += 1
            played.work[(kind, "plan")] += 1
            assert turn.session is not None
            asked_after_plan = turn.session.state == "herinnering"
            if not asked_after_plan:
                turn = await self._tap(key, turn, "terug")
        if role in STAFF and rng.random() < 0.6:
            if not asked_after_plan:
                turn = await self._tap(key, turn, "herinner")
            turn = await self._tap(key, turn, rng.choice(["w2", "w4", "w8"]))
            played.totals["reminder"] += 1
            played.work[(kind, "reminder")] += 1
            if rng.random() < 0.7:
                await self._check_in(key, kind, phase)
        elif asked_after_plan:
            turn = await self._tap(key, turn, "geen")

    async def _quick_check(self, key: str, turn: Turn, role: str, phase: str) -> Turn:
        """Answer every question of the quick check the same way; count the gaps it names."""
        answer = self.rng.choice(["ja", "nee", "wn"])
        gaps: list[str] = []
        while turn.session is not None and turn.session.state == "check":
            asked = turn.session.checks[turn.session.check_index]
            precondition, check = check_question(engine().knowledge, asked)
            if answer == check.gap_when and precondition.id not in gaps:
                gaps.append(precondition.id)
            turn = await self._tap(key, turn, answer)
        assert turn.session is not None and turn.session.state == "advies"
        self.played.totals["checked"] += 1
        self.played.gaps.update(gaps)
        return turn

    async def _check_in(self, key: str, kind: str, phase: str) -> None:
        """The check-in on its review date: each first step, then moved up or the same."""
        store_turn: list[Turn] = []

        async def deliver(turn: Turn) -> int | None:
            store_turn.append(turn)
            return None

        record = self.store.load(key)  # as the scheduler finds the due date
        assert record is not None and record.session is not None
        due = record.session.next_review()
        assert due is not None
        assert await self.conversation.check_in(key, due, deliver)
        turn = store_turn[-1]
        answered: set[str] = set()
        while turn.session is not None and turn.session.state == "ci_stap":
            status = self.rng.choice(FURTHEST)
            turn = await self._tap(key, turn, status)
            self.played.steps[status] += 1
            answered.add(status)
        assert turn.session is not None and turn.session.state == "ci_fase"
        furthest = next((status for status in FURTHEST if status in answered), "")
        # Those who did a first step move up more often: a difference the figure must show.
        moved = self.rng.choice(
            ["verder", "verder", "zelfde"]
            if furthest == "gedaan"
            else ["verder", "zelfde", "zelfde"]
        )
        turn = await self._tap(key, turn, moved)
        self.played.checkins[(phase, moved)] += 1
        self.played.checkin_steps[(furthest, moved)] += 1
        if moved == "verder" and phase != PHASES[-1]:
            self.played.totals["advice"] += 1  # the advice for the next phase
            self.played.work[(kind, "advice")] += 1
        if moved == "zelfde":  # asked again for a reminder: half of them set one
            choice = self.rng.choice(["geen", "w4"])
            turn = await self._tap(key, turn, choice)
            self.played.totals["reminder"] += choice == "w4"
            self.played.work[(kind, "reminder")] += choice == "w4"


Table = list[list[str]]


def _cell(count: int, floor: int) -> str:
    return str(count) if count >= floor else f"< {floor}"


def _shown(count: int, floor: int) -> int:
    return count if count >= floor else 0


def expected_tables(played: Played, floor: int) -> dict[str, Table]:
    """Each figure's rows as the page must show them: label, counts (or "< floor"), total."""
    texts = load_stats_texts()
    knowledge = engine().knowledge
    phase_label = {
        phase.key: texts.phase_label.format(number=phase.number, label=phase.label)
        for phase in knowledge.phases
    }
    tables: dict[str, Table] = {}

    weeks = sorted(played.started_per_week)
    tables["weeks"] = [
        [
            texts.weeks.week.format(week=week, year=year),
            _cell(played.started_per_week[(year, week)], floor),
        ]
        for year, week in weeks
    ]
    started = sum(_shown(played.started_per_week[week], floor) for week in weeks)

    roles = [role for role in engine().flow.roles if any(r == role for r, _ in played.phases)]
    phases = [key for key in PHASES if any(p == key for _, p in played.phases)]
    tables["phases"] = []
    found = 0
    for role in roles:
        counts = [played.phases[(role, phase)] for phase in phases]
        total = sum(_shown(count, floor) for count in counts)
        found += total
        cells = [_cell(count, floor) for count in counts]
        tables["phases"].append([engine().role_label(role), *cells, str(total)])

    titles = {item.id: item.title for item in knowledge.preconditions}
    listed = [gap for gap in titles if played.gaps[gap]]
    visible = sorted((g for g in listed if played.gaps[g] >= floor), key=lambda g: -played.gaps[g])
    hidden = [g for g in listed if played.gaps[g] < floor]
    tables["gaps"] = [[titles[g], _cell(played.gaps[g], floor)] for g in visible + hidden]

    tables["checkins"] = []
    answered = 0
    for phase in [key for key in PHASES if any(p == key for p, _ in played.checkins)]:
        counts = [played.checkins[(phase, moved)] for moved in ("verder", "zelfde", "lager")]
        total = sum(_shown(count, floor) for count in counts)
        answered += total
        cells = [_cell(count, floor) for count in counts]
        tables["checkins"].append([phase_label[phase], *cells, str(total)])

    tables["checkin_steps"], _ = checkin_steps(played, floor)

    steps = texts.steps
    tables["steps"] = [
        [steps.done, _cell(played.steps["gedaan"], floor)],
        [steps.busy, _cell(played.steps["bezig"], floor)],
        [steps.not_yet, _cell(played.steps["nognie"], floor)],
    ]

    stages = texts.funnel.stages
    totals = played.totals
    kinds = [*KINDS, *([""] if any(kind == "" for kind, _ in played.work) else [])]
    labels = {kind: engine().texts.option_label("soort", kind) for kind in KINDS}
    labels[""] = texts.work.unknown
    work = ("advice", "plan", "reminder")
    tables["work"] = [
        [labels[kind], *(_cell(played.work[(kind, stage)], floor) for stage in work)]
        for kind in kinds
    ]
    per_kind = {
        stage: sum(_shown(played.work[(kind, stage)], floor) for kind in kinds) for stage in work
    }
    assert all(sum(played.work[(k, stage)] for k in kinds) == totals[stage] for stage in work)
    tables["funnel"] = [
        [stages.started, _cell(started, floor)],
        [stages.role, _cell(totals["role"], floor)],
        [stages.phase, _cell(found, floor)],
        [stages.advice, _cell(per_kind["advice"], floor)],
        [stages.detail, _cell(totals["detail"], floor)],
        [stages.plan, _cell(per_kind["plan"], floor)],
        [stages.reminder, _cell(per_kind["reminder"], floor)],
        [stages.checkin, _cell(answered, floor)],
        [stages.self_shared, _cell(totals["self_shared"], floor)],
    ]
    return tables


OUTCOMES = ("verder", "zelfde", "lager")


def checkin_steps(played: Played, floor: int) -> tuple[Table, list[str]]:
    """The check-in's outcome per first step, and the outcomes it must leave out.

    An outcome is left out when, with the check-ins per phase beside it, some hidden count of
    either figure can no longer be every value from 0 to floor - 1: tried value by value
    (:func:`can_be`), not with the formula of bot/stats/figures.py.
    """
    texts = load_stats_texts()
    text = texts.checkin_steps
    if not played.checkin_steps:
        return [], []
    rows = [*FURTHEST, *([""] if any(s == "" for s, _ in played.checkin_steps) else [])]
    label = {"gedaan": text.done, "bezig": text.busy, "nognie": text.not_yet, "": text.unknown}
    phases = [key for key in PHASES if any(p == key for p, _ in played.checkins)]
    kept = []
    for outcome in OUTCOMES:
        by_phase = [played.checkins[(phase, outcome)] for phase in phases]
        by_step = [played.checkin_steps[(step, outcome)] for step in rows]
        if all(
            can_be(split, others, floor)
            for split, others in ((by_phase, by_step), (by_step, by_phase))
        ):
            kept.append(outcome)
    table = []
    for step in rows:
        counts = [played.checkin_steps[(step, outcome)] for outcome in kept]
        total = sum(_shown(count, floor) for count in counts)
        table.append([label[step], *(_cell(count, floor) for count in counts), str(total)])
    names = dict(
        zip(OUTCOMES, (texts.checkins.up, texts.checkins.same, texts.checkins.down), strict=True)
    )
    withheld = [names[outcome] for outcome in OUTCOMES if outcome not in kept]
    return (table if kept else []), withheld


def can_be(split: list[int], other: list[int], floor: int) -> bool:
    """Whether each hidden count of `split` can be every value below the floor, for a reader who
    sees both splits of the same total (what they show, "< floor" for the rest)."""
    shown = sum(_shown(count, floor) for count in split)
    hidden = sum(count < floor for count in split)
    other_shown = sum(_shown(count, floor) for count in other)
    other_hidden = sum(count < floor for count in other)
    if not hidden:
        return True
    for value in range(floor):  # one hidden count of `split` ...
        possible = False
        for rest in range((hidden - 1) * (floor - 1) + 1):  # ... the others hidden there
            total = shown + value + rest
            if 0 <= total - other_shown <= other_hidden * (floor - 1):
                possible = True
                break
        if not possible:
            return False
    return True
