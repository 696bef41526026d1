"""Targets on the hand-computed November 2026 (tests/test_compute.py): the target in force,
attainment, pace, forecast, remaining workdays, per-day need and status, worked out by hand.

Evaluated on Friday 2026-11-20 with Mon–Fri workdays: 20 of 30 days elapsed (share 2/3);
workdays left, today counted: 20, 23–27, 30 = 7.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi.metrics import all_kpis
from kpi.models import Direction, Period, PeriodKind, Status, Target
from kpi.periods import custom_period
from kpi.targets import TargetStatus, evaluate, target_in_force
from tests.test_compute import ANNA, BORIS, NOV, OCT, SETTINGS, november

GE, LE = Direction.AT_LEAST, Direction.AT_MOST
M, W = PeriodKind.MONTH, PeriodKind.WEEK
KPIS = all_kpis()
FRI = date(2026, 11, 20)


def _t(kpi: str, value: float, frm: date, tid: int, direction: Direction = GE, **kw) -> Target:
    return Target(1, kpi, kw.pop("kind", M), value, direction, frm, id=tid, **kw)


LEADS_OLD = _t("leads", 100, date(2026, 9, 1), 1)
LEADS = _t("leads", 120, date(2026, 11, 1), 2)
POSTS_TYPO = _t("posts", 35, date(2026, 11, 1), 3)
POSTS = _t("posts", 40, date(2026, 11, 1), 4)  # same month, set later: larger id
LEADS_DEC = _t("leads", 150, date(2026, 12, 1), 5)
LEADS_WEEK = _t("leads", 30, date(2026, 9, 7), 6, kind=W)
ANNA_LEADS = _t("leads", 40, date(2026, 10, 1), 7, user_id=ANNA)
RESPONSE = _t("response_median", 60, date(2026, 10, 1), 8, LE)
CHURN = _t("churn_pct", 2, date(2026, 10, 1), 9, LE)
TARGETS = [LEADS_DEC, LEADS, LEADS_OLD, POSTS, POSTS_TYPO, LEADS_WEEK, ANNA_LEADS, RESPONSE, CHURN]


def test_target_in_force_keeps_history():
    assert target_in_force(TARGETS, "leads", NOV) == LEADS  # changed for November
    assert target_in_force(TARGETS, "leads", OCT) == LEADS_OLD  # October keeps its own
    aug = Period(M, date(2026, 8, 1), date(2026, 9, 1))
    assert target_in_force(TARGETS, "leads", aug) is None  # before any target
    dec = Period(M, date(2026, 12, 1), date(2027, 1, 1))
    assert target_in_force(TARGETS, "leads", dec) == LEADS_DEC
    week = Period(W, date(2026, 11, 16), date(2026, 11, 23))
    assert target_in_force(TARGETS, "leads", week) == LEADS_WEEK  # weekly targets are separate
    assert target_in_force(TARGETS, "posts", NOV) == POSTS  # same valid_from: larger id
    assert target_in_force(TARGETS, "posts", OCT) is None
    assert target_in_force(TARGETS, "leads", NOV, ANNA) == ANNA_LEADS
    assert target_in_force(TARGETS, "leads", NOV, BORIS) is None  # no personal target
    assert target_in_force(TARGETS, "leads", custom_period(NOV.start, FRI)) is None


def _eval(target: Target, actual: float | None, today: date = FRI, kpi: str | None = None):
    return evaluate(target, actual, KPIS[kpi or target.kpi], NOV, today, SETTINGS)


def _status(
    target: Target, actual, attainment, expected, forecast, share, remaining, need, status
) -> TargetStatus:
    a = pytest.approx
    return TargetStatus(
        target, actual, None if attainment is None else a(attainment), a(expected),
        None if forecast is None else a(forecast), a(share), remaining,
        None if need is None else a(need), status,
    )  # fmt: skip


def test_november_targets_on_friday_the_20th():
    team = november().team
    got = {t.kpi: _eval(t, team[t.kpi].value) for t in (LEADS, POSTS, RESPONSE, CHURN)}
    assert got == {
        # 78 / 120 = 65 %; pace 120 × 2/3 = 80; forecast 78 ÷ 2/3 = 117;
        # 117 ≥ 120 × 0.85 = 102 → at risk; need (120 − 78) / 7 = 6
        "leads": _status(LEADS, 78, 65.0, 80, 117, 2 / 3, 7, 6.0, Status.AT_RISK),
        # 19 / 40 = 47.5 %; pace 40 × 2/3 = 26.667; forecast 19 × 1.5 = 28.5 < 34 → off track;
        # need (40 − 19) / 7 = 3
        "posts": _status(POSTS, 19, 47.5, 26.666667, 28.5, 2 / 3, 7, 3.0, Status.OFF_TRACK),
        # ≤ 60 min: 60 / 27.5 = 218.18 %; a level: pace = target, forecast = current value
        "response_median": _status(
            RESPONSE, 27.5, 218.181818, 60, 27.5, 2 / 3, 7, None, Status.ON_TRACK
        ),
        # ≤ 2 %: 2 / 1.5 = 133.33 %; 1.5 ≤ 2 → on track
        "churn_pct": _status(CHURN, 1.5, 133.333333, 2, 1.5, 2 / 3, 7, None, Status.ON_TRACK),
    }


def test_a_persons_target():
    anna = november().people[ANNA]["leads"].value
    # 30 / 40 = 75 %; pace 40 × 2/3 = 26.667; forecast 30 × 1.5 = 45 ≥ 40; need 10 / 7 = 1.4286
    expected = _status(ANNA_LEADS, 30, 75.0, 26.666667, 45, 2 / 3, 7, 1.428571, Status.ON_TRACK)
    assert _eval(ANNA_LEADS, anna) == expected


def test_too_early_on_the_second():
    mon = date(2026, 11, 2)
    # 2 of 30 days = 0.0667 < 0.15; pace 120 × 2/30 = 8; forecast 10 × 15 = 150;
    # workdays 2–6, 9–13, 16–20, 23–27, 30 = 21; need 110 / 21 = 5.2381
    expected = _status(LEADS, 10, 8.333333, 8, 150, 2 / 30, 21, 5.238095, Status.TOO_EARLY)
    assert _eval(LEADS, 10, mon) == expected
    assert _eval(RESPONSE, 500, mon).status is Status.TOO_EARLY
    # a sum that already reached its target is on track however early it is
    done = _eval(LEADS, 125, mon)
    assert (done.status, done.need_per_workday) == (Status.ON_TRACK, 0.0)


def test_before_the_period_starts():
    st_ = _eval(LEADS, None, date(2026, 10, 25))
    # nothing elapsed: no run rate; workdays of the whole month: 21; need 120 / 21
    assert st_ == _status(LEADS, 0.0, 0.0, 0, None, 0.0, 21, 5.714286, Status.TOO_EARLY)


def test_a_finished_period_is_judged_by_its_actual():
    dec3 = date(2026, 12, 3)
    # share 1, forecast = 78; over, so met or missed (never "at risk"); no per-day need
    assert _eval(LEADS, 78, dec3) == _status(
        LEADS, 78, 65.0, 120, 78, 1.0, 0, None, Status.MISSED
    )
    assert _eval(LEADS, 120, dec3).status is Status.MET
    assert _eval(RESPONSE, 65, dec3).status is Status.MISSED  # within 15 %: once "at risk"
    assert _eval(RESPONSE, 70, dec3).status is Status.MISSED
    assert _eval(RESPONSE, 55, dec3).status is Status.MET


def test_missing_actuals():
    # a sum with nothing logged is 0 done: 0 %, forecast 0, off track, need 120 / 7 = 17.1429
    assert _eval(LEADS, None) == _status(
        LEADS, 0.0, 0.0, 80, 0.0, 2 / 3, 7, 17.142857, Status.OFF_TRACK
    )
    # a level or a derived KPI with no value is no data
    gone = _eval(RESPONSE, None)
    assert gone == TargetStatus(
        RESPONSE, None, None, 60, None, pytest.approx(2 / 3), 7, None, Status.NO_DATA
    )
    growth = _t("follower_growth", 500, date(2026, 11, 1), 20)
    assert _eval(growth, None).status is Status.NO_DATA


def test_thresholds_for_a_level_and_at_most_caps():
    share = _t("qualified_share", 40, date(2026, 11, 1), 21)
    # 40 on track; 35 ≥ 40 × 0.85 = 34 at risk; 33 off track
    assert [_eval(share, x).status for x in (40, 35, 33)] == [
        Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK,
    ]  # fmt: skip
    assert _eval(RESPONSE, 0).attainment_pct == 999  # ≤ target with 0 minutes
    assert _eval(RESPONSE, 0.01).attainment_pct == 999  # 600000 % capped
    assert _eval(share, 50).attainment_pct == pytest.approx(125)  # ≥ targets are not capped


def test_at_most_sum_runs_at_its_rate():
    unsubs = _t("unsubscribes", 100, date(2026, 11, 1), 22, LE)
    # forecasts 30 × 1.5 = 45 and 60 × 1.5 = 90 ≤ 100; 70 × 1.5 = 105 ≤ 115 at risk;
    # 80 × 1.5 = 120 > 115 off track
    statuses = [_eval(unsubs, x).status for x in (30, 60, 70, 80)]
    assert statuses == [Status.ON_TRACK, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK]
    assert _eval(unsubs, 30).need_per_workday is None  # only ≥ sums have a per-day need
    # already past a "≤" limit on the 2nd: it can only grow, so not "too early"
    assert _eval(unsubs, 120, date(2026, 11, 2)).status is Status.OFF_TRACK


actuals = st.floats(-1e6, 1e6, allow_nan=False)


@given(
    st.floats(0.01, 1e6),
    actuals,
    actuals,
    st.sampled_from(["leads", "qualified_share", "response_median", "follower_growth"]),
    st.sampled_from([GE, LE]),
    st.dates(date(2026, 10, 20), date(2026, 12, 10)),
)
def test_attainment_is_monotonic_in_the_actual(value, a, b, kpi, direction, today):
    low, high = sorted((a, b))
    target = _t(kpi, value, NOV.start, 30, direction)
    att_low = _eval(target, low, today).attainment_pct
    att_high = _eval(target, high, today).attainment_pct
    assert att_low is not None and att_high is not None
    if direction is GE:
        assert att_low <= att_high
    else:
        assert att_low >= att_high
        assert 0 <= att_high <= att_low <= 999
