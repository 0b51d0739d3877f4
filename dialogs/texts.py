"""Every Dutch word the dialog says, read from `data/<language>/texts.yaml`.

Kept out of the Python so that a translation is a copy of one file. Templates are checked when
loaded: a template that lost or misspelled a `{placeholder}` fails at start-up, not in a chat.
"""

from __future__ import annotations

import string
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from dialogs.flow import DATA_DIR, Flow, read_model

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


# The placeholders each template must offer, by dotted path; others must have none.
PLACEHOLDERS: dict[str, set[str]] = {
    "progress": {"number", "total"},
    "checks_intro": {"count"},
    "states.check.prompt": {"question"},
    "result.heading": {"number", "label"},
    "result.reason": {"reason", "answer"},
    "result.picked": {"number", "label", "description"},
    "result.phase_option": {"number", "label"},
    "advice.heading": {"number", "label", "role"},
    "advice.item": {"number", "title", "evidence", "explanation", "first_step"},
    "advice.warning": {"title", "when_gap"},
    "advice.blind_spot": {"title", "advice"},
    "advice.next_phase": {"number", "label", "description"},
    "advice.next_item": {"title"},
    "advice.explain": {"title", "evidence", "layer", "span", "explanation", "first_step"},
    "advice.explain_option": {"number", "title"},
    "advice.span_one": {"first"},
    "advice.span_many": {"first", "last"},
}


def _fields(template: str) -> set[str] | None:
    """The placeholder names in a template; None when its braces do not parse."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError:
        return None


def _strings(value: object, path: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, BaseModel):
        value = {name: getattr(value, name) for name in type(value).model_fields}
    if isinstance(value, dict):
        return [
            item
            for key, inner in value.items()
            for item in _strings(inner, f"{path}.{key}" if path else str(key))
        ]
    return []


def check_texts(texts: Texts, flow: Flow) -> list[str]:
    """Every missing or malformed text for this flow, as `where: message`."""
    errors: list[str] = []
    for path, template in _strings(texts, ""):
        found = _fields(template)
        wanted = PLACEHOLDERS.get(path, set())
        if found is None:
            errors.append(f"{path}: accolades kloppen niet")
        elif found != wanted:
            errors.append(f"{path}: invulplekken {sorted(found)} maar verwacht {sorted(wanted)}")
    for role in flow.roles:
        if role not in texts.roles:
            errors.append(f"roles.{role}: label ontbreekt")
    for name, state in flow.states.items():
        if name not in texts.states:
            errors.append(f"states.{name}: tekst ontbreekt")
            continue
        own = texts.states[name]
        if state.render == "staging" and not own.reason:
            errors.append(f"states.{name}.reason: ontbreekt (nodig voor 'waarom deze fase')")
        ids = {option.id for option in state.options}
        for option_id in ids:
            if (
                option_id not in own.options
                and option_id not in texts.labels
                and option_id not in texts.roles
            ):
                errors.append(f"states.{name}.options.{option_id}: label ontbreekt")
        for option_id in own.options:
            if option_id not in ids:
                errors.append(f"states.{name}.options.{option_id}: geen optie van deze stap")
    for name in texts.states:
        if name not in flow.states:
            errors.append(f"states.{name}: geen stap in het gesprek")
    return errors


def read_texts(language: str = "nl", data_dir: Path = DATA_DIR) -> Texts:
    """Parse one language's texts; FlowError on unreadable YAML or a schema error."""
    return read_model(data_dir / language / "texts.yaml", Texts, f"{language}/texts.yaml")
