"""Plain functions the handlers call: a team's KPI report for a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kpi.compute import KpiReport, compute_kpis
from kpi.metrics import BUILTIN_METRICS
from kpi.models import Metric, Period
from kpi.periods import previous_period
from storage.records import Team
from storage.repository import Repository


@dataclass(frozen=True)
class TeamReport:
    team: Team
    metrics: dict[str, Metric]
    report: KpiReport
    today: date


async def team_metrics(repo: Repository, team_id: int) -> dict[str, Metric]:
    """Built-in metrics plus the team's custom ones."""
    return {**BUILTIN_METRICS, **await repo.targets.metrics(team_id)}


async def build_report(repo: Repository, team: Team, period: Period, today: date) -> TeamReport:
    metrics = await team_metrics(repo, team.id)
    current = await repo.entries.period_data(team.id, period, metrics)
    previous = await repo.entries.period_data(team.id, previous_period(period), metrics)
    report = compute_kpis(current, previous, team.settings, metrics)
    return TeamReport(team, metrics, report, today)
