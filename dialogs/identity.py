"""A cache key that is its value itself, compared by identity.

The knowledge, the flow and the texts are loaded once and never change; their records hold
lists, so they have no value hash, and comparing them field by field would cost more than what
is cached (an advice plan, a picture, a plan's PDF). Shared by dialogs/advice.py and the model
picture and plan layout in bot/artifacts/.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Same(Generic[T]):
    """Wraps `value` so that two wrappers are equal exactly when they hold the same object."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.value is self.value
