"""/checkin and its buttons, `/start checkin`, typed values, quick keys and /keys."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardRemove

from bot.checkin import quick_keys
from bot.checkin.flow import log_value, render, start
from bot.checkin.keyboards import CheckinButton
from bot.checkin.presses import apply
from bot.clock import Clock
from bot.context import SELF_CHECKED, Ctx
from bot.delivery.lean import EditMessageTextForId, SendMessageForId
from bot.handlers.common import in_group, in_private, team_or_explain
from bot.logbook import record
from bot.parsing import ParseError, parse_command
from bot.reports import team_metrics
from bot.routing import Router
from bot.scoreboard import Scoreboards
from bot.scoreboard_view import board_markup
from bot.status_text import kpi_text
from bot.views import saved
from kpi.models import PeriodKind
from kpi.periods import local_today, period_containing
from storage.checkin import Checkin
from storage.records import Source, Team
from storage.repository import Repository

log = logging.getLogger(__name__)


async def open_checkin(
    bot: Bot, repo: Repository, team: Team, ctx: Ctx, chat_id: int, clock: Clock,
    metric: str | None = None,
) -> None:  # fmt: skip
    ci, text, markup = await start(
        repo, team, ctx.person.id, chat_id, ctx.t, clock.now(), metric=metric
    )
    sent = await bot(SendMessageForId(chat_id=chat_id, text=text, reply_markup=markup))
    await repo.checkins.set_message(ci.id, sent.message_id)


async def checkin_command(
    message: Message, ctx: Ctx, repo: Repository, clock: Clock, bot: Bot
) -> None:
    team = await team_or_explain(message, ctx)
    if team is None:
        return
    await open_checkin(bot, repo, team, ctx, message.chat.id, clock)
    if await repo.checkins.quick_keys(ctx.person.id) is None:  # offered once, on the first
        await _show_keys(message, ctx, repo, clock, team)


async def checkin_in_group(message: Message, ctx: Ctx, bot: Bot) -> None:
    """In the group: the «Записать за сегодня» link that opens the check-in in private."""
    markup = board_markup((await bot.me()).username, ctx.t)
    await message.reply(ctx.t("checkin-in-private"), reply_markup=markup)


async def is_checkin_link(message: Message) -> bool:
    """`/start checkin`: the «Записать за сегодня» link (t.me/<bot>?start=checkin)."""
    return (message.text or "").split()[1:] == ["checkin"]


async def _show_keys(
    message: Message, ctx: Ctx, repo: Repository, clock: Clock, team: Team
) -> None:
    today = local_today(clock.now(), team.settings.timezone)
    used = await repo.checkins.usage(team.id, ctx.person.id, today - timedelta(days=30))
    quick = quick_keys.actions(used, await team_metrics(repo, team.id), ctx.t)
    await repo.checkins.set_quick_keys(ctx.person.id, True)
    await message.answer(ctx.t("keys-shown"), reply_markup=quick_keys.keyboard(quick))


async def keys_command(
    message: Message, command: CommandObject, ctx: Ctx, repo: Repository, clock: Clock
) -> None:
    if (command.args or "").strip().lower() in ("off", "выкл", "нет"):
        await repo.checkins.set_quick_keys(ctx.person.id, False)
        await message.answer(ctx.t("keys-off"), reply_markup=ReplyKeyboardRemove())
        return
    team = await team_or_explain(message, ctx)
    if team is not None:
        await _show_keys(message, ctx, repo, clock, team)


async def pressed(
    query: CallbackQuery,
    callback_data: CheckinButton,
    ctx: Ctx,
    repo: Repository,
    clock: Clock,
    bot: Bot,
    scoreboards: Scoreboards,
) -> None:
    ci = await repo.checkins.get(callback_data.c)
    stale = (
        ci is None
        or not callback_data.valid()
        or ci.user_id != query.from_user.id
        or ci.closed
        or ci.version != callback_data.v
        or query.message is None
        or query.message.message_id != ci.message_id
    )
    if stale or ci is None:
        await _answer(query, ctx.t.plain("checkin-stale"))
        return
    team, member = await repo.teams.with_member(ci.team_id, ci.user_id)  # kept between updates
    if team is None or not team.active or member is None or not member[0]:
        await _answer(query, ctx.t.plain("not-member"), show_alert=True)
        return
    outcome = await apply(
        repo, ci, callback_data, team, ctx.t, clock.now(), partial(_answer, query)
    )
    if not outcome.told:  # first: the tap's spinner stops at once
        await _answer(query, outcome.answer)
    if outcome.recorded:
        scoreboards.touch(bot, team.id)
    if outcome.view is not None:
        await _edit(bot, ci, *await outcome.view())


async def _answer(query: CallbackQuery, text: str | None = None, **kwargs: bool) -> None:
    """Answer a press; a press delivered twice finds its query answered already (400)."""
    try:
        await query.answer(text, **kwargs)
    except TelegramBadRequest as exc:
        log.info("callback %s not answered: %s", query.id, exc)


async def _edit(bot: Bot, ci: Checkin, text: str, markup: InlineKeyboardMarkup | None) -> None:
    if ci.message_id is None:
        return
    try:
        await bot(
            EditMessageTextForId(
                text=text, chat_id=ci.chat_id, message_id=ci.message_id, reply_markup=markup
            )
        )
    except TelegramBadRequest as exc:  # unchanged, or deleted by the person: nothing to fix
        log.info("check-in %s not edited: %s", ci.id, exc)


async def typed_text(
    message: Message, ctx: Ctx, repo: Repository, clock: Clock, bot: Bot, scoreboards: Scoreboards
) -> None:
    """A quick key, or a value typed while the number pad is open (`12`, `1ч 30м`)."""
    text = (message.text or "").strip()
    team = ctx.team
    if team is not None:
        metrics = await team_metrics(repo, team.id)
        action = quick_keys.match(text, metrics, ctx.t)
        if action is not None:
            await _quick(message, action, team, ctx, repo, clock, bot)
            scoreboards.touch(bot, team.id)
            return
    ci = await repo.checkins.current(ctx.person.id)
    if ci is None or ci.metric is None:
        return
    team, member = await repo.teams.with_member(ci.team_id, ci.user_id)
    if team is None or member is None or not member[0]:
        return
    now = clock.now()
    today = local_today(now, team.settings.timezone)
    source = Source(message.chat.id, message.message_id)
    try:
        recorded, custom = await log_value(
            repo, team, ci.user_id, ci.metric, text, ci.day, now, source
        )
    except ParseError as error:
        await message.reply(ctx.t(f"err-{error.code}", **error.params))
        return
    confirmation = saved(recorded, ctx.t, team.settings.currency, custom, today)
    await message.reply(confirmation)
    scoreboards.touch(bot, team.id)
    moved = await repo.checkins.advance(ci.id, ci.version, now, more=ci.more)
    if moved is not None:
        await _edit(bot, moved, *await render(repo, moved, team, ctx.t, today, notice=confirmation))


async def _quick(
    message: Message, action: quick_keys.QuickAction, team: Team, ctx: Ctx, repo: Repository,
    clock: Clock, bot: Bot,
) -> None:  # fmt: skip
    now = clock.now()
    today = local_today(now, team.settings.timezone)
    if action.kind == "kpi":
        period = period_containing(PeriodKind.MONTH, today)
        await message.answer(await kpi_text(repo, team, period, today, ctx.t, ctx.person))
        return
    if action.kind == "pad":
        await open_checkin(bot, repo, team, ctx, message.chat.id, clock, action.metric)
        return
    metrics = await team_metrics(repo, team.id)
    parsed = parse_command(quick_keys.PLUS_ONE[action.metric], None, today)
    source = Source(message.chat.id, message.message_id)
    recorded = await record(repo, team.id, ctx.person.id, parsed, metrics, now, source)
    await message.answer(saved(recorded, ctx.t, team.settings.currency, {}, today))


async def unreadable(query: CallbackQuery, ctx: Ctx) -> None:
    """Check-in data that does not even parse (a crafted client): refused like a stale one."""
    await _answer(query, ctx.t.plain("checkin-stale"))


async def checkin_data(query: CallbackQuery) -> bool:
    return (query.data or "").startswith(CheckinButton.__prefix__ + ":")


async def plain_private_text(message: Message) -> bool:
    return (
        message.chat.type == "private" and bool(message.text) and not message.text.startswith("/")
    )


def create_router() -> Router:
    router = Router(name="checkin")
    router.message.register(checkin_command, Command("checkin"), in_private)
    router.message.register(checkin_in_group, Command("checkin"), in_group)
    router.message.register(checkin_command, Command("start"), is_checkin_link, in_private)
    router.message.register(keys_command, Command("keys"), in_private)
    # A press checks the check-in's owner and their membership itself (`pressed`).
    light = {SELF_CHECKED: True}
    router.callback_query.register(pressed, CheckinButton.filter(), flags=light)
    router.callback_query.register(unreadable, checkin_data, flags=light)
    router.message.register(typed_text, plain_private_text)
    return router
