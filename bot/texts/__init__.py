"""The Telegram front end's own texts (Dutch), loaded from YAML and checked at start-up.

Why a schema: a missing or misspelt key must stop the bot when it starts, not surprise a user in the
middle of a conversation. The dialog's texts belong to `dialogs`; these are only the adapter's.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

TEXTS_DIR = Path(__file__).parent


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CommandTexts(_Strict):
    """Descriptions shown in Telegram's command menu (set_my_commands), in menu order."""

    start: str
    help: str
    opnieuw: str
    terug: str
    model: str
    privacy: str
    vergeet: str


class ForgetTexts(_Strict):
    question: str
    confirm: str
    cancel: str
    done: str
    cancelled: str
    nothing: str


class StoredTexts(_Strict):
    """What /privacy shows of the user's own record, so they can see what is kept."""

    heading: str
    nothing: str
    role: str
    phase: str
    answers: str
    saved_at: str
    unknown: str


class Texts(_Strict):
    commands: CommandTexts
    expired: str
    chosen: str
    privacy: str
    stored: StoredTexts
    forget: ForgetTexts
    unsupported: str
    edited: str
    group: str
    error: str
    resumed: str
    console_fallback: str


@cache
def load_texts(language: str = "nl") -> Texts:
    """The texts for `language`; raises (with the bad key) when the file does not fit."""
    raw = yaml.safe_load((TEXTS_DIR / f"{language}.yaml").read_text(encoding="utf-8"))
    return Texts.model_validate(raw)
