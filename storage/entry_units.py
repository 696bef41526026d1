"""Entries' units of work: plain sqlite3 functions that run whole in a connection's thread.

EntryRepo (storage/entries.py) hands each to Database.write or Database.read, so a save and
the totals its confirmation shows, or all the aggregates of a period, cost one thread trip.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from kpi.models import Entry, Metric, MetricKind, Period, PeriodData, PeriodKind
from storage.records import SaveResult, Source, parse_day, utc_iso

ENTRY_COLUMNS = "id, team_id, user_id, metric, value, day, platform, note, created_at"


def entry(row: sqlite3.Row) -> Entry:
    return Entry(
        team_id=row["team_id"], user_id=row["user_id"], metric=row["metric"],
        value=row["value"], day=parse_day(row["day"]), platform=row["platform"],
        note=row["note"], id=row["id"], created_at=datetime.fromisoformat(row["created_at"]),
    )  # fmt: skip


@dataclass(frozen=True)
class NewEntries:
    """One message revision's entries, stored by `save` inside a transaction."""

    team_id: int
    user_id: int
    items: tuple[tuple[str, float], ...]
    day: date
    now: datetime
    platform: str | None
    note: str | None
    source: Source | None

    def save(self, conn: sqlite3.Connection) -> SaveResult:
        source, replaced = self.source, 0
        if source is not None:
            known = conn.execute(
                f"SELECT {ENTRY_COLUMNS}, source_revision FROM entries WHERE source_chat_id = ?"
                " AND source_message_id = ? AND source_revision >= ?"
                " ORDER BY source_revision DESC, seq",
                (source.chat_id, source.message_id, source.revision),
            ).fetchall()
            if known and known[0]["source_revision"] > source.revision:
                return SaveResult((), duplicate=True)  # an older edit delivered late: stale
            if known:
                return SaveResult(tuple(entry(row) for row in known), duplicate=True)
            if source.revision > 0:  # an edit: what earlier revisions stored gives way
                replaced = conn.execute(
                    "UPDATE entries SET deleted_at = ?, deleted_by = ? WHERE source_chat_id = ?"
                    " AND source_message_id = ? AND source_revision < ? AND deleted_at IS NULL",
                    (utc_iso(self.now), self.user_id, source.chat_id, source.message_id,
                     source.revision),
                ).rowcount  # fmt: skip
        if not self.items:
            return SaveResult((), duplicate=False, replaced=replaced)
        rows = [
            (
                self.team_id, self.user_id, metric, value, self.day.isoformat(), utc_iso(self.now),
                self.platform, self.note, source.chat_id if source else None,
                source.message_id if source else None, source.revision if source else 0, seq,
            )
            for seq, (metric, value) in enumerate(self.items)
        ]  # fmt: skip
        returned = conn.execute(
            "INSERT INTO entries (team_id, user_id, metric, value, day, created_at, platform,"
            " note, source_chat_id, source_message_id, source_revision, seq) VALUES "
            + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(rows))
            + " RETURNING id, seq",
            [value for row in rows for value in row],
        ).fetchall()
        ids = {row["seq"]: row["id"] for row in returned}  # RETURNING order is unspecified
        saved = tuple(
            Entry(self.team_id, self.user_id, metric, value, self.day, self.platform, self.note,
                  ids[seq], self.now)
            for seq, (metric, value) in enumerate(self.items)
        )  # fmt: skip
        return SaveResult(saved, duplicate=False, replaced=replaced)


def period_data(
    conn: sqlite3.Connection, team_id: int, period: Period, metrics: dict[str, Metric]
) -> PeriodData:
    data = PeriodData(period)
    summed = _keys(metrics, MetricKind.COUNTER, MetricKind.MONEY)
    for metric, user_id, total in conn.execute(
        "SELECT metric, user_id, SUM(value) FROM entries WHERE team_id = ? AND day >= ?"
        " AND day < ? AND deleted_at IS NULL GROUP BY metric, user_id",
        (team_id, period.start.isoformat(), period.end.isoformat()),
    ):
        if metric in summed:
            data.sums.setdefault(metric, {})[user_id] = total
    _durations_and_gauges(conn, data, team_id, metrics)
    return data


def month_running(
    conn: sqlite3.Connection, team_id: int, period: Period, metrics: dict[str, Metric]
) -> PeriodData:
    """`_period_data` of a calendar month, its sums read from month_totals (0003)."""
    if period.kind is not PeriodKind.MONTH:
        return period_data(conn, team_id, period, metrics)
    data = PeriodData(period)
    summed = _keys(metrics, MetricKind.COUNTER, MetricKind.MONEY)
    if summed:
        for metric, user_id, total in conn.execute(
            "SELECT metric, user_id, total FROM month_totals WHERE team_id = ? AND month = ?"
            f" AND metric IN ({_marks(summed)})",
            (team_id, period.start.isoformat()[:7], *summed),
        ):
            data.sums.setdefault(metric, {})[user_id] = round(total, 6)  # float drift of +/-
    _durations_and_gauges(conn, data, team_id, metrics)
    return data


def _durations_and_gauges(
    conn: sqlite3.Connection, data: PeriodData, team_id: int, metrics: dict[str, Metric]
) -> None:
    period = data.period
    timed = _keys(metrics, MetricKind.DURATION)
    gauges = _keys(metrics, MetricKind.GAUGE)
    if timed:
        for metric, user_id, value in conn.execute(
            "SELECT metric, user_id, value FROM entries WHERE team_id = ? AND day >= ?"
            f" AND day < ? AND deleted_at IS NULL AND metric IN ({_marks(timed)})",
            (team_id, period.start.isoformat(), period.end.isoformat(), *timed),
        ):
            data.durations.setdefault(metric, {}).setdefault(user_id, []).append(value)
    if gauges:
        data.gauge_last = _last_values(conn, team_id, gauges, period.start, period.end)
        data.gauge_before = _last_values(conn, team_id, gauges, None, period.start)


def _last_values(
    conn: sqlite3.Connection, team_id: int, gauges: list[str], start: date | None, end: date
) -> dict[str, float]:
    # One indexed look-up per gauge (ix_entries_metric_day): the latest day wins, and on the
    # same day the later entry (larger id).
    low = start.isoformat() if start else "0000-01-01"
    found = {}
    for metric in gauges:
        row = conn.execute(
            "SELECT value FROM entries WHERE team_id = ? AND metric = ? AND day >= ?"
            " AND day < ? AND deleted_at IS NULL ORDER BY day DESC, id DESC LIMIT 1",
            (team_id, metric, low, end.isoformat()),
        ).fetchone()
        if row is not None:
            found[metric] = row[0]
    return found


def _keys(metrics: dict[str, Metric], *kinds: MetricKind) -> list[str]:
    return [key for key, metric in metrics.items() if metric.kind in kinds]


def _marks(items: Iterable[object]) -> str:
    return ", ".join("?" for _ in items)
