"""Targets against actuals: attainment, pace, forecast and status (SPEC §3)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from kpi.metrics import DERIVED_KPIS, KpiDef, KpiShape
from kpi.models import Direction, Period, Status, Target, TeamSettings
from kpi.periods import elapsed_share, working_days

ATTAINMENT_CAP = 999.0  # "≤" targets: an actual of 0 would be infinitely good


def target_in_force(
    targets: Iterable[Target], kpi: str, period: Period, user_id: int | None = None
) -> Target | None:
    """The target that judges `period`: set for its kind and this person (None = the team),
    valid from the period's start or earlier; the latest valid_from wins, then the larger id.

    So a change applies from the period it was made in, and past periods keep their target.
    """
    fits = [
        t
        for t in targets
        if t.kpi == kpi
        and t.period_kind == period.kind
        and t.user_id == user_id
        and t.valid_from <= period.start
    ]
    if not fits:
        return None
    return max(fits, key=lambda t: (t.valid_from, -1 if t.id is None else t.id))


@dataclass(frozen=True)
class TargetStatus:
    target: Target
    actual: float | None  # None only with Status.NO_DATA
    attainment_pct: float | None
    expected_now: float  # where the KPI should be by today on a straight-line pace
    forecast: float | None  # the value expected at the period's end
    elapsed_share: float  # 0.0..1.0 of the period's days, today counted
    remaining_workdays: int  # today counted; 0 once the period is over
    need_per_workday: float | None  # "≥" sums only: what each remaining workday must bring
    status: Status


def _is_sum(kpi: KpiDef) -> bool:
    # a counter/money metric's own KPI: derived cumulative ones (follower growth) are not sums
    return kpi.shape is KpiShape.CUMULATIVE and kpi.key not in DERIVED_KPIS


def attainment(target: float, actual: float, direction: Direction) -> float | None:
    """How much of the target is achieved, in %; None when a "≥" target is not positive."""
    if direction is Direction.AT_LEAST:
        return actual / target * 100 if target > 0 else None
    if actual <= 0:
        return ATTAINMENT_CAP
    return min(ATTAINMENT_CAP, max(0.0, target / actual * 100))


def _judge(value: float, target: float, direction: Direction, risk_pct: float) -> Status:
    if direction is Direction.AT_LEAST:
        if value >= target:
            return Status.ON_TRACK
        return Status.AT_RISK if value >= target * (1 - risk_pct / 100) else Status.OFF_TRACK
    if value <= target:
        return Status.ON_TRACK
    return Status.AT_RISK if value <= target * (1 + risk_pct / 100) else Status.OFF_TRACK


def evaluate(
    target: Target,
    actual: float | None,
    kpi: KpiDef,
    period: Period,
    today: date,
    settings: TeamSettings,
) -> TargetStatus:
    """Judge `actual` (the KPI's value so far in `period`) against `target` as of `today`."""
    cumulative = kpi.shape is KpiShape.CUMULATIVE
    if actual is None and _is_sum(kpi):
        actual = 0.0  # nothing logged yet means none done, not "no data"
    share = elapsed_share(period, today)
    goal, direction = target.value, target.direction
    expected = goal * share if cumulative else goal
    remaining = working_days(max(today, period.start), period.end, settings.workdays)
    if actual is None:
        return TargetStatus(
            target, None, None, expected, None, share, remaining, None, Status.NO_DATA
        )

    if not cumulative:
        forecast: float | None = actual  # gauges and ratios are not run-rated
    else:
        forecast = actual / share if share > 0 else None
    need = None
    if cumulative and direction is Direction.AT_LEAST and remaining > 0:
        need = max(0.0, goal - actual) / remaining

    if today >= period.end:  # over: the target was met or it was not
        met = _judge(actual, goal, direction, settings.risk_pct) is Status.ON_TRACK
        status = Status.MET if met else Status.MISSED
    elif cumulative and direction is Direction.AT_LEAST and actual >= goal:
        status = Status.ON_TRACK  # already met, however early in the period
    elif _is_sum(kpi) and direction is Direction.AT_MOST and actual > goal:
        status = Status.OFF_TRACK  # a "≤" sum already over its limit can only grow
    elif forecast is None or share < settings.min_elapsed_share:
        status = Status.TOO_EARLY
    else:
        status = _judge(forecast, goal, direction, settings.risk_pct)

    return TargetStatus(
        target=target,
        actual=actual,
        attainment_pct=attainment(goal, actual, direction),
        expected_now=expected,
        forecast=forecast,
        elapsed_share=share,
        remaining_workdays=remaining,
        need_per_workday=need,
        status=status,
    )
