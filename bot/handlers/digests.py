"""/report — the digest on demand; /remind — a person's own daily reminder."""

from __future__ import annotations

import re

from aiogram import Bot
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.clock import Clock
from bot.context import Ctx
from bot.delivery import ChatGone, Failed, Uncertain, send_album_and_text
from bot.digest import ChartRenderer, build_digest
from bot.goals import TARGET_KINDS
from bot.handlers.common import team_or_explain
from bot.routing import Router
from kpi.models import PeriodKind
from kpi.periods import local_today, period_containing
from storage.repository import Repository

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


async def report_now(
    message: Message,
    command: CommandObject,
    ctx: Ctx,
    repo: Repository,
    clock: Clock,
    bot: Bot,
    charts: ChartRenderer,
) -> None:
    """The current period so far, as the scheduled digest would show it."""
    team = await team_or_explain(message, ctx)
    if team is None:
        return
    words = (command.args or "week").lower().split()
    if len(words) != 1 or words[0] not in TARGET_KINDS:
        await message.reply(ctx.t("report-usage"))
        return
    kind: PeriodKind = TARGET_KINDS[words[0]]
    today = local_today(clock.now(), team.settings.timezone)
    period = period_containing(kind, today)
    digest = await build_digest(repo, team, period, today, ctx.t, charts)
    try:
        await send_album_and_text(bot, message.chat.id, digest.charts, digest.text)
    except (ChatGone, Failed, Uncertain):
        return  # logged by delivery; nothing more can be said in this chat


async def remind(message: Message, command: CommandObject, ctx: Ctx, repo: Repository) -> None:
    arg = (command.args or "").strip().lower()
    team_time = ctx.team.schedule.reminder_time if ctx.team else "18:00"
    if arg in ("off", "выкл", "нет"):
        await repo.teams.set_remind(ctx.person.id, False)
        await message.reply(ctx.t("remind-off"))
    elif arg in ("on", "вкл", "да"):
        await repo.teams.set_remind(ctx.person.id, True)
        await message.reply(ctx.t("remind-on", time=ctx.person.remind_time or team_time))
    elif match := _HHMM.match(arg):
        at = f"{int(match.group(1)):02d}:{match.group(2)}"
        await repo.teams.set_remind(ctx.person.id, True, at)
        await message.reply(ctx.t("remind-on", time=at))
    else:
        await message.reply(ctx.t("remind-usage"))


def create_router() -> Router:
    router = Router(name="digests")
    router.message.register(report_now, Command("report"))
    router.message.register(remind, Command("remind"))
    return router
