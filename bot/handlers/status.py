"""Seeing numbers: /kpi and /me."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.clock import Clock
from bot.context import Ctx
from bot.handlers.common import team_or_explain
from bot.kpi_args import parse_kpi_args
from bot.parsing import ParseError
from bot.reports import build_report
from bot.views import report
from kpi.models import PeriodKind
from kpi.periods import local_today
from storage.repository import Repository

router = Router(name="status")


@router.message(Command("kpi"))
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
    person = None
    if args.username:
        person = await repo.teams.find_person(team.id, args.username)
        if person is None:
            await message.reply(ctx.t("kpi-unknown-person", who="@" + args.username))
            return
    built = await build_report(repo, team, args.period, today)
    if person is None:
        await message.reply(report(built, ctx.t))
    else:
        await message.reply(report(built, ctx.t, person_id=person.id, person_name=person.display))


@router.message(Command("me"))
async def me(
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
    built = await build_report(repo, team, args.period, today)
    await message.reply(
        report(built, ctx.t, person_id=ctx.person.id, person_name=ctx.person.display)
    )
