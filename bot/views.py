"""Replies built from results: pure functions of data and Texts, no I/O."""

from __future__ import annotations

from datetime import date

from bot import texts as fmt
from bot.i18n import Html, Texts
from bot.logbook import Recorded
from bot.reports import TeamReport
from kpi.compute import KpiValue
from kpi.metrics import KpiDef, all_kpis
from kpi.models import Entry, Metric, MetricKind
from kpi.periods import previous_period


def value_text(metric: Metric, value: float, t: Texts, currency: str) -> str:
    if metric.kind is MetricKind.DURATION:
        return fmt.duration(value, t)
    if metric.kind is MetricKind.MONEY:
        return fmt.money(value, currency, t.lang)
    return fmt.number(value, t.lang)


def saved(rec: Recorded, t: Texts, currency: str, custom: dict[str, Metric], today: date) -> str:
    period = fmt.period_label(rec.period, t)
    lines = []
    for run in rec.running:
        name = fmt.metric_name(run.metric.key, t, custom)
        if run.metric.kind is MetricKind.GAUGE:
            shown = value_text(run.metric, run.added[-1], t, currency)
            lines.append(t("saved-line-gauge", name=name, value=shown))
        elif run.metric.kind is MetricKind.DURATION:
            values = ", ".join(fmt.duration(v, t) for v in run.added)
            median = fmt.duration(run.team_total, t) if run.team_total is not None else "—"
            lines.append(
                t("saved-line-resp", name=name, values=values, median=median, period=period)
            )
        else:
            added = value_text(run.metric, sum(run.added), t, currency)
            total = value_text(run.metric, run.team_total or 0, t, currency)
            line = t("saved-line", name=name, value=added, total=Html(total), period=period)
            if run.mine is not None and run.mine != run.team_total:
                mine = value_text(run.metric, run.mine, t, currency)
                line += " " + t("saved-mine", mine=mine)
            lines.append(line)
    entry = rec.result.entries[0] if rec.result.entries else None
    if entry is not None:
        if entry.day != today:
            lines.append(t("saved-day", day=fmt.short_date(entry.day, t.lang)))
        if entry.platform:
            lines.append(t("saved-platform", platform=entry.platform))
        if entry.note:
            lines.append(t("saved-note", note=entry.note))
    return t("saved", lines=Html("\n".join(lines)))


def entry_short(
    entry: Entry, t: Texts, currency: str, metrics: dict[str, Metric], *, plain: bool = False
) -> str:
    """«20 ноя · Лиды 3»; `plain` for a button label (a custom name stays `<3`, not `&lt;3`)."""
    metric = metrics.get(entry.metric)
    value = value_text(metric, entry.value, t, currency) if metric else str(entry.value)
    name = fmt.metric_name(entry.metric, t, metrics)
    format_ = t.plain if plain else t
    return format_("entry-short", day=fmt.short_date(entry.day, t.lang), name=name, value=value)


def report(
    tr: TeamReport,
    t: Texts,
    *,
    person_id: int | None = None,
    person_name: str | None = None,
    status_block: str = "",
) -> str:
    """The /kpi and /me text: status block (if any), metric totals, then derived KPIs."""
    rep = tr.report
    period = fmt.period_label(rep.period, t)
    if person_id is None:
        title = t("kpi-title", team=tr.team.title or "—", period=period)
        values = rep.team
    else:
        title = t("kpi-person-title", person=person_name or "—", period=period)
        values = rep.people.get(person_id, {})
    kpis = all_kpis({k: m for k, m in tr.metrics.items() if m.custom_name})
    currency = tr.team.settings.currency
    metric_lines, derived_lines = [], []
    for key, value in values.items():
        if value.value is None and value.previous is None:
            continue
        line = _kpi_line(value, kpis[key], t, currency, tr.metrics)
        (metric_lines if key in tr.metrics else derived_lines).append(line)
    if not metric_lines and not derived_lines:
        return "\n".join(x for x in (title, status_block, t("kpi-empty", period=period)) if x)
    parts = [title]
    if status_block:
        parts += ["", status_block]
    parts += ["", *metric_lines]
    if derived_lines:
        parts += ["", t("kpi-derived"), *derived_lines]
    previous = fmt.period_label(previous_period(rep.period), t)
    parts += ["", t("kpi-compare", previous=previous)]
    return "\n".join(parts)


def _kpi_line(
    value: KpiValue, kpi: KpiDef, t: Texts, currency: str, metrics: dict[str, Metric]
) -> str:
    shown = fmt.kpi_value(value.value, kpi, t, currency)
    delta = fmt.delta(value.value, value.previous, kpi, t, currency)
    name = fmt.metric_name(value.key, t, metrics)
    return t("kpi-line", name=name, value=shown, delta=Html(delta)).rstrip()
