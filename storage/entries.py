"""Entries: idempotent writes, soft deletes, and the period aggregates /kpi runs."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from kpi.models import Entry, Metric, MetricKind, Period, PeriodData, PeriodKind
from storage.db import Database
from storage.records import SaveResult, Source, parse_day, utc_iso

_ENTRY_COLUMNS = "id, team_id, user_id, metric, value, day, platform, note, created_at"


def _entry(row: aiosqlite.Row) -> Entry:
    return Entry(
        team_id=row["team_id"], user_id=row["user_id"], metric=row["metric"],
        value=row["value"], day=parse_day(row["day"]), platform=row["platform"],
        note=row["note"], id=row["id"], created_at=datetime.fromisoformat(row["created_at"]),
    )  # fmt: skip


class EntryRepo:
    def __init__(self, db: Database):
        self._db = db

    async def save(
        self,
        team_id: int,
        user_id: int,
        items: Sequence[tuple[str, float]],
        day: date,
        now: datetime,
        *,
        platform: str | None = None,
        note: str | None = None,
        source: Source | None = None,
    ) -> SaveResult:
        """Store the entries of one message revision in one transaction.

        The same revision delivered again writes nothing (duplicate=True, the stored entries
        are returned so the confirmation can be repeated). A newer revision (an edited
        message) soft-deletes what the older one stored and stores its own entries.
        """
        new = _NewEntries(team_id, user_id, tuple(items), day, now, platform, note, source)
        return await self._db.write(new.save)

    async def save_and_total(
        self,
        team_id: int,
        user_id: int,
        items: Sequence[tuple[str, float]],
        day: date,
        now: datetime,
        *,
        period: Period,
        metrics: dict[str, Metric],
        platform: str | None = None,
        note: str | None = None,
        source: Source | None = None,
    ) -> tuple[SaveResult, PeriodData]:
        """`save`, then `period_data` for the confirmation's running totals (what was just
        stored included), in the same transaction and one trip to the writer's thread."""
        new = _NewEntries(team_id, user_id, tuple(items), day, now, platform, note, source)

        def work(conn: sqlite3.Connection) -> tuple[SaveResult, PeriodData]:
            return new.save(conn), _month_running(conn, team_id, period, metrics)

        return await self._db.write(work)

    async def insert_many(self, entries: Iterable[Entry], now: datetime) -> int:
        """Bulk load (demo, import, benchmarks): all rows in one transaction, or none."""
        rows = [
            (e.team_id, e.user_id, e.metric, e.value, e.day.isoformat(), utc_iso(now),
             e.platform, e.note)
            for e in entries
        ]  # fmt: skip
        async with self._db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO entries (team_id, user_id, metric, value, day, created_at,"
                " platform, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    async def has_source(self, source: Source) -> bool:
        """Did this message (any revision) ever create entries?"""
        row = await self._db.fetch_one(
            "SELECT 1 FROM entries WHERE source_chat_id = ? AND source_message_id = ? LIMIT 1",
            (source.chat_id, source.message_id),
        )
        return row is not None

    async def get(self, entry_id: int) -> Entry | None:
        row = await self._db.fetch_one(
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE id = ? AND deleted_at IS NULL",
            (entry_id,),
        )
        return _entry(row) if row else None

    async def recent(self, team_id: int, user_id: int, limit: int = 10) -> list[Entry]:
        """A person's latest live entries in a team, newest first."""
        rows = await self._db.fetch(
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE team_id = ? AND user_id = ?"
            " AND deleted_at IS NULL ORDER BY id DESC LIMIT ?",
            (team_id, user_id, limit),
        )
        return [_entry(row) for row in rows]

    async def delete(self, entry_id: int, by_user: int, now: datetime) -> bool:
        """Soft delete: the row stays for audit but leaves every KPI."""
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE entries SET deleted_at = ?, deleted_by = ?"
                " WHERE id = ? AND deleted_at IS NULL",
                (utc_iso(now), by_user, entry_id),
            )
            return cur.rowcount == 1

    async def total(
        self, team_id: int, metric: str, period: Period, user_id: int | None = None
    ) -> float:
        """Sum of one metric over a period, for the team or one person."""
        row = await self._db.fetch_one(
            "SELECT COALESCE(SUM(value), 0) FROM entries WHERE team_id = ? AND metric = ?"
            " AND day >= ? AND day < ? AND deleted_at IS NULL AND (? IS NULL OR user_id = ?)",
            (team_id, metric, period.start.isoformat(), period.end.isoformat(), user_id, user_id),
        )
        return float(row[0]) if row else 0.0

    async def period_data(
        self, team_id: int, period: Period, metrics: dict[str, Metric]
    ) -> PeriodData:
        """The same aggregates as kpi.compute.aggregate, in a few indexed queries."""
        return await self._db.read(lambda conn: _period_data(conn, team_id, period, metrics))

    async def count(self, team_id: int | None = None, *, include_deleted: bool = False) -> int:
        row = await self._db.fetch_one(
            "SELECT COUNT(*) FROM entries WHERE (? IS NULL OR team_id = ?)"
            " AND (deleted_at IS NULL OR ?)",
            (team_id, team_id, int(include_deleted)),
        )
        return int(row[0]) if row else 0

    async def export_rows(
        self,
        team_id: int,
        start: date | None = None,
        end: date | None = None,
        user_id: int | None = None,
    ) -> list[tuple[Entry, str, str | None]]:
        """Live entries with day in [start, end) (None: no bound), oldest first, each with the
        name and @username of who logged it: what /export writes, in one query."""
        rows = await self._db.fetch(
            "SELECT e.id, e.team_id, e.user_id, e.metric, e.value, e.day, e.platform, e.note,"
            " e.created_at, u.full_name, u.username FROM entries e JOIN users u ON u.id = e.user_id"
            " WHERE e.team_id = ? AND e.day >= ? AND e.day < ? AND e.deleted_at IS NULL"
            " AND (? IS NULL OR e.user_id = ?) ORDER BY e.day, e.id",
            (
                team_id, start.isoformat() if start else "0000-01-01",
                end.isoformat() if end else "9999-12-31", user_id, user_id,
            ),
        )  # fmt: skip
        return [(_entry(r), r["full_name"], r["username"]) for r in rows]

    async def live_by_ids(self, team_id: int, ids: Iterable[int]) -> dict[int, Entry]:
        """The team's live entries among `ids` (import: is this exported row already here?)."""
        listed = "[" + ",".join(str(int(i)) for i in ids) + "]"  # a JSON array of integers
        rows = await self._db.fetch(
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE team_id = ? AND deleted_at IS NULL"
            " AND id IN (SELECT value FROM json_each(?))",
            (team_id, listed),
        )
        return {r["id"]: _entry(r) for r in rows}

    async def import_entries(
        self,
        team_id: int,
        people: Iterable[tuple[int, str, str | None]],
        entries: Sequence[Entry],
        now: datetime,
    ) -> int:
        """Backfill history (kpibot import): everything in ONE transaction, or nothing.

        `people` are (id, full name, username). Unknown people are created and made members;
        known people and memberships stay as they are (a spreadsheet never renames anyone).
        An entry without created_at gets `now`.
        """
        stamp = utc_iso(now)
        rows = [
            (e.team_id, e.user_id, e.metric, e.value, e.day.isoformat(),
             utc_iso(e.created_at) if e.created_at else stamp, e.platform, e.note)
            for e in entries
        ]  # fmt: skip
        people = list(people)
        async with self._db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO users (id, username, full_name, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (id) DO NOTHING",
                [(user_id, username, name, stamp) for user_id, name, username in people],
            )
            await conn.executemany(
                "INSERT INTO members (team_id, user_id, joined_at) VALUES (?, ?, ?)"
                " ON CONFLICT (team_id, user_id) DO NOTHING",
                [(team_id, user_id, stamp) for user_id, _, _ in people],
            )
            await conn.executemany(
                "INSERT INTO entries (team_id, user_id, metric, value, day, created_at,"
                " platform, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)


@dataclass(frozen=True)
class _NewEntries:
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
                f"SELECT {_ENTRY_COLUMNS}, source_revision FROM entries WHERE source_chat_id = ?"
                " AND source_message_id = ? AND source_revision >= ?"
                " ORDER BY source_revision DESC, seq",
                (source.chat_id, source.message_id, source.revision),
            ).fetchall()
            if known and known[0]["source_revision"] > source.revision:
                return SaveResult((), duplicate=True)  # an older edit delivered late: stale
            if known:
                return SaveResult(tuple(_entry(row) for row in known), duplicate=True)
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


def _period_data(
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


def _month_running(
    conn: sqlite3.Connection, team_id: int, period: Period, metrics: dict[str, Metric]
) -> PeriodData:
    """`_period_data` of a calendar month, its sums read from month_totals (0003)."""
    if period.kind is not PeriodKind.MONTH:
        return _period_data(conn, team_id, period, metrics)
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
