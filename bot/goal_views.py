"""Target status as text: the block /kpi, /me, /targets and digests show first."""

from __future__ import annotations

from datetime import date

from bot import texts as fmt
from bot.goals import GoalLine
from bot.i18n import Html, Texts
from kpi.metrics import KpiDef, KpiShape
from kpi.models import Direction, Metric, Period, Status
from kpi.periods import elapsed_days

ICONS = {
    Status.ON_TRACK: "✅", Status.AT_RISK: "⚠️", Status.OFF_TRACK: "❌",
    Status.TOO_EARLY: "⏳", Status.NO_DATA: "▫️", Status.MET: "✅", Status.MISSED: "❌",
}  # fmt: skip


def status_word(status: Status, t: Texts) -> str:
    return t(f"status-{status.value.replace('_', '-')}")


def goal_line(
    line: GoalLine, t: Texts, currency: str, metrics: dict[str, Metric], names: dict[int, str]
) -> str:
    st, kpi = line.status, line.kpi
    name = fmt.metric_name(kpi.key, t, metrics)
    if line.person_id is not None:
        name = t("goal-person", person=names.get(line.person_id, str(line.person_id)), kpi=name)
    target = _value(st.target.value, kpi, t, currency)
    sign = "≤" if st.target.direction is Direction.AT_MOST else ""
    head = f"{ICONS[st.status]} {name}: "
    if st.status is Status.NO_DATA:
        return head + t("goal-no-data", target=Html(sign + target))
    actual = _value(st.actual, kpi, t, currency)
    parts = [t("goal-actual", actual=Html(actual), target=Html(sign + target))]
    if st.attainment_pct is not None:
        parts[0] += f" ({fmt.number(st.attainment_pct, t.lang, 0)}\u00a0%)"
    if st.status is Status.TOO_EARLY:
        parts.append(t("goal-too-early"))
        return head + " · ".join(parts)
    if kpi.shape is KpiShape.CUMULATIVE and st.elapsed_share < 1:
        if st.expected_now is not None:
            parts.append(t("goal-pace", pace=Html(_value(st.expected_now, kpi, t, currency))))
        if st.forecast is not None:
            parts.append(t("goal-forecast", forecast=Html(_value(st.forecast, kpi, t, currency))))
        if st.need_per_workday and st.remaining_workdays:
            need = _value(st.need_per_workday, kpi, t, currency)
            parts.append(t("goal-need", need=Html(need), days=st.remaining_workdays))
    parts.append(status_word(st.status, t))
    return head + " · ".join(parts)


def goals_block(
    lines: list[GoalLine],
    period: Period,
    today: date,
    t: Texts,
    currency: str,
    metrics: dict[str, Metric],
    names: dict[int, str],
) -> str:
    """«🎯 Цели · прошло 20 из 30 дн.» and a line per target; '' when there are none."""
    if not lines:
        return ""
    elapsed = elapsed_days(period, today)
    if elapsed >= period.days:
        head = t("goals-title-closed")
    else:
        head = t("goals-title", elapsed=elapsed, days=period.days)
    return "\n".join([head, *(goal_line(x, t, currency, metrics, names) for x in lines)])


def _value(value: float | None, kpi: KpiDef, t: Texts, currency: str) -> str:
    return fmt.kpi_value(value, kpi, t, currency)
