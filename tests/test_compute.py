"""KPI maths on a hand-computed November 2026, "no data" cases, and properties of aggregate.

Every expected number below comes from the arithmetic in its comment, not from the code.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi.compute import KpiReport, KpiValue, aggregate, compute_kpis, rank, team_values
from kpi.metrics import BUILTIN_METRICS, all_kpis
from kpi.models import (
    Direction,
    Entry,
    Metric,
    MetricKind,
    Period,
    PeriodData,
    PeriodKind,
    TeamSettings,
)
from kpi.report import PeopleKpis

ANNA, BORIS, VERA = 1, 2, 3
NOV = Period(PeriodKind.MONTH, date(2026, 11, 1), date(2026, 12, 1))
OCT = Period(PeriodKind.MONTH, date(2026, 10, 1), date(2026, 11, 1))
SETTINGS = TeamSettings(sla_minutes=60)
PLANS = {"posts": 40.0}


# user -> metric -> {day of the month: value}
OCTOBER = {
    ANNA: {"leads": {31: 7}},
    BORIS: {"leads": {15: 13}, "response_time": {30: 100}},
    VERA: {"posts": {20: 19}},
}
NOVEMBER = {
    ANNA: {
        "leads": {2: 10, 10: 15, 19: 5}, "qualified_leads": {10: 12}, "posts": {3: 2, 12: 2},
        "response_time": {5: 10, 6: 30, 7: 50, 8: 200}, "unsubscribes": {9: 100},
        "views": {13: 30000}, "likes": {13: 200}, "sales": {12: 3}, "revenue": {12: 45000},
        "foo": {5: 5},  # a metric nobody defined
    },
    BORIS: {
        "leads": {3: 20, 17: 8, 20: 20}, "qualified_leads": {3: 10, 18: 8}, "posts": {6: 3},
        "response_time": {5: 20, 6: 40, 7: 90}, "unsubscribes": {16: 50}, "shares": {18: 70},
        "sales": {6: 1, 19: 2}, "revenue": {6: 30000, 19: 15000},
    },
    # Vera makes content and answers messages; she takes no leads
    VERA: {
        "posts": {4: 5, 11: 4, 18: 3}, "response_time": {5: 5, 6: 15, 7: 25},
        "views": {18: 21000}, "likes": {18: 600}, "comments": {18: 150},
    },
}  # fmt: skip
# follower snapshots (user, day, value, id): the id settles a same-day tie
FOLLOWERS = [
    (ANNA, date(2026, 9, 30), 9500, 1),  # the last before October
    (ANNA, date(2026, 10, 28), 9800, 5),
    (BORIS, date(2026, 10, 31), 10000, 8),  # the last before November
    (ANNA, date(2026, 11, 9), 10100, 30),
    (BORIS, date(2026, 11, 15), 10150, 99),  # larger id, but an earlier day
    (ANNA, date(2026, 11, 20), 10180, 60),
    (BORIS, date(2026, 11, 20), 10200, 61),  # same day as id 60: the larger id wins
]


def script() -> list[Entry]:
    """Three people's October and November 2026, plus one December entry that must not count."""
    out = [Entry(1, u, "followers", v, day, id=i) for u, day, v, i in FOLLOWERS]
    out.append(Entry(1, ANNA, "leads", 99, date(2026, 12, 1), id=1000))
    for month, log in ((10, OCTOBER), (11, NOVEMBER)):
        for user, metrics in log.items():
            for metric, by_day in metrics.items():
                out += [Entry(1, user, metric, v, date(2026, month, d)) for d, v in by_day.items()]
    return [e if e.id else replace(e, id=100 + i) for i, e in enumerate(out)]


def november() -> KpiReport:
    entries = script()
    current = aggregate(entries, NOV, BUILTIN_METRICS)
    previous = aggregate(entries, OCT, BUILTIN_METRICS)
    return compute_kpis(current, previous, SETTINGS, BUILTIN_METRICS, PLANS)


def test_aggregate_of_november():
    data = aggregate(script(), NOV, BUILTIN_METRICS)
    assert data.sums["leads"] == {ANNA: 30, BORIS: 48}  # 10+15+5; 20+8+20 (Dec 1 excluded)
    assert "foo" not in data.sums
    assert data.durations["response_time"][BORIS] == [20, 40, 90]
    assert data.gauge_last == {"followers": 10200}  # Nov 20, id 61 > id 60
    assert data.gauge_before == {"followers": 10000}  # Oct 31


