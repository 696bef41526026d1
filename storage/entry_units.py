"""Entries' units of work: plain sqlite3 functions, each run whole on one connection.

EntryRepo (storage/entries.py) hands each to Database.write (a group's transaction, on the
event loop's thread) or Database.read (one trip to the reader's thread), so a save and the
totals its confirmation shows, or all the aggregates of a period, cost one unit each.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from kpi.models import Entry, Metric, MetricKind, Period, PeriodData, PeriodKind
from kpi.periods import period_containing
from storage.records import SaveResult, Source, parse_day, utc_iso

ENTRY_COLUMNS = "id, team_id, user_id, metric, value, day, platform, note, created_at, captured"


def entry(row: sqlite3.Row) -> Entry:
    return Entry(
        team_id=row["team_id"], user_id=row["user_id"], metric=row["metric"],
        value=row["value"], day=parse_day(row["day"]), platform=row["platform"],
        note=row["note"], id=row["id"], created_at=datetime.fromisoformat(row["created_at"]),
        captured=row["captured"],
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
                    " AND source_message_id = ? AND source_revision BETWEEN 0 AND ? - 1"
                    " AND deleted_at IS NULL",
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


# What one command recorded: the live entries of one message (its newest revision), or a
# single entry that no message recorded (import, demo). /undo and /history delete such a unit
# whole, so a /sale never leaves its revenue behind.
_UNIT_OF = (
    "SELECT team_id, user_id, source_chat_id, source_message_id FROM entries"
    " WHERE id = ? AND deleted_at IS NULL"
)


def _unit_where(
    team_id: int, user_id: int, entry_id: int, chat_id: int | None, message_id: int | None
) -> tuple[str, tuple[object, ...]]:
    """WHERE for the live entries of a unit. `+team_id`: the message's own index
    (ux_entries_source) finds the few rows, not the person's whole history."""
    mine = " AND +team_id = ? AND +user_id = ? AND deleted_at IS NULL"
    if chat_id is None:
        return " WHERE id = ?" + mine, (entry_id, team_id, user_id)
    where = " WHERE source_chat_id = ? AND source_message_id = ?" + mine
    return where, (chat_id, message_id, team_id, user_id)


def _in_order(rows: Iterable[sqlite3.Row]) -> tuple[Entry, ...]:
    return tuple(entry(r) for r in sorted(rows, key=lambda r: (r["seq"], r["id"])))


def delete_unit(
    conn: sqlite3.Connection, entry_id: int, by_user: int, now: datetime
) -> tuple[Entry, ...]:
    """Soft-delete the entry and the rest of what its command recorded; the deleted entries
    in the command's order, or () if the entry is not live."""
    unit = conn.execute(_UNIT_OF, (entry_id,)).fetchone()
    if unit is None:
        return ()
    where, args = _unit_where(
        unit["team_id"], unit["user_id"], entry_id, unit["source_chat_id"],
        unit["source_message_id"],
    )  # fmt: skip
    rows = conn.execute(
        f"UPDATE entries SET deleted_at = ?, deleted_by = ?{where} RETURNING {ENTRY_COLUMNS}, seq",
        (utc_iso(now), by_user, *args),
    ).fetchall()
    return _in_order(rows)


def undo_last(
    conn: sqlite3.Connection, team_id: int, user_id: int, now: datetime
) -> tuple[Entry, ...]:
    """Delete what the person's latest command in the team recorded (chosen and deleted in
    one transaction, so two quick /undo take two commands, never one twice)."""
    last = conn.execute(  # what the bot counted itself (captured) is not the person's to undo
        "SELECT id FROM entries WHERE team_id = ? AND user_id = ? AND deleted_at IS NULL"
        " AND captured IS NULL ORDER BY id DESC LIMIT 1",
        (team_id, user_id),
    ).fetchone()
    return delete_unit(conn, last["id"], user_id, now) if last else ()


