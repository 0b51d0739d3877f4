"""What the bot keeps about one chat: the dialog session and two bookkeeping fields.

Deliberately minimal (privacy by design): no names, no message text, no profile data. The chat id is
only the file name. `last_update_id` lets a restarted bot recognise an update it already handled
(Telegram redelivers updates whose receipt was not yet confirmed), so /terug or a tap never counts
twice after a crash.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

from dialogs.session import Session


def utc_now() -> datetime:
    return datetime.now(UTC)


class ChatRecord(BaseModel):
    """The durable state of one chat."""

    model_config = ConfigDict(extra="forbid")

    session: Session | None = None
    # The user blocked the bot: do not send until they write again.
    blocked: bool = False
    last_update_id: int = 0
    saved_at: datetime = Field(default_factory=utc_now)