# KPI -> (November, October); Nov 20 followers 10200, before November 10000, before October 9500
TEAM = {
    "leads": (78, 20),  # 30 + 48; Oct 7 + 13
    "qualified_leads": (30, None),  # 12 + 10 + 8; none in October
    "posts": (19, 19),  # 4 + 3 + 12; Oct 19
    "unsubscribes": (150, None),  # 100 + 50
    "views": (51000, None),  # 30000 + 21000
    "likes": (800, None),  # 200 + 600
    "comments": (150, None),
    "shares": (70, None),
    "sales": (6, None),  # 3 + 1 + 2
    "revenue": (90000, None),  # 45000 + 30000 + 15000
    "site_visits": (None, None),
    "mentions": (None, None),
    "branded_searches": (None, None),
    "new_followers": (None, None),  # captured from a channel (issue 11): none here
    "inbound_chats": (None, None),
    "followers": (10200, 10000),
    "follower_growth": (200, 500),  # 10200 − 10000; 10000 − 9500
    "follower_growth_pct": (2.0, 5.263158),  # 200 / 10000 × 100; 500 / 9500 × 100
    "churn_pct": (1.5, None),  # 150 / 10000 × 100; no unsubscribes in October
    "views_pct": (500.0, None),  # 51000 / 10200 × 100
    "engagement_rate": (10.0, None),  # (800 + 150 + 70) = 1020 / 10200 × 100
    "engagement_per_post": (0.526316, None),  # 1020 / 19 / 10200 × 100 = 10 / 19
    "qualified_share": (38.461538, None),  # 30 / 78 × 100
    "posts_plan": (47.5, 47.5),  # 19 / 40 × 100, both months
    # replies sorted: 5 10 15 20 25 30 40 50 90 200; October: 100
    "response_sla": (80.0, 0.0),  # 8 of 10 within 60 min; October's one reply took 100
    "response_median": (27.5, 100),  # (25 + 30) / 2
    "response_p90": (101.0, 100),  # rank (10−1)×0.9 = 8.1: 90 + 0.1 × (200 − 90)
    "conversion": (7.692308, None),  # 6 / 78 × 100
}


def _approx(x: float | None):
    return None if x is None else pytest.approx(x, abs=1e-6)


def test_every_team_kpi_of_november():
    rep = november()
    assert (rep.period, rep.previous_period) == (NOV, OCT)
    assert list(rep.team) == list(all_kpis())  # the catalog's order
    got = {k: (v.value, v.previous) for k, v in rep.team.items()}
    assert got == {k: (_approx(a), _approx(b)) for k, (a, b) in TEAM.items()}


def test_dynamics_against_october():
    team = november().team
    assert (team["leads"].delta, team["leads"].delta_pct) == (58, 290)  # 78 − 20; 58 / 20
    assert (team["posts"].delta, team["posts"].delta_pct) == (0, 0)  # a real zero change
    assert team["response_median"].delta == -72.5  # 27.5 − 100; −72.5 %
    assert team["response_median"].delta_pct == pytest.approx(-72.5)
    assert team["follower_growth"].delta_pct == pytest.approx(-60)  # (200 − 500) / 500
    assert team["response_sla"].delta == 80 and team["response_sla"].delta_pct is None  # from 0
    assert team["sales"].delta is None and team["sales"].delta_pct is None


PEOPLE = {
    ANNA: {
        "leads": (30, 7), "qualified_leads": (12, None), "posts": (4, None),
        "sales": (3, None), "revenue": (45000, None), "unsubscribes": (100, None),
        "views": (30000, None), "likes": (200, None), "comments": (None, None),
        "qualified_share": (40.0, None),  # 12 / 30
        "posts_plan": (10.0, None),  # 4 / 40
        # replies 10 30 50 200
        "response_sla": (75.0, None),  # 3 of 4 ≤ 60
        "response_median": (40.0, None),  # (30 + 50) / 2
        "response_p90": (155.0, None),  # rank 3 × 0.9 = 2.7: 50 + 0.7 × 150
        "conversion": (10.0, None),  # 3 / 30
    },
    BORIS: {
        "leads": (48, 13), "qualified_leads": (18, None), "posts": (3, None),
        "sales": (3, None), "revenue": (45000, None), "shares": (70, None),
        "qualified_share": (37.5, None),  # 18 / 48
        "posts_plan": (7.5, None),  # 3 / 40
        # replies 20 40 90; October 100
        "response_sla": (66.666667, 0.0),  # 2 of 3 ≤ 60
        "response_median": (40.0, 100),
        "response_p90": (80.0, 100),  # rank 2 × 0.9 = 1.8: 40 + 0.8 × 50
        "conversion": (6.25, None),  # 3 / 48
    },
    VERA: {
        "leads": (None, None), "posts": (12, 19), "views": (21000, None),
        "likes": (600, None), "comments": (150, None),
        "qualified_share": (None, None),  # no leads: no data, not 0 %
        "conversion": (None, None),
        "posts_plan": (30.0, 47.5),  # 12 / 40; 19 / 40
        # replies 5 15 25
        "response_sla": (100.0, None),
        "response_median": (15.0, None),
        "response_p90": (23.0, None),  # 15 + 0.8 × 10
    },
}  # fmt: skip


