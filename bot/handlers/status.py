"""Seeing numbers: /kpi and /me."""

from __future__ import annotations

from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.chunks import answer_long
from bot.clock import Clock
from bot.context import Ctx
from bot.handlers.common import team_or_explain
from bot.kpi_args import parse_kpi_args
from bot.parsing import ParseError
from bot.routing import Router
from bot.status_text import kpi_text
from kpi.models import PeriodKind
from kpi.periods import local_today
from storage.repository import Repository


async def kpi(
    message: Message, command: CommandObject, ctx: Ctx, repo: Repository, clock: Clock
) -> None:
    team = await team_or_explain(message, ctx)
    if team is None:
        return
    today = local_today(clock.now(), team.settings.timezone)
    try:
        args = parse_kpi_args(command.args, today, PeriodKind.MONTH)
    except ParseError:
        await message.reply(ctx.t("kpi-bad-args"))
        return
    person = ctx.person if command.command == "me" else None
    if args.username:
        person = await repo.teams.find_person(team.id, args.username)
        if person is None:
            await message.reply(ctx.t("kpi-unknown-person", who="@" + args.username))
            return
    await answer_long(message, await kpi_text(repo, team, args.period, today, ctx.t, person))


def create_router() -> Router:
    router = Router(name="status")
    router.message.register(kpi, Command("kpi", "me"))
    return router
