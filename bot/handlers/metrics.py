"""/metric add <key> <kind> <name> — a team's own metric, usable in /log, targets and /kpi."""

from __future__ import annotations

from aiogram import Bot
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.access import Access
from bot.clock import Clock
from bot.context import Ctx
from bot.handlers.common import team_or_explain
from bot.reports import team_metrics
from bot.routing import Router
from kpi.metrics import BUILTIN_METRICS, CUSTOM_KEY_RE, DERIVED_KPIS, METRIC_ALIASES
from kpi.models import MetricKind
from storage.repository import Repository
from storage.targets import custom_metric

_KINDS = {k.value: k for k in MetricKind} | {
    "счётчик": MetricKind.COUNTER, "снимок": MetricKind.GAUGE,
    "время": MetricKind.DURATION, "деньги": MetricKind.MONEY,
}  # fmt: skip
MAX_NAME = 40


async def metric(
    message: Message,
    command: CommandObject,
    ctx: Ctx,
    repo: Repository,
    clock: Clock,
    access: Access,
    bot: Bot,
) -> None:
    team = await team_or_explain(message, ctx)
    if team is None:
        return
    words = (command.args or "").split(maxsplit=3)
    if not words or words[0].lower() != "add":
        metrics = await team_metrics(repo, team.id)
        custom = [f"{m.key} — {m.custom_name}" for m in metrics.values() if m.custom_name]
        await message.reply(ctx.t("metric-list", items="\n".join(custom) or "—"))
        return
    if not await access.is_manager(bot, team.id, ctx.person.id):
        await message.reply(ctx.t("metric-only-managers"))
        return
    if len(words) < 4 or words[2].lower() not in _KINDS:
        await message.reply(ctx.t("metric-usage"))
        return
    key, kind, name = words[1].lower(), _KINDS[words[2].lower()], words[3].strip()
    taken = key in BUILTIN_METRICS or key in DERIVED_KPIS or key in METRIC_ALIASES
    if not CUSTOM_KEY_RE.match(key) or taken:
        await message.reply(ctx.t("metric-bad-key", key=key))
        return
    if not name or len(name) > MAX_NAME:
        await message.reply(ctx.t("metric-bad-name", max=MAX_NAME))
        return
    if not await repo.targets.add_metric(team.id, custom_metric(key, kind, name), clock.now()):
        await message.reply(ctx.t("metric-exists", key=key))
        return
    await message.reply(ctx.t("metric-added", key=key, name=name))


def create_router() -> Router:
    router = Router(name="metrics")
    router.message.register(metric, Command("metric"))
    return router