def recent_units(
    conn: sqlite3.Connection, team_id: int, user_id: int, limit: int
) -> list[tuple[Entry, ...]]:
    """A person's latest commands in a team (newest first), each with all its live entries."""
    rows = conn.execute(
        f"SELECT {ENTRY_COLUMNS}, seq, source_chat_id, source_message_id FROM entries"
        " WHERE team_id = ? AND user_id = ? AND deleted_at IS NULL ORDER BY id DESC LIMIT ?",
        (team_id, user_id, limit * 8),  # commands of a few entries each, as a rule
    ).fetchall()
    firsts: dict[object, sqlite3.Row] = {}
    for row in rows:
        key = (row["source_chat_id"], row["source_message_id"])
        firsts.setdefault(key if row["source_chat_id"] is not None else row["id"], row)
    units = []
    for row in list(firsts.values())[:limit]:  # each read whole: the scan may have cut it
        where, args = _unit_where(
            team_id, user_id, row["id"], row["source_chat_id"], row["source_message_id"]
        )
        found = conn.execute(f"SELECT {ENTRY_COLUMNS}, seq FROM entries{where}", args)
        units.append(_in_order(found))
    return units


def period_data(
    conn: sqlite3.Connection, team_id: int, period: Period, metrics: dict[str, Metric]
) -> PeriodData:
    data = PeriodData(period)
    summed = _keys(metrics, MetricKind.COUNTER, MetricKind.MONEY)
    if _calendar_month(period):
        # A row per person and metric from month_totals (0003, 0009), not a sum over every
        # entry of the month: ~1 ms against ~4 for a team of 30 (bench/bench_kpi.py). The
        # metrics are named so the primary key (team, metric, month, …) finds each month's
        # rows; without them every month of the team was read (1.8 ms against 0.6).
        rows = conn.execute(
            "SELECT metric, user_id, round(total, 6) FROM month_totals"  # float drift of +/-
            f" WHERE team_id = ? AND metric IN ({_marks(summed)}) AND month = ?"
            " AND entries > 0",
            (team_id, *summed, period.start.isoformat()[:7]),
        )
    else:
        rows = conn.execute(
            "SELECT metric, user_id, SUM(value) FROM entries WHERE team_id = ? AND day >= ?"
            " AND day < ? AND deleted_at IS NULL GROUP BY metric, user_id",
            (team_id, period.start.isoformat(), period.end.isoformat()),
        )
    for metric, user_id, total in rows:
        if metric in summed:
            data.sums.setdefault(metric, {})[user_id] = total
    _durations_and_gauges(conn, data, team_id, metrics)
    return data


def _calendar_month(period: Period) -> bool:
    """The period is one whole calendar month: what a month_totals row sums."""
    month = period_containing(PeriodKind.MONTH, period.start)
    return (period.start, period.end) == (month.start, month.end)


@dataclass(frozen=True)
class Standing:
    """Where a team and one person stand in a month: the figures of a confirmation."""

    sums: dict[str, tuple[float, float]]  # summed metric -> (the team's, the person's)
    data: PeriodData  # the month's durations and gauges (its sums are left empty)


def month_standing(
    conn: sqlite3.Connection,
    team_id: int,
    user_id: int,
    period: Period,
    metrics: dict[str, Metric],
) -> Standing:
    """The team's and the person's sums for `metrics` over a calendar month, read from
    month_totals (0003) as one row per metric: this runs after every save, inside its write
    (a row per member, when this ran in the writer's thread, made the GIL waits there most
    of a /lead's write)."""
    if not _calendar_month(period):
        data = period_data(conn, team_id, period, metrics)
        sums = {m: (sum(by.values()), by.get(user_id, 0.0)) for m, by in data.sums.items()}
        return Standing(sums, replace(data, sums={}))
    sums = {}
    summed = _keys(metrics, MetricKind.COUNTER, MetricKind.MONEY)
    if summed:
        for metric, team, mine in conn.execute(
            "SELECT metric, total(total), total(CASE WHEN user_id = ? THEN total END)"
            " FROM month_totals WHERE team_id = ? AND month = ? AND entries > 0"
            f" AND metric IN ({_marks(summed)}) GROUP BY metric",
            (user_id, team_id, period.start.isoformat()[:7], *summed),
        ):
            sums[metric] = (round(team, 6), round(mine, 6))  # float drift of +/-
    data = PeriodData(period)
    _durations_and_gauges(conn, data, team_id, metrics)
    return Standing(sums, data)


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
