"""A digest: the period's text (targets, numbers, leaders, who logged nothing) and charts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from babel.dates import format_date
from babel.numbers import get_decimal_symbol

from bot import texts as fmt
from bot.capture.subscribers import sources_block
from bot.goal_views import goals_block
from bot.goals import GoalLine, goal_lines
from bot.i18n import Texts
from bot.reports import TeamReport, build_report
from bot.views import report
from kpi.compute import rank, team_values
from kpi.metrics import KpiDef, KpiUnit, all_kpis
from kpi.models import Direction, Period, PeriodKind, Status, Target
from kpi.periods import periods_back
from kpi.targets import target_in_force
from storage.records import Team
from storage.repository import Repository

T = TypeVar("T")
TREND_KPIS = ("leads", "posts", "response_sla", "engagement_rate")
PEOPLE_KPIS = ("leads", "posts", "response_sla")
TREND_LENGTH = {PeriodKind.WEEK: 8, PeriodKind.MONTH: 6, PeriodKind.QUARTER: 4}
LEADERS = 3


class ChartRenderer:
    """Renders charts one job at a time, in one worker thread, off the event loop.

    Measured outside aiogram: one render at a time keeps RSS flat over hundreds of digests,
    four at once grew it by ~75 MiB (each render holds a ~7 MB Agg buffer, and matplotlib
    keeps FreeType fonts per thread). A digest's three charts take ~40 ms against its
    133 ms slot at Telegram's 30 messages/s, so one worker keeps pace with every delivery
    lane. Shared by the scheduled digests and /report; created by `create_dispatcher`.
    """

    def __init__(self) -> None:
        self._pool: ThreadPoolExecutor | None = None  # started by the first job
        self.warm = False  # this thread has loaded matplotlib and drawn (see `warm_up`)

    async def run(self, job: Callable[..., T], *args: object) -> T:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="charts")
        return await asyncio.get_running_loop().run_in_executor(self._pool, job, *args)

    async def warm_up(self) -> None:
        """Load matplotlib and draw once in the worker, unless done already. The scheduler
        calls it minutes before digests are due: the import and a first, cold drawing take
        0.5-2 s (bench/bench_digests.py), which the first digest would otherwise wait for
        and the whole fan-out would start late by. Memory is loaded when it would be anyway."""
        if not self.warm:
            await self.run(_warm_up)
            self.warm = True

    def close(self) -> None:
        """Lets the thread end; a later job starts a new one (a restarted dispatcher)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
            self.warm = False  # matplotlib keeps fonts per thread: a new one starts cold


@dataclass(frozen=True)
class Digest:
    period: Period
    text: str
    charts: tuple[tuple[str, bytes], ...]  # (file name, PNG)


@dataclass(frozen=True)
class _Trend:
    labels: list[str]
    series: list[tuple[str, list[float | None], float | None]]  # kpi, values, target


async def build_digest(
    repo: Repository,
    team: Team,
    period: Period,
    today: date,
    t: Texts,
    charts: ChartRenderer,
) -> Digest:
    """Everything read from the database first; then the charts, by the bot's one renderer."""
    built = await build_report(repo, team, period, today)
    targets = await repo.targets.all(team.id)
    lines = goal_lines(built, targets, today)
    people = {p.id: p.display for p in await repo.teams.people(team.id, active_only=False)}
    people |= {c.id: c.display for c in await repo.capture.channels(team.id)}  # for the team
    silent = await repo.teams.silent_members(team.id, period.start, period.end)
    trend = await _trend(repo, built, targets, t)
    text = _text(built, lines, people, [p.display for p in silent], today, t)
    if sources := await sources_block(repo, team.id, period, t):  # captured from the channel
        text += "\n\n" + sources
    pngs = await charts.run(_render, built, lines, people, trend, t)
    return Digest(period, text, pngs)


async def _trend(repo: Repository, built: TeamReport, targets: list[Target], t: Texts) -> _Trend:
    last_day = built.report.period.end - timedelta(days=1)
    periods = periods_back(
        built.report.period.kind, last_day, TREND_LENGTH[built.report.period.kind]
    )
    settings, metrics = built.team.settings, built.metrics
    reports = [
        team_values(data, settings, metrics, TREND_KPIS)
        for data in await repo.entries.periods_data(built.team.id, periods, metrics)
    ]
    labels = [_axis_label(p, t) for p in periods]
    series = []
    for key in TREND_KPIS:
        values = [r[key] for r in reports]
        target = target_in_force(targets, key, built.report.period)
        series.append((key, values, target.value if target else None))
    return _Trend(labels, series)


