"""Week, month and quarter boundaries in a team's time zone (SPEC §8).

A `Period` holds local dates, start inclusive and end exclusive. Nothing here reads the clock:
callers pass `now` or `today`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kpi.models import Period, PeriodKind

_DAY = timedelta(days=1)
_MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3}


def local_today(now: datetime, tz: str) -> date:
    """The team's calendar date at the instant `now` (which must be timezone-aware)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(ZoneInfo(tz)).date()


def _add_months(first: date, months: int) -> date:
    """The 1st of the month `months` after `first` (which is a 1st)."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_containing(kind: PeriodKind, day: date) -> Period:
    """The week (Monday first), month or quarter (Jan/Apr/Jul/Oct) that contains `day`."""
    if kind is PeriodKind.WEEK:
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + 7 * _DAY)
    if kind in _MONTHS:
        span = _MONTHS[kind]
        start = date(day.year, (day.month - 1) // span * span + 1, 1)
        return Period(kind, start, _add_months(start, span))
    # a custom range has no calendar grid to snap to
    raise ValueError("a custom period needs explicit bounds: use custom_period()")


def previous_period(p: Period) -> Period:
    """The period right before `p`: the same calendar kind, or as many days for a custom range."""
    if p.kind is PeriodKind.CUSTOM:
        return Period(p.kind, p.start - timedelta(days=p.days), p.start)
    return period_containing(p.kind, p.start - _DAY)


def custom_period(first: date, last: date) -> Period:
    """A date range as people type it: both days included."""
    if last < first:
        raise ValueError("the last day is before the first one")
    return Period(PeriodKind.CUSTOM, first, last + _DAY)


def last_finished(kind: PeriodKind, today: date) -> Period:
    """The latest period of `kind` whose end is on or before `today` (what a digest reports).

    The period containing `today` is still running, so it is always the one before it:
    on Monday the finished week is the previous Monday..Sunday.
    """
    return previous_period(period_containing(kind, today))


def periods_back(kind: PeriodKind, today: date, n: int) -> list[Period]:
    """The `n` periods ending with the one containing `today`, oldest first (chart trends)."""
    if n < 0:
        raise ValueError("n must not be negative")
    out: list[Period] = []
    if n:
        out.append(period_containing(kind, today))
    while len(out) < n:
        out.append(previous_period(out[-1]))
    out.reverse()
    return out


def working_days(start: date, end: date, workdays: frozenset[int]) -> int:
    """Days in [start, end) whose weekday (Monday = 0) is a workday."""
    total = (end - start).days
    if total <= 0:
        return 0
    weeks, rest = divmod(total, 7)
    first = start.weekday()
    tail = sum(1 for i in range(rest) if (first + i) % 7 in workdays)
    return weeks * len(workdays & frozenset(range(7))) + tail


def elapsed_days(period: Period, today: date) -> int:
    """Days of the period up to and including `today`: 0 before it starts, all after it ends."""
    return max(0, min(period.days, (today - period.start).days + 1))


def elapsed_share(period: Period, today: date) -> float:
    """The elapsed part of the period, 0.0..1.0 (an empty period counts as over)."""
    if period.days <= 0:
        return 1.0
    return elapsed_days(period, today) / period.days


def period_bounds_utc(period: Period, tz: str) -> tuple[datetime, datetime]:
    """The local midnights that bound the period, as UTC instants.

    zoneinfo resolves a midnight skipped or repeated by a DST change with fold=0, which gives
    the first instant of that local day in both cases; so a DST week is 167 or 169 hours long.
    """
    zone = ZoneInfo(tz)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)

    return midnight(period.start), midnight(period.end)
