"""The metric catalog (SPEC §2) and the KPIs derived from it.

Keys are ASCII because Telegram commands allow only a-z0-9_. Names shown to people live in
bot/locales (metric-<key>, kpi-<key>); custom metrics carry the name their team gave them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from kpi.models import Direction, Metric, MetricKind

_C, _G, _D, _M = MetricKind.COUNTER, MetricKind.GAUGE, MetricKind.DURATION, MetricKind.MONEY

BUILTIN_METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric("leads", _C, 10_000),
        Metric("qualified_leads", _C, 10_000),
        Metric("posts", _C, 1_000),
        Metric("response_time", _D, 30 * 24 * 60, integer=False),  # minutes, up to 30 days
        Metric("followers", _G, 1_000_000_000),
        Metric("new_followers", _C, 10_000_000),  # joins (captured from the channel)
        Metric("unsubscribes", _C, 10_000_000),
        Metric("views", _C, 10_000_000_000),
        Metric("likes", _C, 100_000_000),
        Metric("comments", _C, 100_000_000),
        Metric("shares", _C, 100_000_000),
        Metric("sales", _C, 100_000),
        Metric("revenue", _M, 10_000_000_000, integer=False),
        Metric("site_visits", _C, 100_000_000),
        Metric("mentions", _C, 10_000_000),
        Metric("branded_searches", _C, 100_000_000),
        Metric("inbound_chats", _C, 100_000),  # new customer conversations (Business)
    )
}

# Aliases people type in /log (Russian and short forms) -> metric key.
METRIC_ALIASES: dict[str, str] = {
    "lead": "leads", "лиды": "leads", "лид": "leads", "обращения": "leads",
    "qlead": "qualified_leads", "qleads": "qualified_leads", "квал": "qualified_leads",
    "post": "posts", "публикации": "posts", "посты": "posts",
    "resp": "response_time", "ответ": "response_time",
    "подписчики": "followers", "subs": "followers",
    "отписки": "unsubscribes", "unsubs": "unsubscribes",
    "просмотры": "views", "охват": "views", "reach": "views",
    "лайки": "likes", "комментарии": "comments", "репосты": "shares",
    "sale": "sales", "продажи": "sales", "выручка": "revenue",
    "visits": "site_visits", "переходы": "site_visits",
    "упоминания": "mentions", "searches": "branded_searches",
}  # fmt: skip

PLATFORMS: frozenset[str] = frozenset(
    {"tg", "vk", "dzen", "inst", "ok", "yt", "tiktok", "rutube", "fb", "x", "web", "max"}
)

CUSTOM_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


class KpiShape(StrEnum):
    CUMULATIVE = "cumulative"  # grows through the period: forecast by run rate
    LEVEL = "level"  # a gauge or a ratio: forecast by its current value


class KpiUnit(StrEnum):
    COUNT = "count"
    PCT = "pct"
    MINUTES = "minutes"
    MONEY = "money"


@dataclass(frozen=True)
class KpiDef:
    key: str
    unit: KpiUnit
    shape: KpiShape
    direction: Direction = Direction.AT_LEAST
    per_person: bool = True


_CUM, _LVL = KpiShape.CUMULATIVE, KpiShape.LEVEL
_LE = Direction.AT_MOST

# Derived KPIs (SPEC §2). Every counter/money metric is also a KPI under its own key (its sum),
# and `followers` is a KPI (its last value, a level).
DERIVED_KPIS: dict[str, KpiDef] = {
    k.key: k
    for k in (
        KpiDef("follower_growth", KpiUnit.COUNT, _CUM, per_person=False),
        KpiDef("follower_growth_pct", KpiUnit.PCT, _CUM, per_person=False),
        KpiDef("churn_pct", KpiUnit.PCT, _LVL, _LE, per_person=False),
        KpiDef("views_pct", KpiUnit.PCT, _LVL, per_person=False),
        KpiDef("engagement_rate", KpiUnit.PCT, _LVL, per_person=False),
        KpiDef("engagement_per_post", KpiUnit.PCT, _LVL, per_person=False),
        KpiDef("qualified_share", KpiUnit.PCT, _LVL),
        KpiDef("posts_plan", KpiUnit.PCT, _LVL),
        KpiDef("response_sla", KpiUnit.PCT, _LVL),
        KpiDef("response_median", KpiUnit.MINUTES, _LVL, _LE),
        KpiDef("response_p90", KpiUnit.MINUTES, _LVL, _LE),
        KpiDef("conversion", KpiUnit.PCT, _LVL),
    )
}


def metric_kpi(metric: Metric) -> KpiDef:
    """The KPI a metric is on its own: its sum, or a gauge's last value."""
    if metric.kind is MetricKind.GAUGE:
        return KpiDef(metric.key, KpiUnit.COUNT, _LVL, per_person=False)
    if metric.kind is MetricKind.DURATION:
        # a duration's own KPI is its median: lower is better
        return KpiDef(metric.key, KpiUnit.MINUTES, _LVL, _LE)
    unit = KpiUnit.MONEY if metric.kind is MetricKind.MONEY else KpiUnit.COUNT
    direction = _LE if metric.key == "unsubscribes" else Direction.AT_LEAST
    return KpiDef(metric.key, unit, _CUM, direction)


def all_kpis(custom: dict[str, Metric] | None = None) -> dict[str, KpiDef]:
    """Every KPI a team can see or target: metric KPIs (built-in and custom), then derived ones."""
    metrics = {**BUILTIN_METRICS, **(custom or {})}
    out = {key: metric_kpi(m) for key, m in metrics.items() if key != "response_time"}
    out.update(DERIVED_KPIS)
    return out


def resolve_metric(word: str, custom: dict[str, Metric] | None = None) -> Metric | None:
    """A typed metric name (key, alias, any case) -> the metric, or None if unknown."""
    key = word.strip().lower()
    key = METRIC_ALIASES.get(key, key)
    if custom and key in custom:
        return custom[key]
    return BUILTIN_METRICS.get(key)
