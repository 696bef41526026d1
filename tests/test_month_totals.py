"""month_totals (migrations 0003, 0009) always equals the sum and count of the live entries,
whatever writes; a calendar month's period_data reads it and matches the entries."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime, timedelta

from kpi.metrics import BUILTIN_METRICS
from kpi.models import PeriodKind, TeamSettings
from kpi.periods import period_containing
from storage.db import _split_sql, migrations
from storage.entry_units import period_data
from storage.imports import ImportRow
from storage.records import Person, Source
from storage.repository import Repository

TEAM = -1007007
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
TOTALS = "SELECT team_id, metric, month, user_id, round(total, 6), entries FROM month_totals"
RECOMPUTED = (
    "SELECT team_id, metric, substr(day, 1, 7), user_id, round(SUM(value), 6), COUNT(*)"
    " FROM entries WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4"
)


def _mismatch(path) -> set:
    with closing(sqlite3.connect(path)) as conn:
        kept = {r for r in conn.execute(TOTALS) if r[5] != 0}  # emptied by deletes: zero rows
        return kept ^ set(conn.execute(RECOMPUTED))


async def test_totals_follow_saves_edits_deletes_and_imports(tmp_path):
    path = tmp_path / "kpi.sqlite3"
    repo = await Repository.open(path)
    await repo.teams.ensure_team(TEAM, "T", TeamSettings(), NOW)
    for uid in (1, 2):
        await repo.teams.ensure_member(TEAM, Person(uid, f"P{uid}", None), NOW)
    rng = random.Random(7)
    messages: list[tuple[int, int]] = []  # (message id, revision) stored so far
    for step in range(300):
        uid = rng.choice((1, 2))
        day = date(2026, 11, 20) - timedelta(days=rng.randrange(45))  # two months
        items = [
            (rng.choice(("leads", "revenue")), rng.choice((1.0, 0.1, 1.5, 12500.0, 0.0)))
            for _ in range(rng.choice((1, 1, 2, 3)))  # a /sale or /resp records several
        ]
        action = rng.random()
        if action < 0.5 or not messages:
            source = Source(TEAM, 1000 + step, 0)
            await repo.entries.save(TEAM, uid, items, day, NOW, source=source)
            messages.append((source.message_id, 0))
        elif action < 0.65:  # an edit (newer revision) or a late stale one (older revision)
            message_id, revision = rng.choice(messages)
            revision += rng.choice((1, -1)) if revision else 1
            source = Source(TEAM, message_id, revision)
            await repo.entries.save(TEAM, uid, items, day, NOW, source=source)
        elif action < 0.75:  # Telegram delivering the same update again
            source = Source(TEAM, *rng.choice(messages))
            await repo.entries.save(TEAM, uid, items, day, NOW, source=source)
        elif action < 0.8:
            recent = await repo.entries.recent(TEAM, uid, limit=5)
            if recent:
                await repo.entries.delete(rng.choice(recent).id, uid, NOW)
        elif action < 0.85:  # the /history button: a whole command
            recent = await repo.entries.recent(TEAM, uid, limit=5)
            if recent:
                await repo.entries.delete_unit(rng.choice(recent).id, uid, NOW)
        elif action < 0.9:
            await repo.entries.undo_last(TEAM, uid, NOW)
        else:
            rows = [ImportRow(step, uid, m, v, day) for m, v in (("leads", 2.0), ("revenue", 0.3))]
            await repo.entries.import_rows(TEAM, rows, NOW)
    for month in ("2026-10", "2026-11"):  # read from month_totals: the same as the entries
        period = period_containing(PeriodKind.MONTH, date.fromisoformat(f"{month}-15"))
        data = await repo.entries.period_data(TEAM, period, BUILTIN_METRICS)
        read = {(m, user, round(v, 6)) for m, by in data.sums.items() for user, v in by.items()}
        assert read == _summed(path, month) and read
    await repo.close()
    assert _mismatch(path) == set()


def _summed(path, month: str) -> set:
    with closing(sqlite3.connect(path)) as conn:
        return set(
            conn.execute(
                "SELECT metric, user_id, round(SUM(value), 6) FROM entries WHERE team_id = ?"
                " AND substr(day, 1, 7) = ? AND deleted_at IS NULL GROUP BY 1, 2",
                (TEAM, month),
            )
        )


async def test_confirmation_totals_are_the_month_so_far(tmp_path):
    repo = await Repository.open(tmp_path / "kpi.sqlite3")
    await repo.teams.ensure_team(TEAM, "T", TeamSettings(), NOW)
    await repo.teams.ensure_member(TEAM, Person(1, "P", None), NOW)
    metrics = {"leads": BUILTIN_METRICS["leads"]}
    month = period_containing(PeriodKind.MONTH, date(2026, 11, 20))
    await repo.entries.save(TEAM, 1, [("leads", 5.0)], date(2026, 10, 31), NOW)  # not November
    await repo.entries.save(TEAM, 1, [("leads", 2.0)], date(2026, 11, 1), NOW)
    await repo.teams.ensure_member(TEAM, Person(2, "Q", None), NOW)
    await repo.entries.save(TEAM, 2, [("leads", 0.1)], date(2026, 11, 2), NOW)
    await repo.entries.save(TEAM, 2, [("leads", 0.2)], date(2026, 11, 3), NOW)
    _, standing = await repo.entries.save_and_total(
        TEAM, 1, [("leads", 3.0)], date(2026, 11, 20), NOW, period=month, metrics=metrics
    )
    assert standing.sums == {"leads": (5.3, 5.0)}  # the team's, then the person's
    by_user = (await repo.entries.period_data(TEAM, month, metrics)).sums["leads"]
    assert standing.sums["leads"] == (round(sum(by_user.values()), 6), by_user[1])
    await repo.close()


def test_migration_counts_what_was_logged_before_it(tmp_path):
    path = tmp_path / "old.sqlite3"
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for version, sql in migrations()[:2]:
            for statement in _split_sql(sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
        conn.execute(
            "INSERT INTO teams (id, title, timezone, language, currency, sla_minutes, risk_pct,"
            " workdays, created_at) VALUES (?, 'T', 'Europe/Moscow', 'ru', 'RUB', 1440, 15,"
            " '01234', '2026-11-01')",
            (TEAM,),
        )
        conn.execute("INSERT INTO users (id, full_name, created_at) VALUES (1, 'P', '2026')")
        for day, value, deleted in (("2026-11-02", 2, None), ("2026-11-03", 4, "x")):
            conn.execute(
                "INSERT INTO entries (team_id, user_id, metric, value, day, created_at, deleted_at)"
                " VALUES (?, 1, 'leads', ?, ?, '2026-11-03', ?)",
                (TEAM, value, day, deleted),
            )

    async def reopen() -> None:
        repo = await Repository.open(path)  # migrates to 0003
        await repo.close()

    asyncio.run(reopen())
    assert _mismatch(path) == set()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute(TOTALS).fetchall() == [(TEAM, "leads", "2026-11", 1, 2.0, 1)]


async def test_a_month_is_found_by_key_not_by_reading_every_month(tmp_path):
    """period_data names the metrics, so the key (team, metric, month, user) finds one month's
    rows; without them SQLite read the team's every month (bench/bench_kpi.py: 1.8 ms
    against 0.6 for two years of a team of 30)."""
    path = tmp_path / "kpi.sqlite3"
    repo = await Repository.open(path)
    await repo.teams.ensure_team(TEAM, "T", TeamSettings(), NOW)
    await repo.close()
    plans: list[str] = []
    with closing(sqlite3.connect(path)) as conn:
        real_execute = conn.execute

        class Watched:  # sqlite3.Connection.execute cannot be patched: a stand-in that explains
            def execute(self, sql: str, params=()):
                if "month_totals" in sql:
                    plans.extend(r[3] for r in real_execute("EXPLAIN QUERY PLAN " + sql, params))
                return real_execute(sql, params)

        month = period_containing(PeriodKind.MONTH, date(2026, 11, 20))
        period_data(Watched(), TEAM, month, BUILTIN_METRICS)  # type: ignore[arg-type]
    assert plans, "a calendar month is read from month_totals"
    assert all("PRIMARY KEY (team_id=? AND metric=? AND month=?)" in p for p in plans), plans
