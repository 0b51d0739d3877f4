"""The figures of the report, made from the counts, with small numbers hidden.

Why one model for the page and the CSV: both must show the same figures, so both are written from
the same :class:`Figure` objects, and a test checks them against what was played.

The small-number rule, applied here and nowhere else: a count below `floor` (10 by default, never
below 5: bot/settings.py) is hidden (None). A hidden count is not in any total either, since a
total with it could give it away by subtraction: every total is the sum of the counts shown. A
funnel step that the page also breaks down (starts per week, phases per role, advice, plans and
reminders per kind of work, check-ins per phase) is the total of that breakdown as shown, for the
same reason; so each of those steps is broken down once.

One count is broken down twice: the check-in's outcome, per phase and per first step. Two
figures that split the same total give each other's total away, so a hidden count of one could be
worked out from the other. An outcome's column of the second figure is therefore shown only when
every hidden count of that column, in either figure, could still be anything from 0 to floor - 1
(:func:`protected`); otherwise it is left out, and the page says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.stats.files import Key
from dialogs.milestones import FURTHEST, Milestone
from locales.stats import StatsTexts

Value = int | None  # None: a count below the floor, not shown

CHECKIN_OUTCOMES = (Milestone.CHECKIN_UP, Milestone.CHECKIN_SAME, Milestone.CHECKIN_DOWN)
STEP_ANSWERS = (Milestone.STEP_DONE, Milestone.STEP_BUSY, Milestone.STEP_NOT_YET)
# Per kind of work: what an owner does with the advice (phase found and check-ins have their own
# breakdowns, see the module's docstring).
WORK_STAGES = (Milestone.ADVICE, Milestone.PLAN, Milestone.REMINDER)


@dataclass(frozen=True)
class Names:
    """What the ids in the counts are called, in the order the page lists them."""

    roles: Mapping[str, str]
    phases: Mapping[str, str]  # key -> "Fase 3: Aan de slag", in the model's order
    gaps: Mapping[str, str]
    kinds: Mapping[str, str]  # the kinds of work, as the dialog asks them


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[Value, ...]

    @property
    def total(self) -> int:
        """The sum of the counts shown: a hidden count is left out."""
        return sum(value for value in self.values if value is not None)


@dataclass(frozen=True)
class Figure:
    key: str  # a stable id: the CSV's first column, the chart's data-figure
    heading: str
    about: str
    row_header: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    totals: bool = False  # a total per row (of what is shown)
    chart: str = "bars"  # "bars" (horizontal, grouped per row) or "columns" (per week)
    note: str = ""  # what the figure leaves out, and why

    def column_total(self, index: int) -> int:
        """The sum of the counts shown in one column."""
        return sum_shown(row.values[index] for row in self.rows)


@dataclass(frozen=True)
class Report:
    floor: int
    first: date | None
    last: date | None
    figures: tuple[Figure, ...] = field(default=())


def shown(count: int, floor: int) -> Value:
    return count if count >= floor else None


def sum_shown(values: Iterable[Value]) -> int:
    return sum(value for value in values if value is not None)


def build(counts: Iterable[tuple[Key, int]], names: Names, texts: StatsTexts, floor: int) -> Report:
    """Every figure of the page from the stored counts."""
    cells: Counter[Key] = Counter()
    for key, number in counts:
        cells[key] += number
    if not cells:
        return Report(floor, None, None)
    days = sorted({key.day for key in cells})
    weeks = _weeks(cells, texts, floor, date.fromisoformat(days[0]), date.fromisoformat(days[-1]))
    phases = _phases(cells, names, texts, floor)
    checkins = _checkins(cells, names, texts, floor)
    work = _work(cells, names, texts, floor)
    figures = (
        _funnel(cells, texts, floor, weeks, phases, checkins, work),
        work,
        phases,
        _gaps(cells, names, texts, floor),
        checkins,
        _checkin_steps(cells, texts, floor, checkins),
        _steps(cells, texts, floor),
        weeks,
    )
    return Report(floor, date.fromisoformat(days[0]), date.fromisoformat(days[-1]), figures)


def _by(cells: Counter[Key], milestone: Milestone, field_name: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for key, number in cells.items():
        if key.milestone == milestone.value:
            found[getattr(key, field_name)] += number
    return found


def _total(cells: Counter[Key], milestone: Milestone) -> int:
    return sum(number for key, number in cells.items() if key.milestone == milestone.value)


def _ordered(found: Iterable[str], known: Mapping[str, str]) -> list[str]:
    """Known ids in the page's order, then any others (an id a later version dropped)."""
    present = set(found)
    return [key for key in known if key in present] + sorted(present - set(known))


