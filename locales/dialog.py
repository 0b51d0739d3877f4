"""The schema of `dialog.yaml`: every word the advisory dialog says, in one language.

Only the shape lives here; whether the texts fit the dialog's graph (a label for every option,
the right `{placeholders}`) is checked against the flow by :func:`dialogs.texts.check_texts`.
"""

from __future__ import annotations

from pydantic import Field

from locales.model import TextModel

Line = str


class RoleTexts(TextModel):
    label: Line = Field(min_length=2)
    note: Line | None = None  # shown once when the role is chosen, e.g. the honest note for zzp


class StateTexts(TextModel):
    prompt: Line = Field(min_length=2)
    help: Line = Field(min_length=2)
    reason: Line | None = None  # staging: the answer's meaning in the result's "why"
    options: dict[str, Line] = Field(default_factory=dict)


class ResultTexts(TextModel):
    heading: Line
    because: Line
    reason: Line
    uncertain: Line
    picked: Line
    phase_option: Line


class AdviceTexts(TextModel):
    """The advice: the overview, a detail view, "Meer", the next phase and the blind spots."""

    phase_line: dict[str, Line]  # by reader (flow.yaml roles' `reader`)
    few: Line
    begin: Line
    begin_item: Line
    others: Line
    bullet: Line
    warnings: Line
    warning_option: Line
    evidence_yes: Line
    evidence_no: Line
    first_step: Line
    span_all: Line
    span_one: Line
    span_many: Line
    via: dict[str, Line]  # by layer key: where in the model an intervention works
    report_name: Line
    report_fragment: Line
    word: Line
    warning_detail: Line
    more_heading: Line
    next_phase: Line
    next_helps: Line
    next_same: Line
    last_phase: Line
    blind_spots_heading: Line
    blind_spot: Line


class TeamTexts(TextModel):
    """The team of employees, the check-in and the review date."""

    heading: Line
    empty: Line
    slot_line: Line
    review_line: Line
    helps_most: Line
    helps_item: Line
    slot_heading: Line
    slot_path: Line
    steps_heading: Line
    step_line: Line
    status: dict[str, Line]
    new_slot: Line
    removed: Line
    org_reuse: Line
    reminder_set: Line
    reminder_none: Line
    checkin_heading: Line
    checkin_step: Line
    moved_up: Line
    top_phase: Line
    obstacle: Line
    no_obstacle: Line
    other_step: Line
    no_other_step: Line


class DialogTexts(TextModel):
    """The dialog's wording in one language."""

    welcome: Line
    progress: Line
    free_text: Line
    unknown_option: Line
    went_back: Line
    back_at_start: Line
    lost: Line
    resumed: Line
    help_footer: Line
    labels: dict[str, Line]
    roles: dict[str, RoleTexts]
    states: dict[str, StateTexts]
    result: ResultTexts
    checks_intro: Line
    model_caption: Line
    plan_caption: Line
    advice: AdviceTexts
    team: TeamTexts

    def option_label(self, state: str, option_id: str) -> str:
        """A fixed option's label: the state's own wording, else a shared label, else a role."""
        own = self.states[state].options.get(option_id)
        if own is not None:
            return own
        if option_id in self.labels:
            return self.labels[option_id]
        return self.roles[option_id].label
