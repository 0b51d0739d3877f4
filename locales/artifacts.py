"""The schema of `artifacts.yaml`: the words on the model picture and in the action plan.

Names of layers, phases and interventions are not here: those come from the knowledge data. Dates
and lists are not spelled out here either: :class:`locales.Bundle` formats them from CLDR.
"""

from __future__ import annotations

from typing import ClassVar

from locales.model import ByReader, TextModel


class PictureTexts(TextModel):
    """Words on and around the model picture."""

    not_prose: ClassVar[frozenset[str]] = frozenset({"filename"})

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


class PictureReaderTexts(TextModel):
    """The picture's words for one reader where the common ones address an employer ("Fase van
    je medewerker"). Kept apart from PictureTexts, which must stay hashable: the picture is
    cached by its words."""

    legend_phase: str
    caption_plain: str


class PlanTexts(TextModel):
    """Words of the action plan document and its caption."""

    not_prose: ClassVar[frozenset[str]] = frozenset({"filename", "employee_stamp"})

    filename: str
    # The file name's stamp when the plan is for one of the chat's employees (issue: plans for
    # three employees must be told apart).
    employee_stamp: str
    caption: str
    more_in_bot: str
    check_in_line: str
    check_in_with: ByReader  # with whom to look back; no line for a reader not named
    document_title: str
    subject: str
    date: str
    role: str
    layer: str  # one layer
    layers: str  # several, as for an MKB owner
    employee_name: str
    phase_heading: str
    # Where the common words address an employer (a zzp'er plans for themselves): `as_read_by`.
    employee_name_for: ByReader
    phase_heading_for: ByReader
    # Under a step's title, apart from the coach's tip (issue 20): what comes from the report.
    # Its own name where it differs (completed by us where the report cuts it off), the phases
    # where it is most relevant, and its evidence mark where it has one.
    report_part: str
    report_name: str
    report_name_reconstructed: str
    phases: str
    phases_all: str
    evidence: str
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


class TeamPictureTexts(TextModel):
    """Words on the team picture (employees per phase) and on one employee's path."""

    not_prose: ClassVar[frozenset[str]] = frozenset({"filename"})

    filename: str
    team_title: str
    employees: str
    caption_team: str
    slot_title: str
    caption_slot: str
    # The employee's own view beside the manager's (issue 21): a short label under each bar or
    # beside the ring, and a legend, so that colour and fill are never the only cue.
    own_label: str  # under the filled bar: the manager's own view
    self_label: str  # under the outlined bar, beside the ring: what the employee said
    legend_team: str
    legend_slot: str


class ArtifactTexts(TextModel):
    """All artifact texts of one language."""

    model_picture: PictureTexts
    model_picture_for: dict[str, PictureReaderTexts]  # by reader (flow.yaml roles' `reader`)
    action_plan: PlanTexts
    team_picture: TeamPictureTexts
