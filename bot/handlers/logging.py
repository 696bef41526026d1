"""Logging commands: /lead /qlead /post /sale /resp /log — and their edits."""

from __future__ import annotations

from datetime import datetime

from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.capture.channels import captured_metric
from bot.clock import Clock
from bot.context import Ctx
from bot.delivery.confirmations import confirmation, merge_part
from bot.delivery.outbox import Outbox
from bot.handlers.common import team_or_explain
from bot.logbook import record
from bot.parsing import ParseError, parse_command
from bot.reports import team_metrics
from bot.routing import Router
from bot.texts import metric_name
from bot.views import saved
from kpi.periods import local_today
from storage.records import Source
from storage.repository import Repository

LOG_COMMANDS = ("lead", "qlead", "post", "sale", "resp", "log")


async def log_entry(
    message: Message,
    command: CommandObject,
    ctx: Ctx,
    repo: Repository,
    clock: Clock,
    outbox: Outbox,
) -> None:
    await _log(message, command, ctx, repo, clock, outbox, revision=0)


async def log_edit(
    message: Message,
    command: CommandObject,
    ctx: Ctx,
    repo: Repository,
    clock: Clock,
    outbox: Outbox,
) -> None:
    # The edit_date tells revisions apart: the newest edit replaces what earlier ones stored.
    stamp = message.edit_date
    edited = int(stamp.timestamp()) if isinstance(stamp, datetime) else int(stamp or 1)
    await _log(message, command, ctx, repo, clock, outbox, revision=edited)


async def _log(
    message: Message,
    command: CommandObject,
    ctx: Ctx,
    repo: Repository,
    clock: Clock,
    outbox: Outbox,
    *,
    revision: int,
) -> None:
    team = await team_or_explain(message, ctx)
    if team is None:
        return
    now = clock.now()
    today = local_today(now, team.settings.timezone)
    # The entry's day is the day the message was typed, not the day it is handled (a backlog,
    # a restart): `date` is when it was sent, and an edited message keeps its original `date`.
    sent_day = local_today(message.date, team.settings.timezone)
    metrics = await team_metrics(repo, team.id)
    custom = {k: m for k, m in metrics.items() if m.custom_name}
    try:
        parsed = parse_command(command.command.lower(), command.args, sent_day, custom)
    except ParseError as error:
        await message.reply(ctx.t(f"err-{error.code}", **error.params))
        return
    key = captured_metric(parsed) if command.command.lower() == "log" else None
    if key and await repo.capture.has_channel(team.id):  # the bot counts it itself
        await message.reply(ctx.t("log-captured", metric=metric_name(key, ctx.t, metrics), key=key))
        return
    source = Source(message.chat.id, message.message_id, revision)
    recorded = await record(repo, team.id, ctx.person.id, parsed, metrics, now, source)
    currency = team.settings.currency
    text = saved(recorded, ctx.t, currency, custom, today)
    if recorded.result.replaced:
        text = ctx.t("edited") + "\n" + text
    # Sent now, or queued to go out merged in a busy group (bot/delivery/outbox.py); a
    # redelivered command is confirmed only if the first run did not get that far.
    item = confirmation(message, revision, ctx.person, ctx.t, text, now)
    await outbox.put(
        item,
        lambda: merge_part(recorded, ctx.t, currency, custom),
        repeated=recorded.result.duplicate,
    )


def create_router() -> Router:
    router = Router(name="logging")
    router.message.register(log_entry, Command(*LOG_COMMANDS))
    router.edited_message.register(log_edit, Command(*LOG_COMMANDS))
    return router
