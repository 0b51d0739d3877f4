"""Inline keyboards from dialog options: one button per row, because Dutch labels are long."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram.callbacks import CallbackData
from dialogs.events import Option

MAX_BUTTONS = 100  # Telegram's limit per message


def keyboard(options: Sequence[Option], turn: int) -> InlineKeyboardMarkup | None:
    """Buttons for `options`, each tagged with `turn`; None when there is nothing to choose."""
    if not options:
        return None
    if len(options) > MAX_BUTTONS:
        raise ValueError(f"{len(options)} options exceed Telegram's {MAX_BUTTONS} buttons")
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    option.label, callback_data=CallbackData(turn, option.id).encode()
                )
            ]
            for option in options
        ]
    )
