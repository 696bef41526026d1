"""What is due when: digests after each period and daily reminders, in each team's time zone.

One job runs every minute and asks `tick()` what is due at the clock's time; tests call
`tick()` directly with a moved clock instead of waiting until Monday.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiogram import Bot
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.checkin.flow import start as start_checkin
from bot.clock import Clock
from bot.config import Settings
from bot.delivery import ChatGone, Failed, Refused, Uncertain, delivered, send_album_and_text
from bot.digest import ChartRenderer, build_digest
from bot.i18n import Translator
from kpi.models import Period, PeriodKind
from kpi.periods import last_finished
from storage.backup import backup, newest
from storage.records import Person, Team
from storage.repository import Repository

log = logging.getLogger(__name__)
DIGEST_KINDS = (PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER)
# Digests to different teams in flight at once: the shared RateLimiter (installed on the bot,
# bot/delivery/retry.py) paces them, a few
# lanes hide each request's latency (bench/bench_fanout.py: 1.06x the limits' minimum).
DELIVERY_LANES = 4
MAX_ATTEMPTS = 5  # a digest Telegram keeps refusing is given up after this many ticks
# The chart thread is warmed this long before a digest falls due (ChartRenderer.warm_up):
# two minute ticks, so one missed tick still leaves one.
WARM_AHEAD = timedelta(minutes=2)


def hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def due_digest(kind: PeriodKind, team: Team, now: datetime) -> Period | None:
    """The latest finished period of `kind` once its send time has passed, else None.

    Only the latest: after a long downtime the team gets the newest digest of each kind,
    not a backlog. A team created after the period ended gets none for it.
    """
    tz = ZoneInfo(team.settings.timezone)
    local = now.astimezone(tz)
    period = last_finished(kind, local.date())
    send_day = period.end
    if kind is PeriodKind.WEEK:
        send_day += timedelta(days=team.schedule.digest_weekday)
    send_at = datetime.combine(send_day, hhmm(team.schedule.digest_time), tz)
    if local < send_at:
        return None
    ended = datetime.combine(period.end, time(0), tz)
    if team.created_at is not None and team.created_at > ended:
        return None
    return period


def _falls_due(kind: PeriodKind, team: Team, now: datetime, due_now: Period | None) -> bool:
    """A digest of `kind` becomes due within WARM_AHEAD from `now` (`due_now`: the one due
    at `now`, if any)."""
    soon = due_digest(kind, team, now + WARM_AHEAD)
    return soon is not None and soon != due_now


class Digests:
    def __init__(
        self,
        repo: Repository,
        bot: Bot,
        translator: Translator,
        clock: Clock,
        charts: ChartRenderer,
    ):
        self.repo = repo
        self.bot = bot  # its session paces and retries every send (bot.delivery.install)
        self.translator = translator
        self.clock = clock
        # The lanes overlap sending; rendering stays one digest at a time (ChartRenderer).
        self.charts = charts

    async def tick(self) -> None:
        now = self.clock.now()
        teams = await self.repo.teams.active_teams()
        now_due = [(t, k, due_digest(k, t, now)) for t in teams for k in DIGEST_KINDS]
        due = [(t, p) for t, _, p in now_due if p]
        lanes = asyncio.Semaphore(DELIVERY_LANES)

        async def deliver(team: Team, period: Period) -> None:
            async with lanes:
                await self.deliver(team, period)

        await asyncio.gather(*(deliver(team, period) for team, period in due))
        for team in teams:
            await self.remind(team, now)
        if any(_falls_due(k, t, now, p) for t, k, p in now_due):
            await self.charts.warm_up()

    async def deliver(self, team: Team, period: Period) -> str:
        """Send one scheduled digest at most once; returns the state it ends in."""
        state = await self.repo.digests.state(team.id, period)
        if state is not None and (
            state.state != "failed" or not state.retry or state.attempts >= MAX_ATTEMPTS
        ):
            return state.state
        t = self.translator.bind(team.settings.language)
        today = period.end  # the period is over: judge it as a whole
        digest = await build_digest(self.repo, team, period, today, t, self.charts)
        if not await self.repo.digests.claim(team.id, period, self.clock.now()):
            return "taken"
        finish = self.repo.digests.finish
        try:
            ids = await send_album_and_text(self.bot, team.id, digest.charts, digest.text)
        except ChatGone as exc:
            log.warning("team %s removed the bot: %s", team.id, exc)
            await finish(team.id, period, "failed", self.clock.now(), error=str(exc), retry=False)
            await self.repo.teams.set_active(team.id, False)
            return "gone"
        except Uncertain as exc:
            log.error("digest for %s %s may or may not have arrived: %s", team.id, period, exc)
            await finish(team.id, period, "uncertain", self.clock.now(), error=str(exc))
            return "uncertain"
        except Refused as exc:  # a 4xx: the same digest would be refused again
            log.error("digest for %s %s refused by Telegram: %s", team.id, period, exc)
            await finish(team.id, period, "failed", self.clock.now(), error=str(exc), retry=False)
            return "refused"
        except Failed as exc:
            log.warning("digest for %s %s failed, will retry: %s", team.id, period, exc)
            await finish(team.id, period, "failed", self.clock.now(), error=str(exc))
            return "failed"
        except BaseException as exc:  # a bug or a shutdown: never left 'sending'
            error = f"{type(exc).__name__}: {exc}"  # part of it may be in the chat
            await finish(team.id, period, "uncertain", self.clock.now(), error=error)
            raise
        await finish(team.id, period, "sent", self.clock.now(), message_ids=ids)
        return "sent"

    async def remind(self, team: Team, now: datetime) -> int:
        """Workdays, from the reminder time on: a nudge to members who logged nothing today."""
        local = now.astimezone(ZoneInfo(team.settings.timezone))
        today = local.date()
        if today.weekday() not in team.settings.workdays:
            return 0
        sent = 0
        silent = await self.repo.teams.silent_members(team.id, today, today + timedelta(days=1))
        for person in silent:
            at = hhmm(person.remind_time or team.schedule.reminder_time)
            if not person.remind or local.time() < at:
                continue
            if await self.repo.digests.claim_reminder(team.id, person.id, today):
                sent += await self._nudge(person, team, today)
        return sent

    async def _nudge(self, person: Person, team: Team, today: date) -> int:
        t = self.translator.bind(self.translator.language(person.language))
        notice = t("reminder", team=team.title)  # on top of a check-in for the team
        ci, text, markup = await start_checkin(
            self.repo, team, person.id, person.id, t, self.clock.now(), notice=notice
        )
        try:
            sent = await delivered(self.bot.send_message(person.id, text, reply_markup=markup))
        except (ChatGone, Failed, Uncertain) as exc:
            # 403 is normal here: the person never opened a private chat with the bot.
            log.info("no reminder for %s: %s", person.id, exc)
            return 0
        await self.repo.checkins.set_message(ci.id, sent.message_id)
        return 1


async def backup_if_due(
    database: Path, directory: Path, clock: Clock, every: timedelta, keep: int
) -> Path | None:
    """An online backup once the newest one in `directory` is `every` old (restarts and
    `kpibot backup` by hand count too); failures are logged, the bot keeps running."""
    now = clock.now()
    last = newest(directory) if directory.is_dir() else None
    if last is not None and now - last < every:
        return None
    try:
        path = await backup(database, directory, now, keep)
    except (OSError, sqlite3.Error) as exc:
        log.error("backup of %s into %s failed: %s", database, directory, exc)
        return None
    log.info("backup written: %s", path)
    return path


def create_scheduler(
    digests: Digests, settings: Settings | None = None, database: str | Path | None = None
) -> AsyncIOScheduler:
    """The minute tick; plus backups when BACKUP_DIR is set and `database` is a file."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        digests.tick,
        IntervalTrigger(minutes=1),
        id="tick",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=120,
    )
    if settings is not None and settings.backup_dir and database and database != ":memory:":
        every = timedelta(hours=settings.backup_every_hours)
        scheduler.add_job(
            backup_if_due,
            IntervalTrigger(seconds=min(every, timedelta(minutes=10)).total_seconds()),
            args=(Path(database), settings.backup_dir, digests.clock, every, settings.backup_keep),
            id="backup",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=600,
        )
    return scheduler
