"""Recording entries: parsed command -> committed rows -> running totals for the reply."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from bot.parsing import ParsedLog
from kpi.models import Metric, MetricKind, Period, PeriodKind
from kpi.periods import period_containing
from storage.records import SaveResult, Source
from storage.repository import Repository


@dataclass(frozen=True)
class Running:
    """Where one metric stands after the save, for the confirmation."""

    metric: Metric
    added: tuple[float, ...]
    team_total: float | None  # sum (counter/money), median (duration), None for gauges
    mine: float | None


@dataclass(frozen=True)
class Recorded:
    result: SaveResult
    period: Period
    running: tuple[Running, ...]


async def record(
    repo: Repository,
    team_id: int,
    user_id: int,
    parsed: ParsedLog,
    metrics: dict[str, Metric],
    now: datetime,
    source: Source | None,
) -> Recorded:
    """Commit the entries and read the totals the reply will show (in the same transaction:
    the reply is built only once it has committed)."""
    period = period_containing(PeriodKind.MONTH, parsed.day)
    touched = {i.metric: metrics[i.metric] for i in parsed.items}
    result, standing = await repo.entries.save_and_total(
        team_id, user_id, [(i.metric, i.value) for i in parsed.items], parsed.day, now,
        period=period, metrics=touched, platform=parsed.platform, note=parsed.note,
        source=source,
    )  # fmt: skip
    running = []
    for key, metric in touched.items():
        added = tuple(i.value for i in parsed.items if i.metric == key)
        if metric.kind is MetricKind.DURATION:
            per_user = standing.data.durations.get(key, {})
            values = [v for vs in per_user.values() for v in vs]
            mine = per_user.get(user_id, [])
            running.append(
                Running(
                    metric, added,
                    statistics.median(values) if values else None,
                    statistics.median(mine) if mine else None,
                )
            )  # fmt: skip
        elif metric.kind is MetricKind.GAUGE:
            running.append(Running(metric, added, None, None))
        else:
            team_sum, mine = standing.sums.get(key, (0.0, 0.0))
            running.append(Running(metric, added, team_sum, mine))
    return Recorded(result, period, tuple(running))
