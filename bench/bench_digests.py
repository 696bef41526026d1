"""Digest fan-out, the real product path: every team's weekly digest built and sent by
`Digests.tick()` (bot/scheduler.py) in a process of its own, against a fake Bot API that
enforces Telegram's limits (30 messages/s overall, 20/min per group; an album counts one
message per photo).

The driver (this process) fills a temporary SQLite database with N teams (3-5 people each,
two weeks of varied entries from bot/demo.py, two weekly targets), runs the fake, and starts
the sender: `create_bot()` pointed at the fake and a FixedClock. As under `kpibot run`, the
minute tick at 9:59 on a Monday (Moscow time) finds nothing due but warms the chart thread
for the digests due at 10:00 (untimed); then the timed `tick()` at 10:05, when each team's
weekly digest is due — queries, KPI maths, three charts rendered in the chart thread, album
+ text through bot/delivery/. The fake lives here so that the sender's VmHWM (peak RSS) is
the sender's alone; its RSS "after start-up" is read before the 9:59 tick.

Checked afterwards: every team got exactly one album and its text (counted by the fake) and
its digest is 'sent' in the database; 429 answers are counted.

    python -m bench.bench_digests [--teams 500] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import BenchFake, memory_kib
from bot.demo import PEOPLE as DEMO_PEOPLE
from bot.demo import sample_entries
from kpi.models import Direction, Entry, PeriodKind, Target, TeamSettings
from kpi.periods import last_finished
from storage.records import Person
from storage.repository import Repository
from tests.fake_telegram import Call
from tests.processes import ROOT, TOKEN

PER_SECOND, PER_CHAT_MINUTE = 30, 20
TEAM_BASE = -1002000000000
# Monday 10:05 in Moscow: the weekly digest (sent Mondays at 10:00) is due for Nov 16-22.
# Teams were created on Nov 8, after October ended, so no monthly or quarterly one is.
MOMENT = datetime(2026, 11, 23, 10, 5, tzinfo=ZoneInfo("Europe/Moscow")).astimezone(UTC)
BEFORE = timedelta(minutes=6)  # 9:59, the tick before the digests fall due at 10:00
WEEK = last_finished(PeriodKind.WEEK, date(2026, 11, 23))
CREATED = datetime(2026, 11, 8, 9, tzinfo=UTC)
FIRST_DAY, LAST_DAY = date(2026, 11, 9), date(2026, 11, 22)


# --- the database: N teams, as the bot would have stored them ---


def team_people(index: int) -> list[Person]:
    """3 to 5 people with the demo's Russian names; ids unique across teams."""
    count = 3 + index % 3
    return [
        Person(1_000_000 + index * 10 + k, name, f"{user}_{index}", "ru")
        for k, (_uid, name, user, _busy, _rel) in enumerate(DEMO_PEOPLE[:count])
    ]


async def fill(path: Path, teams: int) -> int:
    """Teams, members, targets one by one (as the bot stores them); entries in one batch."""
    repo = await Repository.open(path)
    try:
        entries: list[Entry] = []
        for i in range(teams):
            team_id = TEAM_BASE - i
            await repo.teams.ensure_team(team_id, f"SMM команда {i}", TeamSettings(), CREATED)
            people = team_people(i)
            for person in people:
                await repo.teams.ensure_member(team_id, person, CREATED)
            ids = [p.id for p in people]
            for e in sample_entries(FIRST_DAY, LAST_DAY, seed=i):  # demo ids 101..105
                uid = ids[(e.user_id - 101) % len(ids)]
                entries.append(replace(e, team_id=team_id, user_id=uid))
            for key, per_head in (("leads", 6 + i % 4), ("posts", 2 + i % 2)):
                target = Target(team_id, key, PeriodKind.WEEK, per_head * len(ids),
                                Direction.AT_LEAST, FIRST_DAY)  # fmt: skip
                await repo.targets.add(target, ids[0], CREATED)
        return await repo.entries.insert_many(entries, CREATED)
    finally:
        await repo.close()


