"""Entries -> KPI values for a period, the team and each person, with dynamics (SPEC §2).

`None` everywhere means "no data": an empty period, a missing gauge, a zero denominator or a
missing operand. It is never turned into 0 %: a zero shown to a manager must be a real zero.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Callable, Iterable
from datetime import UTC, date

from kpi.metrics import BUILTIN_METRICS, KpiDef, all_kpis
from kpi.models import Direction, Entry, Metric, MetricKind, Period, PeriodData, TeamSettings
from kpi.report import KpiReport, KpiValue, PeopleKpis

_SUMMED = (MetricKind.COUNTER, MetricKind.MONEY)


def _gauge_order(e: Entry) -> tuple[date, int, float, float]:
    """Latest day, then larger id, then later created_at; the value only makes ties
    deterministic. Missing id/created_at sort before present ones so a stored entry wins."""
    created = e.created_at
    if created is None:
        stamp = -math.inf
    else:  # a naive stamp is taken as UTC, never as the machine's local time
        stamp = (created if created.tzinfo else created.replace(tzinfo=UTC)).timestamp()
    return (e.day, -1 if e.id is None else e.id, stamp, e.value)


def aggregate(entries: Iterable[Entry], period: Period, metrics: dict[str, Metric]) -> PeriodData:
    """What storage's SQL returns for `period`: the reference implementation, in plain Python.

    Sums use math.fsum so the result does not depend on the entries' order; duration values
    come sorted for the same reason.
    """
    summed: dict[str, dict[int, list[float]]] = {}
    timed: dict[str, dict[int, list[float]]] = {}
    last: dict[str, Entry] = {}
    before: dict[str, Entry] = {}
    for e in entries:
        metric = metrics.get(e.metric)
        if metric is None:
            continue
        if metric.kind is MetricKind.GAUGE:
            if e.day < period.start:
                slot = before
            elif e.day in period:
                slot = last
            else:
                continue
            if e.metric not in slot or _gauge_order(e) > _gauge_order(slot[e.metric]):
                slot[e.metric] = e
        elif e.day in period:
            into = summed if metric.kind in _SUMMED else timed
            into.setdefault(e.metric, {}).setdefault(e.user_id, []).append(e.value)
    return PeriodData(
        period,
        sums={k: {u: math.fsum(v) for u, v in by.items()} for k, by in summed.items()},
        durations={k: {u: sorted(v) for u, v in by.items()} for k, by in timed.items()},
        gauge_last={k: e.value for k, e in last.items()},
        gauge_before={k: e.value for k, e in before.items()},
    )


class _View:
    """One slice of PeriodData: the whole team, or one person (who has no gauges). Each sum
    and each sorted list of durations is worked out once: a report asks for the same ones
    again and again (leads for leads, conversion and qualified share; response times for
    their median, p90 and SLA), and the team's durations are every member's."""

    __slots__ = ("_durations", "_sums", "data", "user_id")

    def __init__(self, data: PeriodData, user_id: int | None = None) -> None:
        self.data = data
        self.user_id = user_id
        self._sums: dict[str, float | None] = {}
        self._durations: dict[str, list[float]] = {}

    def sum(self, key: str) -> float | None:
        if key in self._sums:
            return self._sums[key]
        by_user = self.data.sums.get(key) or {}
        if self.user_id is None:
            total = math.fsum(by_user.values()) if by_user else None
        else:
            total = by_user.get(self.user_id)
        self._sums[key] = total
        return total

    def durations(self, key: str) -> list[float]:
        """Sorted; shared between callers, so not to be changed."""
        found = self._durations.get(key)
        if found is None:
            by_user = self.data.durations.get(key) or {}
            if self.user_id is None:
                found = sorted(v for values in by_user.values() for v in values)
            else:
                found = sorted(by_user.get(self.user_id, []))
            self._durations[key] = found
        return found

    def gauge_last(self, key: str) -> float | None:
        return self.data.gauge_last.get(key) if self.user_id is None else None

    def gauge_before(self, key: str) -> float | None:
        return self.data.gauge_before.get(key) if self.user_id is None else None


def _pct(part: float | None, whole: float | None) -> float | None:
    if part is None or whole is None or whole == 0:
        return None
    return part / whole * 100


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _p90(values: list[float]) -> float | None:
    if len(values) < 2:
        return values[0] if values else None
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def _sla(values: list[float], limit: float) -> float | None:
    """The share within `limit`; `values` are sorted (_View.durations)."""
    if not values:
        return None
    return bisect.bisect_right(values, limit) / len(values) * 100


def _engagement(v: _View) -> float | None:
    # a team may log only likes: the missing kinds count as 0, but nothing at all is no data
    parts = [x for x in (v.sum("likes"), v.sum("comments"), v.sum("shares")) if x is not None]
    return math.fsum(parts) if parts else None


def _growth(v: _View) -> float | None:
    last, before = v.gauge_last("followers"), v.gauge_before("followers")
    return None if last is None or before is None else last - before


def _audience(v: _View) -> float | None:
    last = v.gauge_last("followers")
    return last if last is not None else v.gauge_before("followers")


def _per_post(v: _View) -> float | None:
    engaged, posts = _engagement(v), v.sum("posts")
    if engaged is None or posts is None or posts == 0:
        return None
    return _pct(engaged / posts, _audience(v))


_Formula = Callable[[_View, TeamSettings, dict[str, float]], float | None]

_DERIVED: dict[str, _Formula] = {
    "follower_growth": lambda v, s, p: _growth(v),
    "follower_growth_pct": lambda v, s, p: _pct(_growth(v), v.gauge_before("followers")),
    "churn_pct": lambda v, s, p: _pct(v.sum("unsubscribes"), v.gauge_before("followers")),
    "views_pct": lambda v, s, p: _pct(v.sum("views"), _audience(v)),
    "engagement_rate": lambda v, s, p: _pct(_engagement(v), _audience(v)),
    "engagement_per_post": lambda v, s, p: _per_post(v),
    "qualified_share": lambda v, s, p: _pct(v.sum("qualified_leads"), v.sum("leads")),
    "posts_plan": lambda v, s, p: _pct(v.sum("posts"), p.get("posts")),
    "response_sla": lambda v, s, p: _sla(v.durations("response_time"), s.sla_minutes),
    "response_median": lambda v, s, p: _median(v.durations("response_time")),
    "response_p90": lambda v, s, p: _p90(v.durations("response_time")),
    "conversion": lambda v, s, p: _pct(v.sum("sales"), v.sum("leads")),
}


def _value(
    key: str,
    view: _View,
    settings: TeamSettings,
    plans: dict[str, float],
    catalog: dict[str, Metric],
) -> float | None:
    formula = _DERIVED.get(key)
    if formula is not None:
        return formula(view, settings, plans)
    metric = catalog.get(key)
    if metric is None:
        return None
    if metric.kind is MetricKind.GAUGE:
        return view.gauge_last(key)
    if metric.kind is MetricKind.DURATION:
        return _median(view.durations(key))
    return view.sum(key)


def _people(data: PeriodData) -> set[int]:
    by_metric = [*data.sums.values(), *data.durations.values()]
    return {user for by_user in by_metric for user in by_user}


def compute_kpis(
    current: PeriodData,
    previous: PeriodData,
    settings: TeamSettings,
    metrics: dict[str, Metric],
    plans: dict[str, float] | None = None,
) -> KpiReport:
    """Every KPI for the team (in `all_kpis` order) and the per-person ones for each person
    who logged anything in either period, each with its value for the previous period; a
    person's are worked out when first read (PeopleKpis).

    `plans` holds planned counts (e.g. {"posts": 40}); a person's posts_plan is their share of
    the team's plan, and the previous period is measured against the same plan.
    """
    custom, catalog = _catalog(metrics)
    kpis: dict[str, KpiDef] = all_kpis(custom)
    plan = {k: v for k, v in (plans or {}).items() if v > 0}

    def values(user_id: int | None, keys: Iterable[str]) -> dict[str, KpiValue]:
        now, before = _View(current, user_id), _View(previous, user_id)
        return {
            k: KpiValue(
                k,
                _value(k, now, settings, plan, catalog),
                _value(k, before, settings, plan, catalog),
            )
            for k in keys
        }

    personal = [k for k, d in kpis.items() if d.per_person]
    people = sorted(_people(current) | _people(previous))
    return KpiReport(
        period=current.period,
        previous_period=previous.period,
        team=values(None, kpis),
        people=PeopleKpis(people, lambda user: values(user, personal)),
    )


def team_values(
    data: PeriodData, settings: TeamSettings, metrics: dict[str, Metric], keys: Iterable[str]
) -> dict[str, float | None]:
    """The team's value of each of `keys` for one period: what a trend chart plots, without
    the previous period and the people that `compute_kpis` works out too."""
    view, catalog = _View(data), _catalog(metrics)[1]
    return {k: _value(k, view, settings, {}, catalog) for k in keys}


def _catalog(metrics: dict[str, Metric]) -> tuple[dict[str, Metric], dict[str, Metric]]:
    """The team's custom metrics, and every metric a KPI may name (built-in first)."""
    custom = {k: m for k, m in metrics.items() if k not in BUILTIN_METRICS}
    return custom, {**BUILTIN_METRICS, **custom}


def rank(report: KpiReport, kpi: str, direction: Direction) -> list[tuple[int, float]]:
    """People with a value for `kpi` this period, best first; ties by user id (stable /top)."""
    scored = [
        (user, kv.value)
        for user, by_kpi in report.people.items()
        if (kv := by_kpi.get(kpi)) is not None and kv.value is not None
    ]
    sign = -1 if direction is Direction.AT_LEAST else 1
    return sorted(scored, key=lambda item: (sign * item[1], item[0]))
