"""A year of count files stays under 1 MB at a realistic use: the count may run for years.

Realistic here means generous: 40 conversations every day of the year (a sector fund's members
using it all year, weekends too, some 14,600 conversations), each with its role, phase, gaps,
advice, detail, plan, and some reminders and check-ins. What grows the files is the number of
distinct cells per day, so the roles, phases, kinds of work, gaps and first-step answers are
spread over all their values. The kind of work and the first-step answer of a check-in (issue 23)
split cells: at this use a year takes 0.71 MB with them, 0.58 MB without (22 % more); in the
dotted cells of schema 1 it would have been 1.13 MB, which is why schema 2 packs its cells.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from bot.stats import CountFiles, Key
from dialogs.milestones import Milestone

ROLES = ("lijn", "hr", "dir", "mkb", "hrzl", "collega", "onderwijs", "zzp")
PHASES = ("onbewust", "overwegen", "actie", "toepassen", "continu")
GAPS = (
    "betrokkenheid-werkvloer",
    "integrale-visie",
    "organisatorische-gereedheid",
    "veiligheid-en-werkdruk",
)
KINDS = ("maken", "bouw", "kantoor", "zorg", "")  # "": skipped, or not asked (no staff)
STAFF = ROLES[:5]
FURTHEST = ("gedaan", "bezig", "nog_niet")
PER_DAY = 40
LIMIT = 1_000_000


def one_day(day: str, rng: random.Random) -> dict[Key, int]:
    cells: dict[Key, int] = {}

    def add(milestone: Milestone, *dimensions: str) -> None:
        key = Key(day, milestone.value, *dimensions)
        cells[key] = cells.get(key, 0) + 1

    for _ in range(PER_DAY):
        role, phase = rng.choice(ROLES), rng.choice(PHASES)
        kind = rng.choice(KINDS) if role in STAFF else ""
        add(Milestone.STARTED)
        add(Milestone.ROLE, role)
        for milestone in (Milestone.PHASE, Milestone.CHECKED, Milestone.ADVICE):
            add(milestone, role, phase, kind)
        for gap in rng.sample(GAPS, rng.randint(0, 2)):
            add(Milestone.GAP, role, phase, kind, gap)
        for milestone in (Milestone.DETAIL, Milestone.PLAN, Milestone.REMINDER):
            if rng.random() < 0.5:
                add(milestone, role, phase, kind)
        if rng.random() < 0.2:
            outcome = rng.choice([Milestone.CHECKIN_UP, Milestone.CHECKIN_SAME])
            add(outcome, role, phase, kind, "", rng.choice(FURTHEST))
            for _ in range(2):
                add(rng.choice([Milestone.STEP_DONE, Milestone.STEP_BUSY]), role, phase, kind)
    return cells


def test_a_year_of_counts_stays_under_one_megabyte(tmp_path: Path) -> None:
    files = CountFiles(tmp_path)
    rng = random.Random(23)
    first = date(2026, 1, 1)
    for offset in range(365):
        files.add(one_day((first + timedelta(days=offset)).isoformat(), rng))
    assert len(files.months()) == 12
    size = sum(files.file_of(month).stat().st_size for month in files.months())
    stored = sum(number for key, number in files.read() if key.milestone == "started")
    assert stored == 365 * PER_DAY
    assert size < LIMIT, f"{size:,} bytes for a year"
    print(f"a year at {PER_DAY} conversations a day: {size:,} bytes")
