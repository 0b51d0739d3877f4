"""What the bot keeps about one chat: the dialog session and a few bookkeeping fields.

Deliberately minimal (privacy by design): no names, no message text, no profile data. The chat key
is only the file name. `last_update_id` lets a restarted bot recognise an update it already handled
(Telegram redelivers updates whose receipt was not yet confirmed), so /terug or a tap never counts
twice after a crash.

Every field has bounds, because a stored value is input like any other: a file edited by hand or
restored from a damaged backup must be refused at load, not crash (or mislead) every later update.
A `saved_at` far in the future with a huge `last_update_id`, for instance, would make every new
update look like a redelivery.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from dialogs.selfcheck import SelfCheck
from dialogs.session import Session

# The format of a stored record. Raise it by one with every incompatible change, and add the step
# from the previous version to `bot.persistence.migrations.STEPS`.
RECORD_VERSION = 8
# The layout in which the Telegram channel turns a turn's replies into messages
# (bot.telegram.outbox.plan): `Delivery.sent` counts messages of that layout, so a turn keeps the
# layout it was stored with. Raise it with every change of the plan that changes message counts.
MESSAGE_PLAN = 2
# Clocks drift and get corrected; a save stamped up to a day ahead is still believable.
MAX_CLOCK_SKEW = timedelta(days=1)
# Telegram's update ids are 32-bit today; JSON numbers are exact up to 2**53.
MAX_UPDATE_ID = 2**53


def utc_now() -> datetime:
    return datetime.now(UTC)


def _not_in_future(moment: datetime) -> datetime:
    if moment > utc_now() + MAX_CLOCK_SKEW:
        raise ValueError("saved_at lies more than a day in the future")
    return moment


# When the record was last saved: timezone-aware and not (much) in the future.
SavedAt = Annotated[AwareDatetime, AfterValidator(_not_in_future)]


class StoredOption(BaseModel):
    """A button of a reply still to be sent: its option id and its label."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(max_length=64)
    label: str = Field(max_length=256)


class StoredReply(BaseModel):
    """One reply of a turn, as the dialog made it (bot text only, never the user's)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(max_length=20_000)
    options: list[StoredOption] = Field(default_factory=list, max_length=100)
    attachment: Literal["model_picture", "action_plan", "team_picture", "slot_picture"] | None = (
        None
    )
    # May take the place of the question just answered (see dialogs.Reply.replaces).
    replaces: bool = False


class Delivery(BaseModel):
    """The replies to the last input handled, saved with the state they belong to.

    The transactional outbox: saved in the same write as the new state, marked delivered when
    Telegram has taken all its messages. A message is the unit of delivery: the channel turns the
    replies into a fixed plan of messages, and `sent` counts how many of them Telegram took (one
    small save per message), so a process killed in between resumes at the first message not
    taken, when the input comes again or when the bot starts; a delivered turn is never sent
    again. The one message that can come twice is the one Telegram took just before the kill,
    whose answer (and so its mark) never came back.
    """

    model_config = ConfigDict(extra="forbid")

    update_id: int = Field(ge=0, le=MAX_UPDATE_ID)
    turn: int = Field(ge=0, le=10**9)
    chosen: str | None = Field(default=None, max_length=256)
    replies: list[StoredReply] = Field(max_length=20)
    delivered: bool = False
    # How many messages of the turn's plan Telegram took (see bot.telegram.outbox.plan).
    sent: int = Field(default=0, ge=0, le=1000)
    # The plan's layout that `sent` counts in. Absent in a record stored before layouts had
    # numbers: that is layout 1, so such a record needs no migration (and keeps its format
    # version); every new outbox names the layout it is sent in (MESSAGE_PLAN).
    plan: int = Field(default=1, ge=1, le=MESSAGE_PLAN)


class ChatRecord(BaseModel):
    """The durable state of one chat, in the current record format."""

    model_config = ConfigDict(extra="forbid")

    # Only the current format is a ChatRecord; older files are upgraded by `migrate` first.
    schema_version: int = Field(default=RECORD_VERSION, ge=RECORD_VERSION, le=RECORD_VERSION)
    session: Session | None = None
    # The user blocked the bot: send nothing until they write again (a save after their update
    # clears it).
    blocked: bool = False
    last_update_id: int = Field(default=0, ge=0, le=MAX_UPDATE_ID)
    saved_at: SavedAt = Field(default_factory=utc_now)
    # The replies of the last handled input until Telegram has taken them (see Delivery).
    delivery: Delivery | None = None
    # A question outside the dialog that waits for its answer: only then does a tap on its
    # buttons count (a forged "erase" without the question changes nothing).
    asked: Literal["forget"] | None = None
    # The Amsterdam day (ISO) the last check-in was sent: never more than one per chat per day.
    checkin_day: str | None = Field(default=None, max_length=10)
    # The channel's id of the message whose buttons are live (Telegram's message id), so that a
    # typed answer can take those buttons away: no earlier question keeps buttons that look live.
    keyboard_message: int | None = Field(default=None, ge=1, le=MAX_UPDATE_ID)
    # The self-check this chat does for someone else's invitation (issue 21): only the answers
    # and the link's digest, nothing about who asked. Kept apart from `session`, which is this
    # chat's own adviesgesprek.
    selfcheck: SelfCheck | None = None

    def next_checkin(self) -> datetime | None:
        """When the earliest check-in of this chat is due (UTC), None when none is pending."""
        return self.session.next_review() if self.session is not None else None
