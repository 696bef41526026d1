"""Plain data the KPI maths works on. No I/O, no clock: callers pass `today` explicitly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class MetricKind(StrEnum):
    COUNTER = "counter"  # whole events, summed
    GAUGE = "gauge"  # snapshot of a total (followers): last value wins
    DURATION = "duration"  # minutes, one value per event (reply time)
    MONEY = "money"  # team currency, summed


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    CUSTOM = "custom"


class Direction(StrEnum):
    AT_LEAST = ">="
    AT_MOST = "<="


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    TOO_EARLY = "too_early"  # too little of the period has passed to judge
    NO_DATA = "no_data"
    # A finished period is judged once, in two words (not "at risk" for a week that is over).
    MET = "met"
    MISSED = "missed"


@dataclass(frozen=True)
class Metric:
    key: str
    kind: MetricKind
    max_value: float  # larger single entries are rejected as typos
    integer: bool = True  # counters take whole numbers only
    custom_name: str | None = None  # set for team-defined metrics; built-ins are named in locales


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: date  # inclusive, in the team's time zone
    end: date  # exclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day < self.end


@dataclass(frozen=True)
class Entry:
    team_id: int
    user_id: int
    metric: str
    value: float
    day: date  # the local date the number belongs to
    platform: str | None = None
    note: str | None = None
    id: int | None = None
    created_at: datetime | None = None
    captured: str | None = None  # None: typed; else what the bot counted it from (SPEC §10)


@dataclass
class PeriodData:
    """Aggregates of one team's live entries over one period, as storage returns them."""

    period: Period
    # counter/money metric -> user_id -> sum of values
    sums: dict[str, dict[int, float]] = field(default_factory=dict)
    # duration metric -> user_id -> every value (minutes)
    durations: dict[str, dict[int, list[float]]] = field(default_factory=dict)
    # gauge metric -> last value logged inside the period (latest day, then latest entry)
    gauge_last: dict[str, float] = field(default_factory=dict)
    # gauge metric -> last value logged before period.start
    gauge_before: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    team_id: int
    kpi: str
    period_kind: PeriodKind
    value: float
    direction: Direction
    valid_from: date  # first day of the period it applies from
    user_id: int | None = None  # None: the team target
    id: int | None = None


@dataclass(frozen=True)
class TeamSettings:
    timezone: str = "Europe/Moscow"
    language: str = "ru"
    currency: str = "RUB"
    sla_minutes: float = 24 * 60
    risk_pct: float = 15.0  # within this % of the target: "at risk"
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # date.weekday(): Monday = 0
    min_elapsed_share: float = 0.15  # below this share of the period: "too early to judge"
