"""/kpi at scale: two years of daily entries for 30 people × 12 metrics (~260,000 rows).

Times the whole /kpi answer (queries + KPI maths + targets + text) over N calls and prints
the median and 95th percentile. Goal: p95 under 50 ms.

    python -m bench.bench_kpi [--calls 100] [--db /tmp/kpi-bench.sqlite3]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.i18n import Translator
from bot.status_text import kpi_text
from kpi.models import Direction, Entry, PeriodKind, Target, TeamSettings
from kpi.periods import period_containing
from storage.records import Person
from storage.repository import Repository

TEAM = -100500
PEOPLE = 30
METRICS = ("leads", "qualified_leads", "posts", "response_time", "followers", "unsubscribes",
           "views", "likes", "comments", "shares", "sales", "revenue")  # fmt: skip
TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def rows(days: int) -> list[Entry]:
    rng = random.Random(1)
    out = []
    for offset in range(days):
        day = TODAY - timedelta(days=offset)
        for uid in range(1, PEOPLE + 1):
            for metric in METRICS:
                value = rng.randint(1, 50) if metric != "followers" else 20_000 + offset
                out.append(Entry(TEAM, uid, metric, float(value), day))
    return out


async def fill(repo: Repository) -> int:
    await repo.teams.ensure_team(TEAM, "Bench", TeamSettings(), NOW - timedelta(days=800))
    for uid in range(1, PEOPLE + 1):
        await repo.teams.ensure_member(TEAM, Person(uid, f"Person {uid}", f"p{uid}"), NOW)
    count = await repo.entries.insert_many(rows(730), NOW)
    start = date(2024, 1, 1)
    for kpi, value, direction in (("leads", 9000, Direction.AT_LEAST),
                                  ("response_median", 30, Direction.AT_MOST),
                                  ("posts", 9000, Direction.AT_LEAST)):  # fmt: skip
        await repo.targets.add(Target(TEAM, kpi, PeriodKind.MONTH, value, direction, start), 1, NOW)
    return count


async def main(calls: int, db: Path) -> None:
    repo = await Repository.open(db)
    t0 = time.perf_counter()
    count = await fill(repo)
    print(f"filled {count} entries in {time.perf_counter() - t0:.1f} s ({db})")
    team = await repo.teams.get(TEAM)
    assert team is not None
    texts = Translator("ru").bind("ru")
    period = period_containing(PeriodKind.MONTH, TODAY)
    for _ in range(5):  # warm-up: page cache, statement cache
        await kpi_text(repo, team, period, TODAY, texts)
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        await kpi_text(repo, team, period, TODAY, texts)
        samples.append((time.perf_counter() - start) * 1000)
    await repo.close()
    samples.sort()
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    print(f"/kpi month, team view: median {statistics.median(samples):.1f} ms, "
          f"p95 {p95:.1f} ms over {calls} calls (goal: p95 < 50 ms)")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(main(args.calls, args.db or Path(tmp) / "bench.sqlite3"))
