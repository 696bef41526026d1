"""Pure formatting: numbers, dates, periods and KPI values as people read them.

Words come from the locale files through `Texts`; this module only arranges them.
"""

from __future__ import annotations

import html
from datetime import date
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, get_currency_symbol, parse_pattern

from bot.i18n import Html, Texts
from kpi.metrics import KpiDef, KpiUnit
from kpi.models import Metric, Period, PeriodKind


@lru_cache(maxsize=32)
def _pattern(decimals: int) -> NumberPattern:
    # Parsing the pattern is most of format_decimal's cost; /kpi formats hundreds of numbers.
    return parse_pattern("#,##0" + ("." + "#" * decimals if decimals else ""))


@lru_cache(maxsize=8)
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


@lru_cache(maxsize=4096)  # every confirmation formats a few; Babel takes ~13 us a number
def number(value: float, lang: str, decimals: int = 1) -> str:
    """12 500 / 1,5 in Russian, 12,500 / 1.5 in English."""
    return _pattern(decimals).apply(round(value, decimals), _locale(lang))


def signed(value: float, lang: str, decimals: int = 1) -> str:
    text = number(abs(value), lang, decimals)
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def duration(minutes: float, t: Texts) -> str:
    whole = round(minutes)
    if whole < 60:
        return t("dur-m", m=number(minutes, t.lang))
    hours, mins = divmod(whole, 60)
    if hours >= 48 and not mins:
        return t("dur-d", d=number(hours / 24, t.lang))
    return t("dur-hm", h=hours, m=mins) if mins else t("dur-h", h=hours)


def money(value: float, currency: str, lang: str) -> str:
    return f"{number(value, lang, 0)}\u00a0{get_currency_symbol(currency, locale=lang)}"


def short_date(day: date, lang: str) -> str:
    return format_date(day, "d MMM", locale=lang).rstrip(".")


@lru_cache(maxsize=64)
def _month_label(first: date, lang: str) -> str:
    # Every confirmation names the month; Babel's date formatting is ~0.1 ms a call.
    return format_date(first, "LLLL yyyy", locale=lang)


def period_label(period: Period, t: Texts) -> str:
    """«ноябрь 2026», «неделя 16 нояб – 22 нояб», «4 квартал 2026», «1 нояб – 15 нояб»."""
    lang = t.lang
    last = date.fromordinal(period.end.toordinal() - 1)
    if period.kind is PeriodKind.MONTH:
        return _month_label(period.start, lang)
    if period.kind is PeriodKind.QUARTER:
        # The year as text: Fluent groups a number's thousands («2 026»).
        quarter = (period.start.month - 1) // 3 + 1
        return t("period-quarter", q=quarter, year=str(period.start.year))
    span = f"{short_date(period.start, lang)} – {short_date(last, lang)}"
    if period.kind is PeriodKind.WEEK:
        return t("period-week", span=span)
    return span


def metric_name(key: str, t: Texts, custom: dict[str, Metric] | None = None) -> Html:
    """A metric's or KPI's name in the reader's language, as message HTML (a custom name is
    the team's own text: escaped here, so a view may place it anywhere in a message)."""
    if custom and key in custom and custom[key].custom_name:
        return Html(html.escape(custom[key].custom_name or key, quote=False))
    for prefix in ("metric-", "kpi-"):
        if t.has(prefix + key):
            return t(prefix + key)
    return Html(key)  # a key is [a-z0-9_]


def metric_label(key: str, t: Texts, custom: dict[str, Metric] | None = None) -> str:
    """The same name for a plain-text place: a chart, a button."""
    return html.unescape(metric_name(key, t, custom))


def kpi_value(value: float | None, kpi: KpiDef, t: Texts, currency: str = "RUB") -> str:
    """A KPI value with its unit; None is «нет данных», never 0."""
    if value is None:
        return t("no-data")
    if kpi.unit is KpiUnit.PCT:
        return f"{number(value, t.lang)}\u00a0%"
    if kpi.unit is KpiUnit.MINUTES:
        return duration(value, t)
    if kpi.unit is KpiUnit.MONEY:
        return money(value, currency, t.lang)
    return number(value, t.lang)


def delta(
    current: float | None, previous: float | None, kpi: KpiDef, t: Texts, currency: str = "RUB"
) -> str:
    """«▲ +8 (+24 %)» against the previous period, or '' when there is nothing to compare."""
    if current is None or previous is None:
        return ""
    diff = current - previous
    if round(diff, 1) == 0:  # «▼ −0» would be noise
        diff = 0.0
    arrow = "▲" if diff > 0 else "▼" if diff < 0 else "="
    if kpi.unit is KpiUnit.PCT:
        return t("delta-pp", arrow=arrow, diff=signed(diff, t.lang))
    if kpi.unit is KpiUnit.MINUTES:
        shown = ("+" if diff > 0 else "−" if diff < 0 else "±") + duration(abs(diff), t)
    elif kpi.unit is KpiUnit.MONEY:
        shown = ("+" if diff > 0 else "−" if diff < 0 else "±") + money(abs(diff), currency, t.lang)
    else:
        shown = signed(diff, t.lang)
    if previous == 0:
        return t("delta-abs", arrow=arrow, diff=shown)
    return t("delta", arrow=arrow, diff=shown, pct=signed(diff / abs(previous) * 100, t.lang, 0))
