"""Fixing mistakes: /undo, /history with a delete button per entry."""

from __future__ import annotations

import html

from aiogram import Bot
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.access import Access
from bot.clock import Clock
from bot.context import Ctx
from bot.handlers.common import team_or_explain
from bot.keyboards import DeleteEntry, delete_buttons
from bot.reports import team_metrics
from bot.routing import Router
from bot.views import unit_short
from kpi.models import Entry
from storage.repository import Repository

HISTORY_SIZE = 10
BUTTON_TEXT = 60  # a /resp with many durations still makes a readable button
ALERT_TEXT = 200  # Telegram's limit for answerCallbackQuery text


async def undo(message: Message, ctx: Ctx, repo: Repository, clock: Clock) -> None:
    team = await team_or_explain(message, ctx)
    if team is None:
        return
    removed = await repo.entries.undo_last(team.id, ctx.person.id, clock.now())
    if not removed:
        await message.reply(ctx.t("undo-nothing"))
        return
    metrics = await team_metrics(repo, team.id)
    shown = unit_short(removed, ctx.t, team.settings.currency, metrics)
    await message.reply(ctx.t("undo-done", entry=shown))


async def history(message: Message, ctx: Ctx, repo: Repository) -> None:
    team = await team_or_explain(message, ctx)
    if team is None:
        return
    units = await repo.entries.recent_units(team.id, ctx.person.id, limit=HISTORY_SIZE)
    if not units:
        await message.reply(ctx.t("history-empty"))
        return
    metrics = await team_metrics(repo, team.id)
    currency = team.settings.currency
    labels = [  # a button label is plain text: `<3`, not `&lt;3`
        (
            unit[0].id or 0,
            _clip(_marked(html.unescape(unit_short(unit, ctx.t, currency, metrics)), unit, ctx),
                  BUTTON_TEXT),
        )
        for unit in units
    ]  # fmt: skip
    await message.reply(ctx.t("history-title"), reply_markup=delete_buttons(labels))


async def delete_entry(
    query: CallbackQuery,
    callback_data: DeleteEntry,
    ctx: Ctx,
    repo: Repository,
    clock: Clock,
    access: Access,
    bot: Bot,
) -> None:
    entry = await repo.entries.get(callback_data.entry_id)
    if entry is None:
        await query.answer(ctx.t("history-gone"), show_alert=True)
        return
    own = entry.user_id == ctx.person.id and await access.is_member(entry.team_id, ctx.person.id)
    own = own and entry.captured is None  # counted by the bot: only a manager excludes it
    if not own and not await access.is_manager(bot, entry.team_id, ctx.person.id):
        await query.answer(ctx.t("only-own"), show_alert=True)
        return
    removed = await repo.entries.delete_unit(entry.id or 0, ctx.person.id, clock.now())
    if not removed:  # deleted meanwhile (a double tap, /undo)
        await query.answer(ctx.t("history-gone"), show_alert=True)
        return
    team = await repo.teams.get(entry.team_id)
    metrics = await team_metrics(repo, entry.team_id)
    shown = unit_short(removed, ctx.t, team.settings.currency if team else "RUB", metrics)
    # An alert is plain text too.
    await query.answer(_clip(ctx.t.plain("history-deleted", entry=shown), ALERT_TEXT))
    if query.message is not None:
        await bot.send_message(query.message.chat.id, ctx.t("history-deleted", entry=shown))


def _marked(label: str, unit: tuple[Entry, ...], ctx: Ctx) -> str:
    """Entries the bot counted from Telegram (SPEC §10) say so."""
    return f"{ctx.t.plain('entry-auto')} {label}" if unit[0].captured else label


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def create_router() -> Router:
    router = Router(name="corrections")
    router.message.register(undo, Command("undo"))
    router.message.register(history, Command("history"))
    router.callback_query.register(delete_entry, DeleteEntry.filter())
    return router
