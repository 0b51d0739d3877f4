"""Every Dutch word the dialog says, read from `data/<language>/texts.yaml`.

Kept out of the Python so that a translation is a copy of one file. Templates are checked when
loaded (:mod:`dialogs.checks`): a template that lost or misspelled a `{placeholder}` fails at
start-up, not in a chat.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from dialogs.flow import DATA_DIR, read_model

Line = str


class _Texts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class RoleTexts(_Texts):
    label: Line = Field(min_length=2)
    note: Line | None = None  # shown once when the role is chosen, e.g. the honest note for zzp


class StateTexts(_Texts):
    prompt: Line = Field(min_length=2)
    help: Line = Field(min_length=2)
    reason: Line | None = None  # staging: the answer's meaning in the result's "why"
    options: dict[str, Line] = Field(default_factory=dict)


class ResultTexts(_Texts):
    heading: Line
    because: Line
    reason: Line
    uncertain: Line
    picked: Line
    phase_option: Line


class AdviceTexts(_Texts):
    heading: Line
    item: Line
    evidence: str
    few: Line
    levers_heading: Line
    warnings_heading: Line
    warning: Line
    no_gaps: Line
    blind_spot: Line
    more_heading: Line
    next_phase: Line
    next_item: Line
    last_phase: Line
    explain: Line
    span_one: Line
    span_many: Line
    explain_option: Line


class Texts(_Texts):
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

    def option_label(self, state: str, option_id: str) -> str:
        """A fixed option's label: the state's own wording, else a shared label, else a role."""
        own = self.states[state].options.get(option_id)
        if own is not None:
            return own
        if option_id in self.labels:
            return self.labels[option_id]
        return self.roles[option_id].label


def read_texts(language: str = "nl", data_dir: Path = DATA_DIR) -> Texts:
    """Parse one language's texts; FlowError on unreadable YAML or a schema error."""
    return read_model(data_dir / language / "texts.yaml", Texts, f"{language}/texts.yaml")
