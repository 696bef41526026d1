"""Arguments of /kpi: week|month|quarter|<from>..<to> and an optional @person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.parsing import ParseError, parse_day
from kpi.models import Period, PeriodKind
from kpi.periods import custom_period, period_containing

_KINDS = {
    "week": PeriodKind.WEEK, "неделя": PeriodKind.WEEK, "w": PeriodKind.WEEK,
    "month": PeriodKind.MONTH, "месяц": PeriodKind.MONTH, "m": PeriodKind.MONTH,
    "quarter": PeriodKind.QUARTER, "квартал": PeriodKind.QUARTER, "q": PeriodKind.QUARTER,
}  # fmt: skip
MAX_RANGE_DAYS = 3 * 366


@dataclass(frozen=True)
class KpiArgs:
    period: Period
    username: str | None = None


def parse_kpi_args(args: str | None, today: date, default: PeriodKind) -> KpiArgs:
    """Raises ParseError('kpi-args') for anything it does not understand."""
    period = period_containing(default, today)
    username = None
    for token in (args or "").split():
        lowered = token.lower()
        if token.startswith("@") and len(token) > 1 and username is None:
            username = token[1:]
        elif lowered in _KINDS:
            period = period_containing(_KINDS[lowered], today)
        elif ".." in token:
            period = _range(token, today)
        else:
            raise ParseError("kpi-args", token=token)
    return KpiArgs(period, username)


def _range(token: str, today: date) -> Period:
    first_text, _, last_text = token.partition("..")
    first = parse_day(first_text, today)
    last = parse_day(last_text, today) if last_text else today
    if first is None or last is None or last < first:
        raise ParseError("kpi-args", token=token)
    if (last - first).days > MAX_RANGE_DAYS:
        raise ParseError("kpi-args", token=token)
    return custom_period(first, last)