def test_each_persons_numbers():
    rep = november()
    assert sorted(rep.people) == [ANNA, BORIS, VERA]
    personal = [k for k, d in all_kpis().items() if d.per_person]
    for user, expected in PEOPLE.items():
        mine = rep.people[user]
        assert list(mine) == personal  # gauge-based KPIs are team-only
        for key, (now, before) in expected.items():
            got = (key, mine[key].value, mine[key].previous)
            assert got == (key, _approx(now), _approx(before))


def test_rank_for_top():
    rep = november()
    assert rank(rep, "leads", Direction.AT_LEAST) == [(BORIS, 48), (ANNA, 30)]  # Vera: no data
    # lower is better; Anna and Boris tie at 40, the smaller id first
    assert rank(rep, "response_median", Direction.AT_MOST) == [(VERA, 15), (ANNA, 40), (BORIS, 40)]
    assert rank(rep, "followers", Direction.AT_LEAST) == []  # not a per-person KPI
    assert rank(rep, "no_such_kpi", Direction.AT_LEAST) == []


def test_empty_period_is_no_data_everywhere():
    empty = PeriodData(NOV)
    rep = compute_kpis(empty, PeriodData(OCT), SETTINGS, BUILTIN_METRICS, PLANS)
    assert rep.people == {}
    assert all(v.value is None and v.previous is None for v in rep.team.values())
    assert all(v.delta is None and v.delta_pct is None for v in rep.team.values())


def _one(entries: list[Entry], plans: dict[str, float] | None = None) -> dict[str, float | None]:
    data = aggregate(entries, NOV, BUILTIN_METRICS)
    rep = compute_kpis(data, PeriodData(OCT), SETTINGS, BUILTIN_METRICS, plans)
    return {k: v.value for k, v in rep.team.items()}


def _e(metric: str, value: float, day: date = date(2026, 11, 5), user: int = ANNA) -> Entry:
    return Entry(1, user, metric, value, day)


def test_zero_denominators_are_no_data():
    got = _one([_e("leads", 0), _e("qualified_leads", 0), _e("sales", 0), _e("posts", 0),
                _e("likes", 5), _e("followers", 0, date(2026, 10, 31))], {"posts": 0})  # fmt: skip
    assert got["leads"] == 0 and got["posts"] == 0  # a logged zero is a real zero
    assert got["qualified_share"] is None and got["conversion"] is None  # ÷ 0 leads
    assert got["posts_plan"] is None  # a zero plan is no plan
    assert got["engagement_per_post"] is None  # ÷ 0 posts
    # followers before the period: 0; nothing logged inside it
    assert got["followers"] is None and got["follower_growth"] is None
    assert got["follower_growth_pct"] is None and got["churn_pct"] is None
    assert got["engagement_rate"] is None  # audience 0


def test_missing_gauge_and_missing_operands():
    got = _one([_e("views", 500), _e("likes", 30), _e("unsubscribes", 4), _e("leads", 10)])
    for key in ("followers", "follower_growth", "follower_growth_pct", "churn_pct",
                "views_pct", "engagement_rate", "engagement_per_post"):  # fmt: skip
        assert got[key] is None, key
    assert got["qualified_share"] is None and got["conversion"] is None  # not logged ≠ 0 %
    assert got["posts_plan"] is None  # no plan given
    assert got["response_sla"] is None and got["response_p90"] is None


def test_audience_falls_back_to_the_value_before_the_period():
    got = _one([_e("followers", 2000, date(2026, 10, 20)), _e("views", 500), _e("comments", 20)])
    assert got["followers"] is None and got["follower_growth"] is None
    assert got["views_pct"] == 25.0  # 500 / 2000 × 100
    assert got["engagement_rate"] == 1.0  # likes and shares missing count as 0: 20 / 2000


