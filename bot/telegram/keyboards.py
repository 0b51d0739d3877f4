"""Inline keyboards from dialog options, laid out to fit a phone.

Short answers next to each other (Ja / Nee / Weet ik niet) share a row, up to three; a longer
label gets a row of its own, because Dutch labels are long. A "back" button (an option
with the engine's NAV_BACK id) always gets its own row at the bottom.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram.callbacks import CallbackData
from dialogs.engine import NAV_BACK
from dialogs.events import Option

MAX_BUTTONS = 100  # Telegram's limit per message
SHORT_LABEL = 12  # characters: three such buttons fit side by side on a phone
PER_ROW = 3
# An option whose id is a web address is a link button (the self-check's "Link doorsturen").
URL_PREFIX = "https://"


def keyboard(options: Sequence[Option], turn: int) -> InlineKeyboardMarkup | None:
    """Buttons for `options`, each tagged with `turn`; None when there is nothing to choose."""
    if not options:
        return None
    if len(options) > MAX_BUTTONS:
        raise ValueError(f"{len(options)} options exceed Telegram's {MAX_BUTTONS} buttons")
    answers = [option for option in options if option.id != NAV_BACK]
    back = [[option] for option in options if option.id == NAV_BACK]
    rows = [*_rows(answers), *back]
    return InlineKeyboardMarkup([[_button(option, turn) for option in row] for row in rows])


def _rows(answers: Sequence[Option]) -> list[list[Option]]:
    """Short answers side by side, up to PER_ROW in a row; a longer one in a row of its own."""
    rows: list[list[Option]] = []
    for option in answers:
        last = rows[-1] if rows else None
        if _short(option) and last and len(last) < PER_ROW and _short(last[0]):
            last.append(option)
        else:
            rows.append([option])
    return rows


def _short(option: Option) -> bool:
    return len(option.label) <= SHORT_LABEL


def _button(option: Option, turn: int) -> InlineKeyboardButton:
    if option.id.startswith(URL_PREFIX):  # opens a page (Telegram's forward dialog), no callback
        return InlineKeyboardButton(option.label, url=option.id)
    return InlineKeyboardButton(option.label, callback_data=CallbackData(turn, option.id).encode())
