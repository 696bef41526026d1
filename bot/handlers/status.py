"""Seeing numbers: /kpi and /me."""

from __future__ import annotations

from datetime import date

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.clock import Clock
from bot.context import Ctx
from bot.goal_views import goals_block
from bot.goals import goal_lines
from bot.handlers.common import team_or_explain
from bot.kpi_args import parse_kpi_args
from bot.parsing import ParseError
from bot.reports import TeamReport, build_report
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
    person_id = person.id if person else None
    block = await status_block(repo, built, today, ctx, person_id)
    if person is None:
        await message.reply(report(built, ctx.t, status_block=block))
    else:
        await message.reply(
            report(
                built, ctx.t, person_id=person.id, person_name=person.display, status_block=block
            )
        )


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
    block = await status_block(repo, built, today, ctx, ctx.person.id)
    await message.reply(
        report(
            built,
            ctx.t,
            person_id=ctx.person.id,
            person_name=ctx.person.display,
            status_block=block,
        )
    )


async def status_block(
    repo: Repository, built: TeamReport, today: date, ctx: Ctx, person_id: int | None
) -> str:
    """The team's targets (and each person's) — or only one person's own targets."""
    targets = await repo.targets.all(built.team.id)
    lines = goal_lines(built, targets, today)
    if person_id is not None:
        lines = [x for x in lines if x.person_id == person_id]
    if not lines:
        return ""
    names = {p.id: p.display for p in await repo.teams.people(built.team.id, active_only=False)}
    currency = built.team.settings.currency
    return goals_block(lines, built.report.period, today, ctx.t, currency, built.metrics, names)
