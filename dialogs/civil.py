"""Civil hours: when a check-in may reach a manager (Dutch wall-clock time, working days, 9-17).

Why here and not in the scheduler: the dialog computes the review date when the manager chooses
one, and the scheduler checks it again before sending; both must agree on the same rule. Time is
Europe/Amsterdam wall-clock time (zoneinfo), so summer time moves nothing by an hour.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DAY_START = time(9, 0)
DAY_END = time(17, 0)
SATURDAY = 5


def is_civil(moment: datetime) -> bool:
    """True on a working day (Monday to Friday) between 9:00 and 17:00 in Amsterdam."""
    local = moment.astimezone(AMSTERDAM)
    return local.weekday() < SATURDAY and DAY_START <= local.time() < DAY_END


def civil_moment(moment: datetime) -> datetime:
    """`moment` itself when it is civil, else the next 9:00 on a working day (in UTC)."""
    if is_civil(moment):
        return moment.astimezone(UTC)
    local = moment.astimezone(AMSTERDAM)
    day = local.date()
    if local.time() >= DAY_START or local.weekday() >= SATURDAY:
        day += timedelta(days=1)
    while day.weekday() >= SATURDAY:
        day += timedelta(days=1)
    return datetime.combine(day, DAY_START, tzinfo=AMSTERDAM).astimezone(UTC)


def review_moment(now: datetime, weeks: int) -> datetime:
    """The check-in `weeks` after `now` on Amsterdam's calendar, moved to the next civil moment.

    Why the local calendar: "in two weeks" means the same weekday at the same wall-clock time. Added
    in UTC, a week across a summer-time change shifts by an hour, and a check-in chosen at 16:30
    in March lands at 17:30, outside civil hours: the next morning, a day late. A datetime in a
    zoneinfo zone adds a timedelta on its wall clock; the offset is then that of the new day.
    """
    local = now.astimezone(AMSTERDAM) + timedelta(weeks=weeks)
    return civil_moment(local)


def local_day(moment: datetime) -> str:
    """The Amsterdam calendar day of `moment`, ISO: "at most one check-in per chat per day"."""
    return moment.astimezone(AMSTERDAM).date().isoformat()