def _axis_label(period: Period, t: Texts) -> str:
    if period.kind is PeriodKind.MONTH:
        return format_date(period.start, "LLL yy", locale=t.lang).replace(".", "")
    if period.kind is PeriodKind.QUARTER:
        return f"Q{(period.start.month - 1) // 3 + 1} {period.start.year % 100:02d}"
    return fmt.short_date(period.start, t.lang)


def _text(
    built: TeamReport,
    lines: list[GoalLine],
    people: dict[int, str],
    silent: list[str],
    today: date,
    t: Texts,
) -> str:
    currency = built.team.settings.currency
    block = goals_block(lines, built.report.period, today, t, currency, built.metrics, people)
    body = report(built, t, status_block=block)
    parts = [t("digest-title", period=fmt.period_label(built.report.period, t)), body]
    leaders = rank(built.report, "leads", Direction.AT_LEAST)[:LEADERS]
    if leaders:
        names = ", ".join(
            f"{people.get(uid, '?')} — {fmt.number(v, t.lang, 0)}" for uid, v in leaders
        )
        parts.append(t("digest-leaders", leaders=names))
    parts.append(t("digest-silent", people=", ".join(silent)) if silent else t("digest-all-in"))
    return "\n\n".join(parts)


def _warm_up() -> None:
    from kpi.charts import warm_up  # here, as in _render: loads matplotlib

    warm_up()


def _render(
    built: TeamReport,
    lines: list[GoalLine],
    people: dict[int, str],
    trend: _Trend,
    t: Texts,
) -> tuple[tuple[str, bytes], ...]:
    # Here, not at the top: matplotlib and numpy (~31 MiB) load on the first chart drawn,
    # so a bot that has not rendered one idles without them.
    from kpi.charts import (
        AttainmentBar,
        PeopleGroup,
        TrendSeries,
        attainment_chart,
        people_chart,
        trend_chart,
    )

    custom = {k: m for k, m in built.metrics.items() if m.custom_name}
    kpis = all_kpis(custom)
    currency = built.team.settings.currency
    no_data = t("no-data")
    charts = []
    team_lines = [x for x in lines if x.person_id is None]
    if team_lines:
        bars = [
            AttainmentBar(
                label=fmt.metric_label(x.kpi.key, t, built.metrics),
                pct=x.status.attainment_pct,
                status=x.status.status,
                caption=_caption(x, t, currency),
            )
            for x in team_lines
        ]
        legend = {s: t(f"status-{s.value.replace('_', '-')}") for s in Status}
        png = attainment_chart(bars, title=t("chart-attainment"), no_data=no_data, legend=legend)
        charts.append(("attainment.png", png))
    series = [
        TrendSeries(fmt.metric_label(key, t, built.metrics), values, target, _unit(kpis[key], t))
        for key, values, target in trend.series
    ]
    title = t("chart-trend", period=fmt.period_label(built.report.period, t))
    decimal = get_decimal_symbol(t.lang)  # "98,5 %" in Russian
    png = trend_chart(
        trend.labels, series, title=title, no_data=no_data, target_label=t("chart-target"),
        decimal=decimal,
    )  # fmt: skip
    charts.append(("trend.png", png))
    ids = sorted(built.report.people, key=lambda uid: people.get(uid, ""))
    if ids:
        groups = [
            PeopleGroup(
                fmt.metric_label(key, t, built.metrics),
                [_person_value(built, uid, key) for uid in ids],
                _unit(kpis[key], t),
            )
            for key in PEOPLE_KPIS
        ]
        names = [people.get(uid, str(uid)) for uid in ids]
        png = people_chart(names, groups, title=t("chart-people"), no_data=no_data, decimal=decimal)
        charts.append(("people.png", png))
    return tuple(charts)


def _person_value(built: TeamReport, user_id: int, key: str) -> float | None:
    value = built.report.people.get(user_id, {}).get(key)
    return value.value if value else None


def _caption(line: GoalLine, t: Texts, currency: str) -> str:
    st = line.status
    actual = fmt.kpi_value(st.actual, line.kpi, t, currency)
    target = fmt.kpi_value(st.target.value, line.kpi, t, currency)
    return f"{actual} / {target}"


def _unit(kpi: KpiDef, t: Texts) -> str:
    return {KpiUnit.PCT: "%", KpiUnit.MINUTES: t("unit-minutes")}.get(kpi.unit, "")
