"""Targets as the bot uses them: which are in force for a report, and how each stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.parsing import ParseError, parse_duration_tokens, parse_number
from bot.reports import TeamReport
from kpi.metrics import METRIC_ALIASES, KpiDef, KpiUnit, all_kpis
from kpi.models import Metric, PeriodKind, Target
from kpi.targets import TargetStatus, evaluate, target_in_force

# Short names people type in /target for derived KPIs.
KPI_ALIASES = {
    "response_time": "response_median", "resp": "response_median", "ответ": "response_median",
    "median": "response_median", "p90": "response_p90", "sla": "response_sla",
    "churn": "churn_pct", "отток": "churn_pct", "er": "engagement_rate",
    "growth": "follower_growth", "прирост": "follower_growth", "cr": "conversion",
    "конверсия": "conversion", "qshare": "qualified_share",
}  # fmt: skip
TARGET_KINDS = {
    "week": PeriodKind.WEEK, "неделя": PeriodKind.WEEK,
    "month": PeriodKind.MONTH, "месяц": PeriodKind.MONTH,
    "quarter": PeriodKind.QUARTER, "квартал": PeriodKind.QUARTER,
}  # fmt: skip


@dataclass(frozen=True)
class GoalLine:
    status: TargetStatus
    kpi: KpiDef
    person_id: int | None = None


def resolve_kpi(word: str, custom: dict[str, Metric]) -> tuple[str, KpiDef] | None:
    key = word.strip().lower()
    key = KPI_ALIASES.get(key, METRIC_ALIASES.get(key, key))
    kpis = all_kpis(custom)
    return (key, kpis[key]) if key in kpis else None


def parse_target_value(token: str, kpi: KpiDef) -> float:
    """A target value: a duration for time KPIs (`1h`), a percentage may carry `%`."""
    if kpi.unit is KpiUnit.MINUTES:
        values = parse_duration_tokens([token])
        if len(values) != 1:
            raise ParseError("target-value", value=token)
        value = values[0]
    else:
        value = parse_number(token.rstrip("%").strip())
    if not value > 0:
        raise ParseError("target-value", value=token)
    return value


def goal_lines(tr: TeamReport, targets: list[Target], today: date) -> list[GoalLine]:
    """Every target in force for the report's period: the team's, then each person's."""
    rep = tr.report
    if rep.period.kind is PeriodKind.CUSTOM:
        return []
    custom = {k: m for k, m in tr.metrics.items() if m.custom_name}
    kpis = all_kpis(custom)
    lines: list[GoalLine] = []
    keys = list(dict.fromkeys(t.kpi for t in targets if t.period_kind is rep.period.kind))
    for key in keys:
        kpi = kpis.get(key)
        if kpi is None:
            continue
        team_target = target_in_force(targets, key, rep.period)
        if team_target is not None:
            actual = rep.team.get(key)
            status = evaluate(
                team_target, actual.value if actual else None, kpi, rep.period, today,
                tr.team.settings,
            )  # fmt: skip
            lines.append(GoalLine(status, kpi))
        people = sorted({t.user_id for t in targets if t.kpi == key and t.user_id is not None})
        for person_id in people:
            target = target_in_force(targets, key, rep.period, person_id)
            if target is None:
                continue
            actual = rep.people.get(person_id, {}).get(key)
            status = evaluate(
                target, actual.value if actual else None, kpi, rep.period, today,
                tr.team.settings,
            )  # fmt: skip
            lines.append(GoalLine(status, kpi, person_id))
    return lines
