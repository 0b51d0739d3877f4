"""What a user types for a command, in any front end: one word names one command only.

Why one rule: Telegram's command names and the console's typed commands are both words of the
language (a translation renames them), and a word that named two commands would run whichever
the front end happens to try first. So every front end's commands are checked the same way, when
their texts are loaded.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from typing import Self

from pydantic import model_validator

from locales.model import TextModel


class Commands(TextModel):
    """A front end's commands, one field per language-neutral id; `typed` names their words."""

    @abstractmethod
    def typed(self) -> Iterator[str]:
        """Every word a user may type for one of these commands."""

    @model_validator(mode="after")
    def _each_word_once(self) -> Self:
        # Compared ignoring case, as the front ends match what is typed.
        words = [word.casefold() for word in self.typed()]
        doubles = sorted({word for word in words if words.count(word) > 1})
        if doubles:
            raise ValueError(f"words used for more than one command: {doubles}")
        return self
