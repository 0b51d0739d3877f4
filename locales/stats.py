"""The schema of `stats.yaml`: the words of the figures page (`python -m bot stats`).

Why in the language bundle's folder: every Dutch word a person reads lives in `locales/`, so a
translator finds it, and the same strict checks hold (a missing key or a lost `{placeholder}` is
an error at load, not a broken page). Loaded on its own by :func:`load_stats_texts`, because only
the report reads it: the running bot never needs these words.
"""

from __future__ import annotations

from pathlib import Path

from locales.loader import BundleError, Reader
from locales.model import TextModel

ROOT = Path(__file__).resolve().parent


class FunnelStages(TextModel):
    started: str
    role: str
    phase: str
    advice: str
    detail: str
    plan: str
    reminder: str
    checkin: str
    self_shared: str


class SectionTexts(TextModel):
    """What every section of the page has: its heading and a line on what it counts."""

    heading: str
    about: str


class FunnelTexts(SectionTexts):
    column: str
    stages: FunnelStages


class TableTexts(SectionTexts):
    """A section shown as a table: the heading of its first column, which names the rows."""

    row: str


class PhasesTexts(TableTexts):
    """The phases found per role: a row a role, a column a phase (named by `phase_label`)."""


class GridTexts(TableTexts):
    """A table whose other columns share one heading (the answers, the weeks)."""

    column: str


class CheckinTexts(TableTexts):
    up: str
    same: str
    down: str


class StepTexts(GridTexts):
    done: str
    busy: str
    not_yet: str


class WorkTexts(TableTexts):
    """The figure per kind of work: its columns are the funnel's own stages (FunnelStages)."""

    unknown: str


class CheckinStepTexts(TableTexts):
    """The check-in's outcome per first step: its columns are the check-in figure's."""

    done: str
    busy: str
    not_yet: str
    unknown: str
    withheld: str


class WeekTexts(GridTexts):
    week: str


class StatsTexts(TextModel):
    """Every word of the figures page and its CSV."""

    title: str
    period: str
    empty: str
    intro: str
    privacy: str
    small: str
    events: str
    hidden: str
    total: str
    total_note: str
    csv_note: str
    made: str
    funnel: FunnelTexts
    phases: PhasesTexts
    phase_label: str
    gaps: GridTexts
    checkins: CheckinTexts
    checkin_steps: CheckinStepTexts
    steps: StepTexts
    work: WorkTexts
    weeks: WeekTexts


def load_stats_texts(language: str = "nl", root: Path = ROOT) -> StatsTexts:
    """The figures page's words in `language`; BundleError listing every problem."""
    reader = Reader(root)
    texts = reader.model(root / language / "stats.yaml", StatsTexts)
    if texts is None:
        raise BundleError(reader.errors)
    return texts