def _funnel(
    cells: Counter[Key],
    texts: StatsTexts,
    floor: int,
    weeks: Figure,
    phases: Figure,
    checkins: Figure,
    work: Figure,
) -> Figure:
    stages = texts.funnel.stages

    def total(milestone: Milestone) -> Value:
        return shown(_total(cells, milestone), floor)

    def of(figure: Figure) -> Value:
        return shown(sum(row.total for row in figure.rows), floor)

    def per_kind(stage: Milestone) -> Value:
        return shown(work.column_total(WORK_STAGES.index(stage)), floor)

    rows = (
        Row(stages.started, (of(weeks),)),
        Row(stages.role, (total(Milestone.ROLE),)),
        Row(stages.phase, (of(phases),)),
        Row(stages.advice, (per_kind(Milestone.ADVICE),)),
        Row(stages.detail, (total(Milestone.DETAIL),)),
        Row(stages.plan, (per_kind(Milestone.PLAN),)),
        Row(stages.reminder, (per_kind(Milestone.REMINDER),)),
        Row(stages.checkin, (of(checkins),)),
        Row(stages.self_shared, (total(Milestone.SELF_SHARED),)),
    )
    funnel = texts.funnel
    return Figure("funnel", funnel.heading, funnel.about, "", (funnel.column,), rows)


def _phases(cells: Counter[Key], names: Names, texts: StatsTexts, floor: int) -> Figure:
    pairs: Counter[tuple[str, str]] = Counter()
    for key, number in cells.items():
        if key.milestone == Milestone.PHASE.value:
            pairs[(key.role, key.phase)] += number
    roles = _ordered((role for role, _ in pairs), names.roles)
    phases = _ordered((phase for _, phase in pairs), names.phases)
    rows = tuple(
        Row(
            names.roles.get(role, role),
            tuple(shown(pairs[(role, phase)], floor) for phase in phases),
        )
        for role in roles
    )
    columns = tuple(names.phases.get(phase, phase) for phase in phases)
    text = texts.phases
    return Figure("phases", text.heading, text.about, text.row, columns, rows, totals=True)


def _gaps(cells: Counter[Key], names: Names, texts: StatsTexts, floor: int) -> Figure:
    found = _by(cells, Milestone.GAP, "gap")
    listed = _ordered(found, names.gaps)
    # The most frequent first; hidden counts last, in the model's order: their order would tell
    # more than "< 10" does.
    ranked = sorted((gap for gap in listed if found[gap] >= floor), key=lambda gap: -found[gap])
    ranked += [gap for gap in listed if found[gap] < floor]
    rows = tuple(Row(names.gaps.get(gap, gap), (shown(found[gap], floor),)) for gap in ranked)
    checks = shown(_total(cells, Milestone.CHECKED), floor)
    about = texts.gaps.about.format(
        checks=checks if checks is not None else texts.hidden.format(floor=floor)
    )
    return Figure("gaps", texts.gaps.heading, about, texts.gaps.row, (texts.gaps.column,), rows)


def _checkins(cells: Counter[Key], names: Names, texts: StatsTexts, floor: int) -> Figure:
    pairs: Counter[tuple[str, str]] = Counter()
    for key, number in cells.items():
        if key.milestone in CHECKIN_OUTCOMES:
            pairs[(key.phase, key.milestone)] += number
    phases = _ordered((phase for phase, _ in pairs), names.phases)
    rows = tuple(
        Row(
            names.phases.get(phase, phase),
            tuple(shown(pairs[(phase, outcome.value)], floor) for outcome in CHECKIN_OUTCOMES),
        )
        for phase in phases
    )
    text = texts.checkins
    columns = (text.up, text.same, text.down)
    return Figure("checkins", text.heading, text.about, text.row, columns, rows, totals=True)


def _work(cells: Counter[Key], names: Names, texts: StatsTexts, floor: int) -> Figure:
    """Advice, plans and reminders per kind of work: every kind always has its row (a missing
    row would say "none", a small number too), and the counts without a kind have one of their
    own, so that the figure splits the whole of each stage and the funnel can be its total."""
    stages = {stage.value for stage in WORK_STAGES}
    pairs: Counter[tuple[str, str]] = Counter()
    for key, number in cells.items():
        if key.milestone in stages:
            pairs[(key.business, key.milestone)] += number
    present = {kind for kind, _ in pairs}
    kinds = [*names.kinds, *sorted(present - set(names.kinds) - {""})]
    if "" in present:
        kinds.append("")
    text = texts.work
    labels = {**names.kinds, "": text.unknown}
    rows = tuple(
        Row(
            labels.get(kind, kind),
            tuple(shown(pairs[(kind, stage.value)], floor) for stage in WORK_STAGES),
        )
        for kind in kinds
    )
    funnel = texts.funnel.stages
    columns = (funnel.advice, funnel.plan, funnel.reminder)
    return Figure("work", text.heading, text.about, text.row, columns, rows)


