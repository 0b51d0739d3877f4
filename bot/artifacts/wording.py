"""The Dutch words of the picture and the plan, read from `texts/nl.yaml`.

Wording lives in YAML so that a non-programmer can change it, and is validated on load (unknown or
missing keys fail at start-up, not when a manager asks for a plan). Names of layers, phases and
interventions are not here: those come from the knowledge data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

TEXTS_FILE = Path(__file__).parent / "texts" / "nl.yaml"


class _Texts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PictureTexts(_Texts):
    """Words on and around the model picture."""

    filename: str
    title: str
    corner: str
    phase_heading: str
    legend_count: str
    legend_layer: str
    legend_phase: str
    legend_cross: str
    caption_plain: str
    caption_diagnosed: str


class PlanTexts(_Texts):
    """Words of the action plan document and its caption."""

    filename: str
    caption: str
    document_title: str
    subject: str
    date: str
    role: str
    role_unknown: str
    layer: str  # one layer
    layers: str  # several, as for an MKB owner
    employee_name: str
    phase_heading: str
    interventions_heading: str
    interventions_intro: str
    first_step: str
    preconditions_heading: str
    preconditions_none: str
    blind_spots_heading: str
    referrals_heading: str
    check_in_title: str
    notes: str
    footer: str


class Wording(_Texts):
    """All artifact texts of one language."""

    months: tuple[str, ...] = Field(min_length=12, max_length=12)
    and_word: str
    model_picture: PictureTexts
    action_plan: PlanTexts

    def long_date(self, day: date) -> str:
        """A date as Dutch readers write it, e.g. `28 november 2026` (no leading zero)."""
        return f"{day.day} {self.months[day.month - 1]} {day.year}"

    def join_list(self, items: Sequence[str]) -> str:
        """Items as Dutch lists them: `A`, `A en B`, `A, B en C`."""
        if len(items) < 2:
            return "".join(items)
        return f"{', '.join(items[:-1])} {self.and_word} {items[-1]}"


@cache
def wording(path: Path = TEXTS_FILE) -> Wording:
    """The validated texts, read once per process."""
    with path.open(encoding="utf-8") as handle:
        return Wording.model_validate(yaml.safe_load(handle))
