"""Targets (kept as history) and a team's custom metrics."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from kpi.models import Direction, Metric, MetricKind, PeriodKind, Target
from storage.db import Database
from storage.records import parse_day, utc_iso

# Custom metrics accept generous ranges: the team knows its own scale.
_CUSTOM_MAX = {
    MetricKind.COUNTER: 1e9, MetricKind.GAUGE: 1e12,
    MetricKind.DURATION: 30 * 24 * 60, MetricKind.MONEY: 1e12,
}  # fmt: skip


def _target(row: aiosqlite.Row) -> Target:
    return Target(
        team_id=row["team_id"], kpi=row["kpi"], period_kind=PeriodKind(row["period_kind"]),
        value=row["value"], direction=Direction(row["direction"]),
        valid_from=parse_day(row["valid_from"]), user_id=row["user_id"], id=row["id"],
    )  # fmt: skip


def custom_metric(key: str, kind: MetricKind, name: str) -> Metric:
    return Metric(
        key, kind, _CUSTOM_MAX[kind], integer=kind is MetricKind.COUNTER, custom_name=name
    )


class TargetRepo:
    def __init__(self, db: Database):
        self._db = db
        self._metrics: dict[int, dict[str, Metric]] = {}  # custom metrics by team (see metrics)

    async def add(self, target: Target, by_user: int, now: datetime) -> Target:
        """A new target row; it applies from target.valid_from on, older rows stay as history."""
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO targets (team_id, kpi, period_kind, value, direction, user_id,"
                " valid_from, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    target.team_id, target.kpi, target.period_kind.value, target.value,
                    target.direction.value, target.user_id, target.valid_from.isoformat(),
                    utc_iso(now), by_user,
                ),
            )  # fmt: skip
        return Target(
            target.team_id, target.kpi, target.period_kind, target.value, target.direction,
            target.valid_from, target.user_id, cur.lastrowid,
        )  # fmt: skip

    async def all(self, team_id: int) -> list[Target]:
        """Every target the team ever set (kpi.targets.target_in_force picks the one in force)."""
        rows = await self._db.fetch(
            "SELECT * FROM targets WHERE team_id = ? ORDER BY valid_from, id", (team_id,)
        )
        return [_target(row) for row in rows]

    async def add_metric(self, team_id: int, metric: Metric, now: datetime) -> bool:
        """False if the team already has a metric with that key."""
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "INSERT OR IGNORE INTO team_metrics (team_id, key, kind, name, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (team_id, metric.key, metric.kind.value, metric.custom_name or "", utc_iso(now)),
            )
        self._metrics.pop(team_id, None)
        return cur.rowcount == 1

    async def metrics(self, team_id: int) -> dict[str, Metric]:
        """The team's custom metrics. Every logged entry needs them and only add_metric (on
        this repo) changes them, so they are read once per team and kept."""
        known = self._metrics.get(team_id)
        if known is None:
            rows = await self._db.fetch(
                "SELECT key, kind, name FROM team_metrics WHERE team_id = ? ORDER BY key",
                (team_id,),
            )
            known = {
                r["key"]: custom_metric(r["key"], MetricKind(r["kind"]), r["name"]) for r in rows
            }
            self._metrics[team_id] = known
        return dict(known)