def _checkin_steps(cells: Counter[Key], texts: StatsTexts, floor: int, checkins: Figure) -> Figure:
    """The check-in's outcome per how far its first steps got: the three answers always, and
    check-ins that asked none (or were counted before the answer was) when there are any.

    A second breakdown of the check-ins: a column is left out unless :func:`protected` holds
    for it and the same column of `checkins` (see the module's docstring).
    """
    pairs: Counter[tuple[str, str]] = Counter()
    for key, number in cells.items():
        if key.milestone in CHECKIN_OUTCOMES:
            pairs[(key.step, key.milestone)] += number
    text = texts.checkin_steps
    steps = _step_rows({step for step, _ in pairs})
    split = [
        [shown(pairs[(step, outcome.value)], floor) for step in steps]
        for outcome in CHECKIN_OUTCOMES
    ]
    kept = [index for index, values in enumerate(split) if _safe(values, checkins, index, floor)]
    left_out = [name for index, name in enumerate(checkins.columns) if index not in kept]
    labels = dict(zip(FURTHEST, (text.done, text.busy, text.not_yet), strict=True))
    labels[""] = text.unknown
    rows = tuple(
        Row(labels.get(step, step), tuple(split[index][place] for index in kept))
        for place, step in enumerate(steps)
    )
    return Figure(
        "checkin_steps",
        text.heading,
        text.about,
        text.row,
        tuple(checkins.columns[index] for index in kept),
        rows if kept else (),
        totals=True,
        note=_withheld(text.withheld, left_out if steps else []),
    )


def _withheld(text: str, left_out: list[str]) -> str:
    return text.format(columns=", ".join(left_out)) if left_out else ""


def _step_rows(present: set[str]) -> list[str]:
    """The rows of the check-ins per first step: none without check-ins, else the answers, then
    the check-ins without one when there are any."""
    if not present:
        return []
    rows = [*FURTHEST, *sorted(present - set(FURTHEST) - {""})]
    return [*rows, ""] if "" in present else rows


def _safe(values: list[Value], other: Figure, index: int, floor: int) -> bool:
    """Whether a column can be shown beside column `index` of `other`, which splits the same
    total: never when there is nothing to show."""
    return bool(values) and protected([values, [row.values[index] for row in other.rows]], floor)


def protected(partitions: Sequence[Sequence[Value]], floor: int) -> bool:
    """Whether figures that each split the same total, shown side by side, still leave every
    hidden count free to be anything from 0 to floor - 1.

    Each split gives the total away within a range: from the sum it shows to that sum plus
    floor - 1 for each count it hides. A reader can take the narrowest range of all splits, and
    with it narrow the hidden counts of a split: at the lowest total its hidden counts must add
    up to at least (lowest - shown), at the highest to at most (highest - shown).
    """
    most = floor - 1
    sums = [sum_shown(values) for values in partitions]
    hidden = [sum(value is None for value in values) for values in partitions]
    lowest = max(sums)
    highest = min(total + count * most for total, count in zip(sums, hidden, strict=True))
    for total, count in zip(sums, hidden, strict=True):
        if count and (lowest - total > (count - 1) * most or highest - total < most):
            return False
    return True


def _steps(cells: Counter[Key], texts: StatsTexts, floor: int) -> Figure:
    text = texts.steps
    labels = (text.done, text.busy, text.not_yet)
    rows = tuple(
        Row(label, (shown(_total(cells, answer), floor),))
        for label, answer in zip(labels, STEP_ANSWERS, strict=True)
    )
    return Figure("steps", text.heading, text.about, text.row, (text.column,), rows)


def week_of(day: date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week


def weeks_between(first: date, last: date) -> Sequence[tuple[int, int]]:
    """Every ISO week from the one of `first` to the one of `last`, also those without use."""
    found: list[tuple[int, int]] = []
    day = first - timedelta(days=first.weekday())
    while day <= last:
        found.append(week_of(day))
        day += timedelta(weeks=1)
    return found


def _weeks(cells: Counter[Key], texts: StatsTexts, floor: int, first: date, last: date) -> Figure:
    started: Counter[tuple[int, int]] = Counter()
    for key, number in cells.items():
        if key.milestone == Milestone.STARTED.value:
            started[week_of(date.fromisoformat(key.day))] += number
    text = texts.weeks
    rows = tuple(
        Row(text.week.format(week=week, year=year), (shown(started[(year, week)], floor),))
        for year, week in weeks_between(first, last)
    )
    return Figure(
        "weeks", text.heading, text.about, text.row, (text.column,), rows, chart="columns"
    )