def test_single_reply_is_its_own_p90_and_custom_metrics_count():
    webinars = Metric("webinars", MetricKind.COUNTER, 100, custom_name="Вебинары")
    wait = Metric("wait", MetricKind.DURATION, 1000, integer=False, custom_name="Ожидание")
    metrics = {**BUILTIN_METRICS, "webinars": webinars, "wait": wait}
    entries = [_e("response_time", 70), _e("webinars", 2), _e("webinars", 1, user=BORIS),
               _e("wait", 3), _e("wait", 9), _e("wait", 4, user=BORIS)]  # fmt: skip
    rep = compute_kpis(aggregate(entries, NOV, metrics), PeriodData(OCT), SETTINGS, metrics)
    assert rep.team["response_p90"].value == 70 and rep.team["response_median"].value == 70
    assert rep.team["response_sla"].value == 0.0  # 70 > 60: a real 0 %
    assert rep.team["webinars"].value == 3 and rep.people[BORIS]["webinars"].value == 1
    assert rep.team["wait"].value == 4  # median of 3, 4, 9
    assert rep.people[ANNA]["wait"].value == 6  # (3 + 9) / 2


def test_gauge_ties_without_ids_use_created_at():
    early = datetime(2026, 11, 5, 9, tzinfo=UTC)
    late = datetime(2026, 11, 5, 18, tzinfo=UTC)
    a = Entry(1, ANNA, "followers", 300, date(2026, 11, 5), created_at=late)
    b = Entry(1, BORIS, "followers", 200, date(2026, 11, 5), created_at=early)
    assert aggregate([a, b], NOV, BUILTIN_METRICS).gauge_last == {"followers": 300}
    assert aggregate([b, a], NOV, BUILTIN_METRICS).gauge_last == {"followers": 300}


def test_delta_pct_of_a_negative_previous_keeps_the_direction():
    assert KpiValue("follower_growth", 50, -100).delta_pct == 150  # (50 − (−100)) / 100
    assert KpiValue("x", 5, 0).delta_pct is None and KpiValue("x", 5, 0).delta == 5


# --- properties ---------------------------------------------------------------------------

_COUNTERS = [k for k, m in BUILTIN_METRICS.items() if m.kind is MetricKind.COUNTER]
_ANY = [*sorted(BUILTIN_METRICS), "unknown"]

entries_st = st.lists(
    st.builds(
        Entry,
        team_id=st.just(1),
        user_id=st.integers(1, 5),
        metric=st.sampled_from(_ANY),
        value=st.floats(0, 1e6, allow_nan=False),
        day=st.dates(date(2026, 10, 1), date(2026, 12, 31)),
        id=st.one_of(st.none(), st.integers(1, 50)),
    ),
    max_size=60,
)


@given(entries_st)
def test_per_person_sums_add_up_to_the_team(entries):
    data = aggregate(entries, NOV, BUILTIN_METRICS)
    rep = compute_kpis(data, PeriodData(OCT), SETTINGS, BUILTIN_METRICS)
    for key in [*_COUNTERS, "revenue"]:
        team = rep.team[key].value
        mine = [p[key].value for p in rep.people.values() if p[key].value is not None]
        assert (team is None) == (not mine)
        if team is not None:
            assert sum(mine) == pytest.approx(team, rel=1e-9, abs=1e-6)


@given(entries_st, st.randoms(use_true_random=False))
def test_aggregate_is_order_independent(entries, rnd: random.Random):
    shuffled = list(entries)
    rnd.shuffle(shuffled)
    assert aggregate(shuffled, NOV, BUILTIN_METRICS) == aggregate(entries, NOV, BUILTIN_METRICS)


@given(entries_st)
def test_team_values_are_the_reports_team_values(entries):
    """A digest's trend asks `team_values` for a few KPIs of each period: the same numbers
    as the team's column of a whole report."""
    data = aggregate(entries, NOV, BUILTIN_METRICS)
    rep = compute_kpis(data, PeriodData(OCT), SETTINGS, BUILTIN_METRICS)
    keys = list(all_kpis())
    assert team_values(data, SETTINGS, BUILTIN_METRICS, keys) == {
        k: rep.team[k].value for k in keys
    }


def test_a_persons_kpis_are_worked_out_once_and_only_when_read():
    asked: list[int] = []

    def values(user: int) -> dict[str, KpiValue]:
        asked.append(user)
        return {"leads": KpiValue("leads", float(user), None)}

    people = PeopleKpis([1, 2, 3], values)
    assert list(people) == [1, 2, 3] and len(people) == 3 and asked == []
    assert people[2]["leads"].value == 2 and people.get(2) is people[2] and asked == [2]
    assert people.get(9) is None and 9 not in people and asked == [2]
    assert dict(people) == {u: {"leads": KpiValue("leads", float(u), None)} for u in (1, 2, 3)}
    assert asked == [2, 1, 3]
