"""What compute_kpis gives: each KPI's value now and in the previous period, for the team
and for each person."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from kpi.models import Period


@dataclass(frozen=True)
class KpiValue:
    key: str
    value: float | None
    previous: float | None  # the same KPI over the previous period of the same length

    @property
    def delta(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def delta_pct(self) -> float | None:
        if self.value is None or self.previous is None or self.previous == 0:
            return None
        return (self.value - self.previous) / abs(self.previous) * 100


@dataclass
class KpiReport:
    period: Period
    previous_period: Period
    team: dict[str, KpiValue]
    people: Mapping[int, dict[str, KpiValue]]  # user_id -> per-person KPIs only


class PeopleKpis(Mapping[int, dict[str, KpiValue]]):
    """Each person's KPIs, worked out the first time that person is asked for. The team's
    /kpi reads a few people (those with personal targets), not 30 people's ~15 KPIs for two
    periods: two thirds of compute_kpis at bench_kpi's scale. Rankings read them all."""

    def __init__(self, ids: list[int], values: Callable[[int], dict[str, KpiValue]]) -> None:
        self._ids = ids
        self._known = set(ids)
        self._values = values
        self._done: dict[int, dict[str, KpiValue]] = {}

    def __getitem__(self, user_id: int) -> dict[str, KpiValue]:
        if user_id not in self._known:
            raise KeyError(user_id)
        found = self._done.get(user_id)
        if found is None:
            found = self._done[user_id] = self._values(user_id)
        return found

    def __iter__(self) -> Iterator[int]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __repr__(self) -> str:
        return repr(dict(self))
