"""Civil hours: when a check-in may reach a manager (Dutch wall-clock time, working days, 9-17).

Why here and not in the scheduler: the dialog computes the review date when the manager chooses
one, and the scheduler checks it again before sending; both must agree on the same rule. Time is
Europe/Amsterdam wall-clock time (zoneinfo), so summer time moves nothing by an hour.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
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


def review_day(today: date, weeks: int) -> date:
    """The day `weeks` after `today`, moved to the next working day.

    The one rule for a review date: the plan's "Kijk op … terug" and the reminder's "Op … vraag
    ik" both come from here, so made on the same day they name the same working day.
    """
    day = today + timedelta(weeks=weeks)
    while day.weekday() >= SATURDAY:
        day += timedelta(days=1)
    return day


def review_moment(now: datetime, weeks: int) -> datetime:
    """The check-in on `review_day` of `now`'s Amsterdam day: at `now`'s clock time when that is
    a civil hour, else at 9:00 (in UTC).

    Why the local calendar: "in two weeks" means the same weekday at the same wall-clock time.
    Added in UTC, a week across a summer-time change shifts by an hour (16:30 in March would land
    at 17:30, outside civil hours). And why the day first: the plan names `review_day`, and the
    reminder must fall on that very day.
    """
    local = now.astimezone(AMSTERDAM)
    day = review_day(local.date(), weeks)
    clock = local.time() if DAY_START <= local.time() < DAY_END else DAY_START
    return datetime.combine(day, clock, tzinfo=AMSTERDAM).astimezone(UTC)


def local_day(moment: datetime) -> str:
    """The Amsterdam calendar day of `moment`, ISO: "at most one check-in per chat per day"."""
    return moment.astimezone(AMSTERDAM).date().isoformat()
