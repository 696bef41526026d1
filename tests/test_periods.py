"""Period boundaries in a team's time zone: examples people see, and properties for any date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi.models import Period, PeriodKind
from kpi.periods import (
    custom_period,
    elapsed_days,
    elapsed_share,
    last_finished,
    local_today,
    period_bounds_utc,
    period_containing,
    periods_back,
    previous_period,
    working_days,
)

W, M, Q = PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER
ZONES = ["Europe/Moscow", "Europe/Berlin", "Asia/Vladivostok", "UTC", "America/New_York"]
MON_FRI = frozenset({0, 1, 2, 3, 4})
HOUR = timedelta(hours=1)

kinds = st.sampled_from([W, M, Q])
# any date whose previous and next quarters still fit in a `date`
days = st.dates(date(2, 1, 1), date(9999, 6, 30))
# Since 2000 these zones move clocks by at most 1 h within one period (Moscow's Q1 1992 had
# two +1 h changes). Hypothesis wants naive bounds and attaches the zone itself.
instants = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2099, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
zones = st.sampled_from(ZONES)


def test_calendar_periods_of_a_friday():
    fri = date(2026, 11, 20)
    assert period_containing(W, fri) == Period(W, date(2026, 11, 16), date(2026, 11, 23))
    assert period_containing(M, fri) == Period(M, date(2026, 11, 1), date(2026, 12, 1))
    assert period_containing(Q, fri) == Period(Q, date(2026, 10, 1), date(2027, 1, 1))
    q3 = Period(Q, date(2026, 7, 1), date(2026, 10, 1))
    assert previous_period(period_containing(Q, fri)) == q3
    with pytest.raises(ValueError):
        period_containing(PeriodKind.CUSTOM, fri)


def test_year_boundaries_and_leap_february():
    assert previous_period(period_containing(M, date(2027, 1, 5))).start == date(2026, 12, 1)
    # 2026-12-31 is a Thursday: its week runs into 2027
    assert period_containing(W, date(2026, 12, 31)).end == date(2027, 1, 4)
    assert period_containing(M, date(2028, 2, 29)).days == 29
    assert period_containing(M, date(2100, 2, 10)).days == 28  # century, not a leap year
    assert period_containing(Q, date(2028, 2, 29)).days == 31 + 29 + 31


def test_custom_period_includes_last_day_and_previous_has_same_length():
    p = custom_period(date(2026, 11, 10), date(2026, 11, 16))
    assert (p.start, p.end, p.days) == (date(2026, 11, 10), date(2026, 11, 17), 7)
    assert previous_period(p) == Period(PeriodKind.CUSTOM, date(2026, 11, 3), date(2026, 11, 10))
    assert custom_period(date(2026, 11, 10), date(2026, 11, 10)).days == 1
    with pytest.raises(ValueError):
        custom_period(date(2026, 11, 10), date(2026, 11, 9))


def test_last_finished_is_what_the_digest_reports():
    # Monday 2026-11-23: the week that just ended is 16..22 November
    assert last_finished(W, date(2026, 11, 23)) == Period(W, date(2026, 11, 16), date(2026, 11, 23))
    assert last_finished(M, date(2026, 12, 1)) == Period(M, date(2026, 11, 1), date(2026, 12, 1))
    assert last_finished(M, date(2026, 11, 30)).start == date(2026, 10, 1)
    assert last_finished(Q, date(2027, 1, 1)) == Period(Q, date(2026, 10, 1), date(2027, 1, 1))


def test_periods_back_oldest_first():
    months = periods_back(M, date(2026, 2, 15), 3)
    assert [p.start for p in months] == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    assert periods_back(W, date(2026, 11, 20), 0) == []
    with pytest.raises(ValueError):
        periods_back(W, date(2026, 11, 20), -1)


def test_working_days_and_elapsed_in_november_2026():
    nov = period_containing(M, date(2026, 11, 20))
    # Mon–Fri in November 2026: 2–6, 9–13, 16–20, 23–27, 30 = 21
    assert working_days(nov.start, nov.end, MON_FRI) == 21
    # from Friday the 20th, counted: 20, 23–27, 30 = 7
    assert working_days(date(2026, 11, 20), nov.end, MON_FRI) == 7
    assert working_days(nov.end, nov.start, MON_FRI) == 0
    assert working_days(nov.start, nov.end, frozenset()) == 0
    assert elapsed_days(nov, date(2026, 10, 31)) == 0
    assert elapsed_days(nov, date(2026, 11, 1)) == 1
    assert elapsed_days(nov, date(2026, 11, 20)) == 20
    assert elapsed_days(nov, date(2027, 3, 1)) == 30
    assert elapsed_share(nov, date(2026, 11, 20)) == pytest.approx(20 / 30)


def test_local_today_crosses_midnight_by_zone():
    now = datetime(2026, 11, 19, 21, 30, tzinfo=UTC)
    assert local_today(now, "Europe/Moscow") == date(2026, 11, 20)  # 00:30 MSK
    assert local_today(now, "UTC") == date(2026, 11, 19)
    assert local_today(now, "America/New_York") == date(2026, 11, 19)
    with pytest.raises(ValueError):
        local_today(datetime(2026, 11, 19, 21, 30), "UTC")  # noqa: DTZ001 - the point


@pytest.mark.parametrize(
    ("tz", "monday", "hours"),
    [
        ("Europe/Berlin", date(2026, 3, 23), 167),  # clocks forward on Sunday 29 March
        ("Europe/Berlin", date(2026, 10, 19), 169),  # and back on Sunday 25 October
        ("America/New_York", date(2026, 10, 26), 169),  # back on Sunday 1 November
        ("Europe/Moscow", date(2026, 3, 23), 168),  # no DST
    ],
)
def test_dst_weeks(tz, monday, hours):
    start, end = period_bounds_utc(period_containing(W, monday), tz)
    assert end - start == timedelta(hours=hours)
    assert start.tzinfo is UTC


def test_bounds_are_local_midnights():
    start, end = period_bounds_utc(period_containing(M, date(2026, 11, 20)), "Europe/Moscow")
    assert start == datetime(2026, 10, 31, 21, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 30, 21, 0, tzinfo=UTC)


@given(kinds, days)
def test_day_is_inside_its_period_and_periods_tile(kind, day):
    p = period_containing(kind, day)
    assert day in p
    assert p.start <= day < p.end
    prev = previous_period(p)
    assert prev.kind is kind and prev.end == p.start
    assert period_containing(kind, p.end).start == p.end  # the next one starts where p ends
    assert period_containing(kind, p.end - timedelta(days=1)) == p
    assert last_finished(kind, day) == prev


@given(days)
def test_calendar_starts(day):
    week, month, quarter = (period_containing(k, day) for k in (W, M, Q))
    assert week.start.weekday() == 0 and week.days == 7
    assert month.start.day == 1 and month.start.month == day.month and 28 <= month.days <= 31
    assert quarter.start.day == 1 and quarter.start.month in (1, 4, 7, 10)
    assert 90 <= quarter.days <= 92
    assert month.start in quarter and week.start <= day
    leap = day.year % 4 == 0 and (day.year % 100 != 0 or day.year % 400 == 0)
    if day.month == 2:
        assert month.days == (29 if leap else 28)


@given(st.dates(date(2, 1, 1), date(9990, 1, 1)), st.integers(0, 400))
def test_custom_previous_has_the_same_length(first, extra):
    last = first + timedelta(days=extra)
    p = custom_period(first, last)
    assert p.days == extra + 1 and last in p and last + timedelta(days=1) not in p
    prev = previous_period(p)
    assert prev.kind is PeriodKind.CUSTOM and prev.days == p.days and prev.end == p.start


@given(kinds, st.dates(date(5, 1, 1), date(9999, 6, 30)), st.integers(1, 12))
def test_periods_back_tile(kind, day, n):
    chain = periods_back(kind, day, n)
    assert len(chain) == n and day in chain[-1]
    assert all(a.end == b.start for a, b in pairwise(chain))


@given(instants, zones, kinds)
def test_an_instant_falls_inside_its_local_period(now, tz, kind):
    p = period_containing(kind, local_today(now, tz))
    start, end = period_bounds_utc(p, tz)
    assert start <= now < end
    # 24 h per day, give or take the one DST change a period can contain
    assert abs(end - start - timedelta(days=p.days)) <= HOUR


@given(days, st.integers(0, 60), st.frozensets(st.integers(0, 6)))
def test_working_days_match_counting_each_day(start, length, workdays):
    end = start + timedelta(days=length)
    by_hand = sum(1 for i in range(length) if (start + timedelta(days=i)).weekday() in workdays)
    assert working_days(start, end, workdays) == by_hand


@given(kinds, days, st.integers(-40, 130))
def test_elapsed_share_is_bounded_and_grows(kind, day, shift):
    p = period_containing(kind, day)
    today = p.start + timedelta(days=shift)
    share = elapsed_share(p, today)
    assert 0.0 <= share <= 1.0
    assert share <= elapsed_share(p, today + timedelta(days=1))
    assert (share == 0.0) == (today < p.start)
    assert (share == 1.0) == (today >= p.end - timedelta(days=1))
