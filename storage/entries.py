"""Entries: idempotent writes, soft deletes, and the period aggregates /kpi runs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

import aiosqlite

from kpi.models import Entry, Metric, MetricKind, Period, PeriodData
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
        async with self._db.transaction() as conn:
            replaced = 0
            if source is not None:
                stored = await _by_source(conn, source)
                if stored is not None:
                    return SaveResult(tuple(stored), duplicate=True)
                if await _has_newer(conn, source):  # an older edit delivered late: stale
                    return SaveResult((), duplicate=True)
                cur = await conn.execute(
                    "UPDATE entries SET deleted_at = ?, deleted_by = ? WHERE source_chat_id = ?"
                    " AND source_message_id = ? AND source_revision < ? AND deleted_at IS NULL",
                    (utc_iso(now), user_id, source.chat_id, source.message_id, source.revision),
                )
                replaced = cur.rowcount
            saved = []
            for seq, (metric, value) in enumerate(items):
                cur = await conn.execute(
                    "INSERT INTO entries (team_id, user_id, metric, value, day, created_at,"
                    " platform, note, source_chat_id, source_message_id, source_revision, seq)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        team_id, user_id, metric, value, day.isoformat(), utc_iso(now),
                        platform, note,
                        source.chat_id if source else None,
                        source.message_id if source else None,
                        source.revision if source else 0, seq,
                    ),
                )  # fmt: skip
                saved.append(
                    Entry(team_id, user_id, metric, value, day, platform, note,
                          cur.lastrowid, now)
                )  # fmt: skip
        return SaveResult(tuple(saved), duplicate=False, replaced=replaced)

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
        async with self._db.reader.execute(
            "SELECT 1 FROM entries WHERE source_chat_id = ? AND source_message_id = ? LIMIT 1",
            (source.chat_id, source.message_id),
        ) as cur:
            return await cur.fetchone() is not None

    async def get(self, entry_id: int) -> Entry | None:
        async with self._db.reader.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE id = ? AND deleted_at IS NULL",
            (entry_id,),
        ) as cur:
            row = await cur.fetchone()
        return _entry(row) if row else None

    async def recent(self, team_id: int, user_id: int, limit: int = 10) -> list[Entry]:
        """A person's latest live entries in a team, newest first."""
        async with self._db.reader.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE team_id = ? AND user_id = ?"
            " AND deleted_at IS NULL ORDER BY id DESC LIMIT ?",
            (team_id, user_id, limit),
        ) as cur:
            return [_entry(row) for row in await cur.fetchall()]

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
        async with self._db.reader.execute(
            "SELECT COALESCE(SUM(value), 0) FROM entries WHERE team_id = ? AND metric = ?"
            " AND day >= ? AND day < ? AND deleted_at IS NULL AND (? IS NULL OR user_id = ?)",
            (team_id, metric, period.start.isoformat(), period.end.isoformat(), user_id, user_id),
        ) as cur:
            row = await cur.fetchone()
        return float(row[0]) if row else 0.0

    async def period_data(
        self, team_id: int, period: Period, metrics: dict[str, Metric]
    ) -> PeriodData:
        """The same aggregates as kpi.compute.aggregate, in three indexed queries."""
        data = PeriodData(period)
        bounds = (team_id, period.start.isoformat(), period.end.isoformat())
        summed = _keys(metrics, MetricKind.COUNTER, MetricKind.MONEY)
        timed = _keys(metrics, MetricKind.DURATION)
        gauges = _keys(metrics, MetricKind.GAUGE)
        reader = self._db.reader
        async with reader.execute(
            "SELECT metric, user_id, SUM(value) FROM entries WHERE team_id = ? AND day >= ?"
            " AND day < ? AND deleted_at IS NULL GROUP BY metric, user_id",
            bounds,
        ) as cur:
            for metric, user_id, total in await cur.fetchall():
                if metric in summed:
                    data.sums.setdefault(metric, {})[user_id] = total
        if timed:
            async with reader.execute(
                "SELECT metric, user_id, value FROM entries WHERE team_id = ? AND day >= ?"
                f" AND day < ? AND deleted_at IS NULL AND metric IN ({_marks(timed)})",
                (*bounds, *timed),
            ) as cur:
                for metric, user_id, value in await cur.fetchall():
                    data.durations.setdefault(metric, {}).setdefault(user_id, []).append(value)
        if gauges:
            data.gauge_last = await self._last_values(team_id, gauges, period.start, period.end)
            data.gauge_before = await self._last_values(team_id, gauges, None, period.start)
        return data

    async def _last_values(
        self, team_id: int, gauges: list[str], start: date | None, end: date
    ) -> dict[str, float]:
        # One indexed look-up per gauge (ix_entries_metric_day): the latest day wins, and on
        # the same day the later entry (larger id).
        low = start.isoformat() if start else "0000-01-01"
        found = {}
        for metric in gauges:
            async with self._db.reader.execute(
                "SELECT value FROM entries WHERE team_id = ? AND metric = ? AND day >= ?"
                " AND day < ? AND deleted_at IS NULL ORDER BY day DESC, id DESC LIMIT 1",
                (team_id, metric, low, end.isoformat()),
            ) as cur:
                row = await cur.fetchone()
            if row is not None:
                found[metric] = row[0]
        return found

    async def count(self, team_id: int | None = None, *, include_deleted: bool = False) -> int:
        async with self._db.reader.execute(
            "SELECT COUNT(*) FROM entries WHERE (? IS NULL OR team_id = ?)"
            " AND (deleted_at IS NULL OR ?)",
            (team_id, team_id, int(include_deleted)),
        ) as cur:
            row = await cur.fetchone()
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
        async with self._db.reader.execute(
            "SELECT e.id, e.team_id, e.user_id, e.metric, e.value, e.day, e.platform, e.note,"
            " e.created_at, u.full_name, u.username FROM entries e JOIN users u ON u.id = e.user_id"
            " WHERE e.team_id = ? AND e.day >= ? AND e.day < ? AND e.deleted_at IS NULL"
            " AND (? IS NULL OR e.user_id = ?) ORDER BY e.day, e.id",
            (
                team_id, start.isoformat() if start else "0000-01-01",
                end.isoformat() if end else "9999-12-31", user_id, user_id,
            ),
        ) as cur:  # fmt: skip
            return [(_entry(r), r["full_name"], r["username"]) for r in await cur.fetchall()]

    async def live_by_ids(self, team_id: int, ids: Iterable[int]) -> dict[int, Entry]:
        """The team's live entries among `ids` (import: is this exported row already here?)."""
        listed = "[" + ",".join(str(int(i)) for i in ids) + "]"  # a JSON array of integers
        async with self._db.reader.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE team_id = ? AND deleted_at IS NULL"
            " AND id IN (SELECT value FROM json_each(?))",
            (team_id, listed),
        ) as cur:
            return {r["id"]: _entry(r) for r in await cur.fetchall()}

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


async def _by_source(conn: aiosqlite.Connection, source: Source) -> list[Entry] | None:
    async with conn.execute(
        f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE source_chat_id = ?"
        " AND source_message_id = ? AND source_revision = ? ORDER BY seq",
        (source.chat_id, source.message_id, source.revision),
    ) as cur:
        rows = await cur.fetchall()
    return [_entry(row) for row in rows] if rows else None


async def _has_newer(conn: aiosqlite.Connection, source: Source) -> bool:
    async with conn.execute(
        "SELECT 1 FROM entries WHERE source_chat_id = ? AND source_message_id = ?"
        " AND source_revision > ? LIMIT 1",
        (source.chat_id, source.message_id, source.revision),
    ) as cur:
        return await cur.fetchone() is not None


def _keys(metrics: dict[str, Metric], *kinds: MetricKind) -> list[str]:
    return [key for key, metric in metrics.items() if metric.kind in kinds]


def _marks(items: Iterable[object]) -> str:
    return ", ".join("?" for _ in items)
