"""The one base class of every text model, whatever front end the texts belong to.

Why one: every text file must fail the same way when a key is missing, misspelt or left over, so a
translator gets the same strict check for the dialog, Telegram, the console and the documents.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class TextModel(BaseModel):
    """Strict (unknown keys are errors), immutable, and trimmed of stray outer whitespace."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
