"""Reading one update Telegram delivered: a body that is no update is refused, an update that the
library cannot read is dropped.

Why the difference: Telegram redelivers an update until it is acknowledged. A body that is not an
update (not JSON, not an object, no `update_id`) is not from Telegram's update stream, so it gets
a 400 and no further thought. A real update PTB refuses — a newer Bot API field PTB treats as
required, say — would come back for ever and block the chat's later updates if it were refused;
it is logged once (its id and kind only, never its content) and acknowledged, so Telegram moves on.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import Bot, Update

log = logging.getLogger(__name__)


class NotAnUpdate(ValueError):
    """The body is not a Telegram update at all; the sender should not send it again."""


def _update_id(data: Any) -> int | None:
    """The update's id when `data` looks like an update (an object with a non-negative int id)."""
    if not isinstance(data, dict):
        return None
    value = data.get("update_id")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def decode_update(body: bytes, bot: Bot) -> Update | None:
    """The update in a webhook body, or None for an update that was dropped (logged)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # also invalid UTF-8 and absurdly deep nesting
        raise NotAnUpdate("the body is not JSON") from None
    return read_update(data, bot)


def read_update(data: Any, bot: Bot) -> Update | None:
    """The update in decoded JSON (one item of getUpdates, say), or None when it was dropped.

    Raises :class:`NotAnUpdate` when `data` is not an update at all.
    """
    update_id = _update_id(data)
    if update_id is None:
        raise NotAnUpdate("the body is not an update")
    try:
        return Update.de_json(data, bot)
    except Exception as err:  # whatever PTB raises, the update is unreadable
        kinds = ", ".join(key for key in data if key in Update.ALL_TYPES) or "unknown kind"
        log.warning(
            "Update %d (%s) dropped: the Telegram library cannot read it (%s)",
            update_id,
            kinds,
            type(err).__name__,
        )
        return None
