"""Calendar days where the person lives: the store keeps UTC instants, people count local days.

A day means local midnight to local midnight in a time zone (None: this machine's, with its
daylight-saving rules). The database groups sessions by local day itself: :func:`day_number`
adds the zone's UTC offset in force at each instant (a CASE over the few offset changes in the
range) before dividing into days, so per-day totals need no session in Python.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as dtime
from typing import Any, Final

import sqlalchemy as sa

DAY: Final = timedelta(days=1)
DAY_S: Final = 86_400
UNIX_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
# Offset changes are found to the second: no zone changes its offset at a finer step.
CHANGE_PRECISION: Final = timedelta(seconds=1)


def since_to_utc(since: date | datetime | None, tz: tzinfo | None = None) -> datetime | None:
    """A date means that day's midnight in ``tz`` (None: this machine's local time)."""
    if since is None:
        return None
    if not isinstance(since, datetime):
        since = datetime.combine(since, dtime())
    if since.tzinfo is None:
        since = since.replace(tzinfo=tz) if tz is not None else since.astimezone()
    return since.astimezone(UTC)


def until_to_utc(until: date | datetime | None, tz: tzinfo | None = None) -> datetime | None:
    """The end (exclusive) of a range whose last day is ``until`` (a date: through that whole
    day), or the instant ``until`` itself."""
    if until is None or isinstance(until, datetime):
        return since_to_utc(until, tz)
    return since_to_utc(until + DAY, tz)


def local_day(ts: datetime, tz: tzinfo | None = None) -> date:
    """The calendar day ``ts`` fell on in ``tz`` (None: this machine's local time, DST-aware)."""
    return ts.astimezone(tz).date()


def _offset_s(ts: datetime, tz: tzinfo | None) -> int:
    offset = ts.astimezone(tz).utcoffset()
    return 0 if offset is None else int(offset.total_seconds())


def offset_changes(first: datetime, last: datetime, tz: tzinfo | None) -> tuple[list[datetime], list[int]]:
    """The UTC offsets of ``tz`` over ``first`` .. ``last``: ``offsets[i]`` holds before
    ``changes[i]``, ``offsets[-1]`` after the last change. Zones change their offset at most a
    couple of times a year, so days are stepped through and each change is then narrowed down."""
    changes: list[datetime] = []
    offsets = [_offset_s(first, tz)]
    t = first
    while t < last:
        step = min(t + DAY, last)
        if _offset_s(step, tz) != offsets[-1]:
            lo, hi = t, step  # the offset changes after lo, by hi
            while hi - lo > CHANGE_PRECISION:
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if _offset_s(mid, tz) == offsets[-1] else (lo, mid)
            changes.append(hi)
            offsets.append(_offset_s(hi, tz))
        t = step
    return changes, offsets


def day_number(column: Any, dialect: str, first: datetime, last: datetime, tz: tzinfo | None) -> sa.ColumnElement[int]:
    """SQL for the local calendar day of UTC timestamp ``column`` as days since 1970-01-01
    (:func:`day_of_number` turns it back into a date); exact for instants in first .. last."""
    changes, offsets = offset_changes(first, last, tz)
    offset: sa.ColumnElement[Any] = sa.literal(offsets[0])
    if changes:
        offset = sa.case(*((column < at, off) for at, off in zip(changes, offsets, strict=False)), else_=offsets[-1])
    if dialect == "sqlite":
        # Stored as UTC text; integer division floors for instants after 1970.
        epoch = sa.cast(sa.func.strftime("%s", column), sa.Integer)
        return sa.cast((epoch + offset) // DAY_S, sa.Integer)
    epoch_pg = sa.extract("epoch", column)
    return sa.cast(sa.func.floor((epoch_pg + offset) / DAY_S), sa.Integer)


def day_of_number(number: int) -> date:
    return date.fromordinal(UNIX_EPOCH_ORDINAL + int(number))
