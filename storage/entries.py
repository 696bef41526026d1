"""Entries: idempotent writes, soft deletes, and the period aggregates /kpi runs."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from kpi.models import Entry, Metric, Period, PeriodData
from storage.db import Database
from storage.entry_units import (
    ENTRY_COLUMNS,
    NewEntries,
    Standing,
    delete_unit,
    entry,
    month_standing,
    period_data,
    recent_units,
    undo_last,
)
from storage.imports import ImportReport, ImportRow, import_rows
from storage.records import SaveResult, Source, utc_iso


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
        new = NewEntries(team_id, user_id, tuple(items), day, now, platform, note, source)
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
    ) -> tuple[SaveResult, Standing]:
        """`save`, then where the team and the person stand for the confirmation (what was
        just stored included), in the same transaction (one unit of work in a group commit)."""
        new = NewEntries(team_id, user_id, tuple(items), day, now, platform, note, source)

        def work(conn: sqlite3.Connection) -> tuple[SaveResult, Standing]:
            return new.save(conn), month_standing(conn, team_id, user_id, period, metrics)

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
            f"SELECT {ENTRY_COLUMNS} FROM entries WHERE id = ? AND deleted_at IS NULL",
            (entry_id,),
        )
        return entry(row) if row else None

    async def recent(self, team_id: int, user_id: int, limit: int = 10) -> list[Entry]:
        """A person's latest live entries in a team, newest first."""
        rows = await self._db.fetch(
            f"SELECT {ENTRY_COLUMNS} FROM entries WHERE team_id = ? AND user_id = ?"
            " AND deleted_at IS NULL ORDER BY id DESC LIMIT ?",
            (team_id, user_id, limit),
        )
        return [entry(row) for row in rows]

    async def recent_units(
        self, team_id: int, user_id: int, limit: int = 10
    ) -> list[tuple[Entry, ...]]:
        """A person's latest commands in a team, newest first: what /history lists."""
        return await self._db.read(lambda conn: recent_units(conn, team_id, user_id, limit))

    async def delete_unit(self, entry_id: int, by_user: int, now: datetime) -> tuple[Entry, ...]:
        """Soft-delete an entry with everything the same command recorded (a /sale: the sale
        and its revenue); returns what was deleted, () if the entry was no longer live."""
        return await self._db.write(lambda conn: delete_unit(conn, entry_id, by_user, now))

    async def undo_last(self, team_id: int, user_id: int, now: datetime) -> tuple[Entry, ...]:
        """/undo: delete what the person's latest command in the team recorded."""
        return await self._db.write(lambda conn: undo_last(conn, team_id, user_id, now))

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
        return await self._db.read(lambda conn: period_data(conn, team_id, period, metrics))

    async def periods_data(
        self, team_id: int, periods: list[Period], metrics: dict[str, Metric]
    ) -> list[PeriodData]:
        """`period_data` for each period, in one trip to the reader (a digest's trend)."""
        return await self._db.read(
            lambda conn: [period_data(conn, team_id, period, metrics) for period in periods]
        )

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
            " e.created_at, e.captured, u.full_name, u.username FROM entries e"
            " JOIN users u ON u.id = e.user_id"
            " WHERE e.team_id = ? AND e.day >= ? AND e.day < ? AND e.deleted_at IS NULL"
            " AND (? IS NULL OR e.user_id = ?) ORDER BY e.day, e.id",
            (
                team_id, start.isoformat() if start else "0000-01-01",
                end.isoformat() if end else "9999-12-31", user_id, user_id,
            ),
        )  # fmt: skip
        return [(entry(r), r["full_name"], r["username"]) for r in rows]

    async def import_rows(
        self, team_id: int, rows: Sequence[ImportRow], now: datetime
    ) -> ImportReport:
        """kpibot import: every row checked against the team, then all new ones stored in ONE
        transaction, or nothing if any conflicts (storage/imports.py says how)."""
        return await self._db.write(lambda conn: import_rows(conn, team_id, rows, now))