async def digest_states(path: Path, teams: int) -> Counter[str]:
    repo = await Repository.open(path)
    try:
        states: Counter[str] = Counter()
        for i in range(teams):
            state = await repo.digests.state(TEAM_BASE - i, WEEK)
            states[state.state if state else "none"] += 1
        return states
    finally:
        await repo.close()


# --- the fake, counting what each chat received ---


class CountingFake(BenchFake):
    """BenchFake (lean: uploads dropped) that also counts accepted sends per chat and method."""

    def __init__(self) -> None:
        super().__init__(lean=True)
        self.per_chat: dict[int, Counter[str]] = {}

    def _limited(self, call: Call, handler: Callable[[Call], Any]) -> Any:
        result = super()._limited(call, handler)  # raises on 429 and other refusals
        chat = call.params.get("chat_id")
        if isinstance(chat, int):
            self.per_chat.setdefault(chat, Counter())[call.method] += 1
        return result


# --- the sender: what `kpibot run` does at 10:05 on a Monday ---


async def send(url: str, db: Path, out: Path, timeout: float) -> None:
    from bot.clock import FixedClock
    from bot.config import Settings
    from bot.delivery import RateLimiter
    from bot.digest import ChartRenderer
    from bot.factory import create_bot
    from bot.i18n import Translator
    from bot.scheduler import Digests

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings(_env_file=None, bot_token=TOKEN, database_path=db,  # type: ignore[call-arg]
                        telegram_api_url=url)  # fmt: skip
    bot = create_bot(settings, RateLimiter())  # paced and retried as under `kpibot run`
    repo = await Repository.open(db)
    translator = Translator(settings.default_language)
    clock = FixedClock(MOMENT - BEFORE)
    digests = Digests(repo, bot, translator, clock, ChartRenderer())
    started = memory_kib(os.getpid())
    try:
        # The minute tick before the digests fall due: nothing to send yet, but the chart
        # thread is warmed (bot/scheduler.py: WARM_AHEAD), as under `kpibot run`.
        warm_cpu, warm_start = time.process_time(), time.perf_counter()
        await asyncio.wait_for(digests.tick(), timeout)
        warm = {"seconds": time.perf_counter() - warm_start, "warm": digests.charts.warm,
                "cpu_seconds": time.process_time() - warm_cpu}  # fmt: skip
        clock.moment = MOMENT
        cpu = time.process_time()
        start = time.perf_counter()
        await asyncio.wait_for(digests.tick(), timeout)
        took = time.perf_counter() - start
    finally:
        await bot.session.close()
        await repo.close()
    end = memory_kib(os.getpid())
    out.write_text(json.dumps({
        "tick_seconds": took,
        "cpu_seconds": time.process_time() - cpu,
        "tick_before": warm,
        "startup_rss_kib": started.get("VmRSS"),
        "startup_hwm_kib": started.get("VmHWM"),
        "peak_hwm_kib": end.get("VmHWM"),
        "end_rss_kib": end.get("VmRSS"),
    }), encoding="utf-8")  # fmt: skip


# --- the driver ---


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8").splitlines()[-lines:])
    except OSError:
        return ""


async def _run_sender(url: str, db: Path, tmp: Path, timeout: float) -> dict[str, Any]:
    out, log_path = tmp / "sender.json", tmp / "sender.log"
    with log_path.open("w", encoding="utf-8") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.bench_digests", "--sender", url, str(db), str(out),
            str(timeout), cwd=ROOT, stdout=log, stderr=log,
        )  # fmt: skip
        try:
            code = await asyncio.wait_for(proc.wait(), timeout + 30)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise TimeoutError(f"sender still running after {timeout + 30:.0f} s") from None
    if code != 0 or not out.exists():
        raise RuntimeError(f"sender exited with {code}:\n{_tail(log_path)}")
    result = json.loads(out.read_text(encoding="utf-8"))
    logged = log_path.read_text(encoding="utf-8").splitlines()
    result["log_warnings"] = sum("WARNING" in ln or "ERROR" in ln for ln in logged)
    return result


