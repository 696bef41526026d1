"""/kpi, /top and /report month at scale: two years of daily entries for 30 people × 12
metrics (~260,000 rows) in one team.

Times each answer's text over N calls, interleaved so drift on a shared machine hits all alike,
and prints the median and 95th percentile. Goal: /kpi p95 under 50 ms.

- /kpi: `kpi_text()`, the function the handler calls (queries + KPI maths + targets + text).
- /top: `top_text()` (bot/status_text.py), as the handler calls it for its default
  arguments (leads, this month).
- /report month text: what `build_digest()` (bot/digest.py) reads for the text, then its
  `_text()`; the same without the trend queries and the three charts, which are timed whole as
  "/report month digest" (what the user waits for before the album arrives).
- reference: the two `period_data` reads every answer above starts with (this month and the
  previous one): the storage floor, measured in the same run.

    python -m bench.bench_kpi [--calls 100] [--db /tmp/kpi-bench.sqlite3] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import pct
from bot.digest import ChartRenderer, _text, build_digest
from bot.goals import goal_lines
from bot.i18n import Texts, Translator
from bot.reports import build_report, team_metrics
from bot.status_text import kpi_text
from bot.status_text import top_text as ranked_text
from kpi.metrics import all_kpis
from kpi.models import Direction, Entry, Period, PeriodKind, Target, TeamSettings
from kpi.periods import period_containing, previous_period
from storage.records import Person, Team
from storage.repository import Repository

TEAM = -100500
PEOPLE = 30
METRICS = ("leads", "qualified_leads", "posts", "response_time", "followers", "unsubscribes",
           "views", "likes", "comments", "shares", "sales", "revenue")  # fmt: skip
TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
GOAL_P95_MS = 50.0
WHOLE_DIGEST_SHARE = 4  # the whole digest (charts) is timed every 4th round: ~10x the others


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


CHARTS = ChartRenderer()  # as the bot: one renderer for every digest
Answer = Callable[[Repository, Team, Period, date, Texts], Awaitable[object]]


async def top_text(repo: Repository, team: Team, period: Period, today: date, t: Texts) -> str:
    return await ranked_text(repo, team, period, today, t, "leads", all_kpis()["leads"])


async def report_text(repo: Repository, team: Team, period: Period, today: date, t: Texts) -> str:
    """`build_digest()`'s reads for the text and its `_text()`: no trend queries, no charts."""
    built = await build_report(repo, team, period, today)
    lines = goal_lines(built, await repo.targets.all(team.id), today)
    people = {p.id: p.display for p in await repo.teams.people(team.id, active_only=False)}
    silent = await repo.teams.silent_members(team.id, period.start, period.end)
    return _text(built, lines, people, [p.display for p in silent], today, t)


async def report_digest(repo: Repository, team: Team, period: Period, today: date, t: Texts) -> str:
    return (await build_digest(repo, team, period, today, t, CHARTS)).text


async def storage_floor(
    repo: Repository, team: Team, period: Period, today: date, t: Texts
) -> None:
    metrics = await team_metrics(repo, team.id)
    await repo.entries.period_data(team.id, period, metrics)
    await repo.entries.period_data(team.id, previous_period(period), metrics)


CASES: dict[str, Answer] = {
    "/kpi": kpi_text,
    "/top": top_text,
    "/report month text": report_text,
    "/report month digest": report_digest,
    "reference: 2 period_data reads": storage_floor,
}


async def measure(calls: int, db: Path) -> dict[str, Any]:
    repo = await Repository.open(db)
    try:
        t0 = time.perf_counter()
        count = await fill(repo)
        filled = time.perf_counter() - t0
        print(f"filled {count} entries in {filled:.1f} s ({db})")
        team = await repo.teams.get(TEAM)
        assert team is not None
        texts = Translator("ru").bind("ru")
        period = period_containing(PeriodKind.MONTH, TODAY)
        args = (repo, team, period, TODAY, texts)
        digest = await report_digest(*args)
        if await report_text(*args) != digest:
            raise RuntimeError("report_text() no longer matches build_digest(): update the bench")
        for answer in CASES.values():  # warm-up: page cache, statement cache, fonts
            for _ in range(3):
                await answer(*args)
        samples: dict[str, list[float]] = {name: [] for name in CASES}
        for i in range(calls):
            for name, answer in CASES.items():
                if answer is report_digest and i % WHOLE_DIGEST_SHARE:
                    continue
                start = time.perf_counter()
                await answer(*args)
                samples[name].append((time.perf_counter() - start) * 1000)
    finally:
        await repo.close()
    cases = {name: {"calls": len(xs), "p50": pct(xs, 50), "p95": pct(xs, 95)}
             for name, xs in samples.items()}  # fmt: skip
    return {"entries": count, "fill_seconds": filled, "cases": cases}


def report(result: dict[str, Any]) -> str:
    lines = [f"at scale    {result['entries']} entries, one team of {PEOPLE}, month view"]
    for name, c in result["cases"].items():
        goal = f" (goal: p95 < {GOAL_P95_MS:.0f} ms)" if name == "/kpi" else ""
        lines.append(f"  {name:<31} median {c['p50']:6.1f} ms  p95 {c['p95']:6.1f} ms"
                     f"  over {c['calls']} calls{goal}")  # fmt: skip
    return "\n".join(lines)


def run(calls: int = 100, db: Path | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kpibench-kpi-") as tmp:
        return asyncio.run(measure(calls, db or Path(tmp) / "bench.sqlite3"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()
    figures = run(args.calls, args.db)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(report(figures))
