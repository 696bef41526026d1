"""Builds the Bot and the Dispatcher; every dependency is passed in, nothing is global."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from apscheduler.triggers.interval import IntervalTrigger

from bot.access import Access
from bot.capture.subscribers import FollowerCounts
from bot.clock import Clock
from bot.commands import register_commands
from bot.config import Settings
from bot.context import ContextMiddleware
from bot.delivery import RateLimiter, install
from bot.delivery.outbox import Outbox
from bot.digest import ChartRenderer
from bot.handlers import get_routers
from bot.i18n import Translator
from bot.inbox import Inbox
from bot.polling import Lanes
from bot.scheduler import Digests, create_scheduler
from bot.scoreboard import Scoreboards
from bot.session import Session
from kpi.models import TeamSettings
from storage.repository import Repository


def create_bot(settings: Settings, limiter: RateLimiter | None = None) -> Bot:
    """A Bot talking to Telegram, or to TELEGRAM_API_URL when set (local Bot API, tests).

    With `limiter` (the dispatcher's; its startup installs it otherwise) every reply is
    paced and retried at the session (bot/delivery/retry.py), so no handler can forget."""
    if settings.telegram_api_url:
        session = Session(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    else:
        session = Session()
    bot = Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )
    if limiter is not None:
        install(bot, limiter)
    return bot


def create_dispatcher(
    settings: Settings,
    repo: Repository,
    clock: Clock,
    limiter: RateLimiter | None = None,
    *,
    schedule: bool = True,
) -> Dispatcher:
    """`schedule=False` leaves digests and reminders to the caller (tests drive tick()).

    `limiter` paces every send of the bot it runs (replies, the outbox, digests): pass the
    one given to create_bot."""
    translator = Translator(settings.default_language)
    limiter = limiter or RateLimiter()
    outbox = Outbox(repo, translator, limiter, clock)
    charts = ChartRenderer()  # one renderer for scheduled digests and /report
    defaults = TeamSettings(timezone=settings.default_timezone, language=settings.default_language)
    access = Access(repo, clock, settings.admin_cache_seconds)
    scoreboards = Scoreboards(repo, translator, clock, limiter)  # edits share the limiter
    dp = Dispatcher(
        repo=repo,
        clock=clock,
        translator=translator,
        defaults=defaults,
        settings=settings,
        access=access,
        limiter=limiter,
        charts=charts,
        scoreboards=scoreboards,
        outbox=outbox,
    )
    # outer: each person's updates in order, whatever runs alongside; a stored batch is
    # deleted once they are handled and the rows of the confirmations they sent are written
    inbox = Inbox(repo, outbox.written)  # bot/polling.py installs it on the session
    lanes = Lanes(outbox.written, inbox.finished)
    dp.update.outer_middleware(lanes)
    dp["lanes"] = lanes
    dp["inbox"] = inbox
    context = ContextMiddleware(repo, translator, clock, defaults, access)
    for observer in (dp.message, dp.edited_message, dp.callback_query):
        observer.middleware(context)  # inner: runs only for updates a handler takes
    dp.include_routers(*get_routers())

    async def on_startup(bot: Bot) -> None:
        install(bot, limiter)  # the same limiter for the bot's every send, whoever made it
        await outbox.start(bot)
        await register_commands(bot, translator)
        if schedule:
            digests = Digests(repo, bot, translator, clock, charts)
            scheduler = create_scheduler(digests, settings, repo.db.path)
            scheduler.add_job(
                scoreboards.tick, IntervalTrigger(seconds=20), args=(bot,), id="scoreboards",
                max_instances=1, coalesce=True, misfire_grace_time=60,
            )  # fmt: skip
            counts = FollowerCounts(repo, bot, clock)  # linked channels, at each day's end
            scheduler.add_job(counts.tick, IntervalTrigger(minutes=5), id="follower-counts",
                              max_instances=1, coalesce=True, misfire_grace_time=300)  # fmt: skip
            scheduler.start()
            dp["scheduler"] = scheduler

    async def on_shutdown() -> None:
        scheduler = dp.workflow_data.get("scheduler")
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        await lanes.drained()  # updates still running queue their confirmations first
        await outbox.stop()
        await scoreboards.close()
        charts.close()

    dp.startup.register(on_startup)
    dp.shutdown.register(on_shutdown)
    return dp
