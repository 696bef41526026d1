"""`kpibot demo`: a sample team's weekly and monthly digest rendered offline, no token needed."""

from __future__ import annotations

import math
import random
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.demo_capture import CAPTURE_WEEKS, CAPTURED, seed_capture
from bot.digest import ChartRenderer, Digest, build_digest
from bot.i18n import Translator
from kpi.models import Direction, Entry, PeriodKind, Target, TeamSettings
from kpi.periods import last_finished, local_today
from storage.records import Person
from storage.repository import Repository

TEAM_ID = -1001000000001
PEOPLE = (
    # id, name, username, how busy (leads a workday), how reliable a logger (share of days)
    (101, "Анна Смирнова", "anna_smm", 2.2, 0.97),
    (102, "Борис Ковалёв", "boris_k", 1.6, 0.9),
    (103, "Вика Орлова", "vika_o", 1.2, 0.85),
    (104, "Глеб Павлов", "gleb_p", 0.9, 0.6),
    (105, "Дарья Ким", "dasha_kim", 1.4, 0.8),
)
WEEKS = 26  # half a year: the monthly trend shows six whole months


def _targets(start: date) -> list[Target]:
    ge, le = Direction.AT_LEAST, Direction.AT_MOST
    month, week = PeriodKind.MONTH, PeriodKind.WEEK
    rows = [
        ("leads", month, 160, ge), ("qualified_leads", month, 60, ge), ("posts", month, 60, ge),
        ("response_median", month, 45, le), ("response_sla", month, 95, ge),
        ("churn_pct", month, 2, le), ("conversion", month, 12, ge),
        ("engagement_rate", month, 5, ge), ("follower_growth", month, 900, ge),
        ("revenue", month, 350_000, ge), ("leads", week, 38, ge), ("posts", week, 14, ge),
        ("response_median", week, 45, le), ("response_sla", week, 95, ge),
    ]  # fmt: skip
    return [Target(TEAM_ID, k, p, v, d, start) for k, p, v, d in rows]


def sample_entries(
    first: date, last: date, seed: int = 7, captured_from: date | None = None
) -> list[Entry]:
    """Realistic, varied days: busier midweek, a slow person, a missed week, growth. From
    `captured_from` on, what the bot counts from the channel itself is left out."""
    rng = random.Random(seed)
    leave = last_finished(PeriodKind.WEEK, last + timedelta(days=1))
    out: list[Entry] = []
    followers = 18_400.0
    day = first
    while day <= last:
        workday = day.weekday() < 5
        season = 1 + 0.25 * math.sin(day.toordinal() / 9)  # campaigns come and go
        followers += rng.gauss(38 if workday else 22, 12)
        unsubscribes = max(0, round(rng.gauss(9, 3)))
        author = PEOPLE[day.toordinal() % len(PEOPLE)][0]
        if author == 104 and day in leave:
            author = 101
        out += [
            Entry(TEAM_ID, author, "followers", round(followers), day, "tg"),
            Entry(TEAM_ID, author, "unsubscribes", unsubscribes, day, "tg"),
        ]
        for uid, _name, _user, busy, reliable in PEOPLE:
            # Глеб was on leave the last finished week: the digest lists him as silent.
            on_leave = uid == 104 and day in leave
            if not workday or on_leave or rng.random() > reliable:
                continue
            leads = _poisson(rng, busy * season)
            qualified = sum(rng.random() < 0.42 for _ in range(leads))
            sales = sum(rng.random() < 0.12 for _ in range(leads))
            posts = _poisson(rng, 0.55)
            views = round(rng.gauss(700, 150) * max(posts, 0.3))
            entries = [
                ("leads", leads), ("qualified_leads", qualified), ("posts", posts),
                ("views", views), ("likes", round(views * rng.uniform(0.02, 0.04))),
                ("comments", round(views * rng.uniform(0.002, 0.006))),
                ("shares", round(views * rng.uniform(0.002, 0.008))),
                ("sales", sales), ("site_visits", round(views * rng.uniform(0.01, 0.03))),
            ]  # fmt: skip
            if sales:
                entries.append(("revenue", round(sales * rng.uniform(9_000, 26_000), -2)))
            for _ in range(rng.randint(2, 6)):
                entries.append(("response_time", round(rng.lognormvariate(3.4, 0.7), 1)))
            out += [Entry(TEAM_ID, uid, m, v, day, "vk" if m == "views" else None)
                    for m, v in entries if v]  # fmt: skip
        day += timedelta(days=1)
    if captured_from is not None:
        out = [e for e in out if e.day < captured_from or e.metric not in CAPTURED]
    return out


def _poisson(rng: random.Random, mean: float) -> int:
    threshold, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= threshold:
            return k
        k += 1


async def seed(repo: Repository, now: datetime, language: str = "ru") -> date:
    """The sample team with WEEKS weeks of entries up to yesterday; returns its today."""
    settings = TeamSettings(language=language, sla_minutes=60)
    team = await repo.teams.ensure_team(
        TEAM_ID, "SMM «Север»", settings, now - timedelta(weeks=WEEKS + 1)
    )
    today = local_today(now, team.settings.timezone)
    for uid, name, username, _busy, _rel in PEOPLE:
        await repo.teams.ensure_member(TEAM_ID, Person(uid, name, username, language), now)
    first = today - timedelta(weeks=WEEKS)
    linked = today - timedelta(weeks=CAPTURE_WEEKS)
    typed = sample_entries(first, today - timedelta(days=1), captured_from=linked)
    await repo.entries.insert_many(typed, now)
    followers = max((e.value for e in typed if e.metric == "followers"), default=18_400)
    people = [(uid, name) for uid, name, *_ in PEOPLE]
    await seed_capture(repo, TEAM_ID, people, linked, today - timedelta(days=1), int(followers),
                       now)  # fmt: skip
    for target in _targets(first - timedelta(days=first.day)):
        await repo.targets.add(target, PEOPLE[0][0], now)
    await repo.targets.add(
        Target(TEAM_ID, "leads", PeriodKind.MONTH, 45, Direction.AT_LEAST, first, PEOPLE[0][0]),
        PEOPLE[0][0], now,
    )  # fmt: skip
    return today


async def render_demo(out: Path, now: datetime, language: str = "ru") -> list[Path]:
    """Seed a throwaway database, render both digests into `out`, return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    charts = ChartRenderer()  # as the bot renders them: one at a time, off the loop
    with tempfile.TemporaryDirectory() as tmp:
        repo = await Repository.open(Path(tmp) / "demo.sqlite3")
        try:
            today = await seed(repo, now, language)
            team = await repo.teams.get(TEAM_ID)
            assert team is not None
            t = Translator(language).bind(language)
            for kind in (PeriodKind.WEEK, PeriodKind.MONTH):
                period = last_finished(kind, today)
                digest = await build_digest(repo, team, period, period.end, t, charts)
                written += _write(out, kind.value, digest)
        finally:
            charts.close()
            await repo.close()
    return written


def _write(out: Path, name: str, digest: Digest) -> list[Path]:
    files = [out / f"{name}.txt"]
    files[0].write_text(digest.text + "\n", encoding="utf-8")
    for chart, png in digest.charts:
        path = out / f"{name}-{chart}"
        path.write_bytes(png)
        files.append(path)
    return files
