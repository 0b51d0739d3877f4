"""Whether one language's dialog texts fit the dialog: every label there, every placeholder right.

The texts themselves live in the language bundle (`locales/<language>/dialog.yaml`, schema
:class:`locales.DialogTexts`); what they must contain depends on the flow, so it is checked here.
A template that lost or misspelled a `{placeholder}` fails at start-up, not in a chat.
"""

from __future__ import annotations

import string

from pydantic import BaseModel

from dialogs.flow import Flow
from locales import DialogTexts

__all__ = ["PLACEHOLDERS", "DialogTexts", "check_texts"]

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


def check_texts(texts: DialogTexts, flow: Flow) -> list[str]:
    """Every missing or malformed text for this flow, as `where: message`."""
    errors: list[str] = []
    for path, template in _strings(texts, ""):
        found = _fields(template)
        wanted = PLACEHOLDERS.get(path, set())
        if found is None:
            errors.append(f"{path}: braces do not match")
        elif found != wanted:
            errors.append(f"{path}: placeholders {sorted(found)} but expected {sorted(wanted)}")
    for role in flow.roles:
        if role not in texts.roles:
            errors.append(f"roles.{role}: label missing")
    for name, state in flow.states.items():
        if name not in texts.states:
            errors.append(f"states.{name}: text missing")
            continue
        own = texts.states[name]
        if state.render == "staging" and not own.reason:
            errors.append(f"states.{name}.reason: missing (needed for the result's 'why')")
        ids = {option.id for option in state.options}
        for option_id in ids:
            if (
                option_id not in own.options
                and option_id not in texts.labels
                and option_id not in texts.roles
            ):
                errors.append(f"states.{name}.options.{option_id}: label missing")
        for option_id in own.options:
            if option_id not in ids:
                errors.append(f"states.{name}.options.{option_id}: not an option of this step")
    for name in texts.states:
        if name not in flow.states:
            errors.append(f"states.{name}: not a step of the dialog")
    return errors
