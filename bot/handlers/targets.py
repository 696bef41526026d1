"""Targets: /target (managers), /targets and /top (everyone in the team)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot import texts as fmt
from bot.access import Access
from bot.chunks import answer_long
from bot.clock import Clock
from bot.context import Ctx
from bot.goal_views import goals_block
from bot.goals import TARGET_KINDS, goal_lines, parse_target_value, resolve_kpi
from bot.handlers.common import managed_team, team_or_explain
from bot.i18n import Html
from bot.parsing import ParseError
from bot.reports import build_report, team_metrics
from bot.routing import Router
from bot.status_text import top_text
from kpi.metrics import all_kpis
from kpi.models import Direction, PeriodKind, Target
from kpi.periods import local_today, period_containing
from storage.repository import Repository


async def set_target(
    message: Message,
    command: CommandObject,
    ctx: Ctx,
    repo: Repository,
    clock: Clock,
    access: Access,
    bot: Bot,
) -> None:
    team = await managed_team(message, ctx, access, bot, "target-only-managers")
    if team is None:
        return
    words = (command.args or "").split()
    if len(words) < 2:
        await message.reply(ctx.t("target-usage"))
        return
    metrics = await team_metrics(repo, team.id)
    custom = {k: m for k, m in metrics.items() if m.custom_name}
    found = resolve_kpi(words[0], custom)
    if found is None:
        await message.reply(ctx.t("target-unknown-kpi", word=words[0]))
        return
    key, kpi = found
    try:
        value = parse_target_value(words[1], kpi)
    except ParseError as error:
        await message.reply(ctx.t(f"err-{error.code}", **error.params))
        return
    kind, person = PeriodKind.MONTH, None
    for word in words[2:]:
        if word.lower() in TARGET_KINDS:
            kind = TARGET_KINDS[word.lower()]
        elif word.startswith("@") and person is None:
            person = await repo.teams.find_person(team.id, word)
            if person is None:
                await message.reply(ctx.t("kpi-unknown-person", who=word))
                return
        else:
            await message.reply(ctx.t("target-usage"))
            return
    now = clock.now()
    # A change applies from the current period on; earlier periods keep their target.
    start = period_containing(kind, local_today(now, team.settings.timezone)).start
    target = Target(team.id, key, kind, value, kpi.direction, start, person.id if person else None)
    await repo.targets.add(target, ctx.person.id, now)
    await message.reply(
        ctx.t(
            "target-set",
            kpi=fmt.metric_name(key, ctx.t, metrics),
            sign="≤" if kpi.direction is Direction.AT_MOST else "≥",
            value=Html(fmt.kpi_value(value, kpi, ctx.t, team.settings.currency)),
            period=ctx.t(f"period-word-{kind.value}"),
            **{"from": fmt.short_date(start, ctx.t.lang)},
            person=Html(ctx.t("target-set-person", person=person.display) if person else ""),
        )
    )


async def list_targets(message: Message, ctx: Ctx, repo: Repository, clock: Clock) -> None:
    team = await team_or_explain(message, ctx)
    if team is None:
        return
    targets = await repo.targets.all(team.id)
    today = local_today(clock.now(), team.settings.timezone)
    names = {p.id: p.display for p in await repo.teams.people(team.id, active_only=False)}
    blocks = []
    for kind in (PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER):
        if not any(t.period_kind is kind for t in targets):
            continue
        built = await build_report(repo, team, period_containing(kind, today), today)
        lines = goal_lines(built, targets, today)
        if lines:
            title = fmt.period_label(built.report.period, ctx.t)
            block = goals_block(
                lines, built.report.period, today, ctx.t, team.settings.currency,
                built.metrics, names,
            )  # fmt: skip
            blocks.append(f"<b>{title}</b>\n{block}")
    if not blocks:
        await message.reply(ctx.t("targets-empty"))
        return
    await answer_long(message, "\n\n".join([ctx.t("targets-title"), *blocks]))


async def top(
    message: Message, command: CommandObject, ctx: Ctx, repo: Repository, clock: Clock
) -> None:
    team = await team_or_explain(message, ctx)
    if team is None:
        return
    today = local_today(clock.now(), team.settings.timezone)
    metrics = await team_metrics(repo, team.id)
    custom = {k: m for k, m in metrics.items() if m.custom_name}
    key, kpi = "leads", all_kpis(custom)["leads"]
    kind = PeriodKind.MONTH
    for word in (command.args or "").split():
        found = resolve_kpi(word, custom)
        if word.lower() in TARGET_KINDS:
            kind = TARGET_KINDS[word.lower()]
        elif found is not None and found[1].per_person:
            key, kpi = found
        else:
            await message.reply(ctx.t("top-usage"))
            return
    period = period_containing(kind, today)
    await answer_long(message, await top_text(repo, team, period, today, ctx.t, key, kpi))


def create_router() -> Router:
    router = Router(name="targets")
    router.message.register(set_target, Command("target"))
    router.message.register(list_targets, Command("targets"))
    router.message.register(top, Command("top"))
    return router