async def run(teams: int = 500, timeout: float | None = None) -> dict[str, Any]:
    # Generous: three times the limits' minimum, and never under two minutes.
    timeout = timeout or max(120.0, 3 * teams * 4 / PER_SECOND)
    with tempfile.TemporaryDirectory(prefix="kpibench-digests-") as name:
        tmp = Path(name)
        db = tmp / "digests.sqlite3"
        start = time.perf_counter()
        rows = await fill(db, teams)
        filled = time.perf_counter() - start
        async with CountingFake() as fake:
            fake.enforce_limits(per_second=PER_SECOND, per_chat_per_minute=PER_CHAT_MINUTE)
            chats = [fake.group(TEAM_BASE - i, f"SMM команда {i}")["id"] for i in range(teams)]
            sender = await _run_sender(fake.base_url, db, tmp, timeout)
            if fake.errors:
                raise RuntimeError(f"fake errors: {fake.errors[:3]}")
            counts = [fake.per_chat.get(chat, Counter()) for chat in chats]
            span = (fake.last_send or 0.0) - (fake.first_send or 0.0)
            messages, refused = fake.units, fake.refused
        states = await digest_states(db, teams)
    once = sum(c["sendMediaGroup"] == 1 and c["sendMessage"] >= 1 for c in counts)
    floor = max(messages - PER_SECOND, 1) / PER_SECOND  # the first second's budget is free
    return {
        "teams": teams,
        "entries": rows,
        "fill_seconds": filled,
        "messages": messages,
        "refused_429": refused,
        "floor_seconds": floor,
        "send_span_seconds": span,
        "tick_seconds": sender["tick_seconds"],
        "ratio": sender["tick_seconds"] / floor,
        "delivered_once": once,
        "repeated": sum(c["sendMediaGroup"] > 1 for c in counts),
        "missing": sum(not c for c in counts),
        "db_states": dict(states),
        "sender": sender,
    }


def report(r: dict[str, Any]) -> str:
    s = r["sender"]
    mib = 1024
    return "\n".join([
        f"digests     {r['teams']} teams ({r['entries']} entries, filled in "
        f"{r['fill_seconds']:.1f} s): {r['messages']} messages in {r['tick_seconds']:.1f} s "
        f"(first to last send {r['send_span_seconds']:.1f} s); the limits allow "
        f"{r['floor_seconds']:.1f} s -> {r['ratio']:.3f}x; 429 answers: {r['refused_429']}",
        f"  exactly once: {r['delivered_once']}/{r['teams']} (repeated {r['repeated']}, "
        f"missing {r['missing']}); database: {r['db_states']}",
        f"  sender: RSS after start-up {s['startup_rss_kib'] / mib:.0f} MiB, peak (VmHWM) "
        f"{s['peak_hwm_kib'] / mib:.0f} MiB; CPU {s['cpu_seconds']:.1f} s "
        f"({s['cpu_seconds'] * 1000 / r['teams']:.0f} ms per digest)",
        f"  the tick at 9:59 (nothing due; chart thread warmed: {s['tick_before']['warm']}) "
        f"took {s['tick_before']['seconds']:.2f} s, CPU {s['tick_before']['cpu_seconds']:.2f} s",
    ])  # fmt: skip


def main() -> None:
    if sys.argv[1:2] == ["--sender"]:
        url, db, out, timeout = sys.argv[2:6]
        asyncio.run(send(url, Path(db), Path(out), float(timeout)))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--teams", type=int, default=500)
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()
    result = asyncio.run(run(args.teams))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(report(result))


if __name__ == "__main__":
    main()
