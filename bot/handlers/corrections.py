"""Fixing mistakes: /undo, /history with a delete button per entry."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.access import Access
from bot.clock import Clock
from bot.context import Ctx
from bot.handlers.common import team_or_explain
from bot.keyboards import DeleteEntry, delete_buttons
from bot.reports import team_metrics
from bot.views import entry_short
from storage.repository import Repository

HISTORY_SIZE = 10


async def undo(message: Message, ctx: Ctx, repo: Repository, clock: Clock) -> None:
    team = await team_or_explain(message, ctx)
    if team is None:
        return
    last = await repo.entries.recent(team.id, ctx.person.id, limit=1)
    if not last or not await repo.entries.delete(last[0].id or 0, ctx.person.id, clock.now()):
        await message.reply(ctx.t("undo-nothing"))
        return
    metrics = await team_metrics(repo, team.id)
    shown = entry_short(last[0], ctx.t, team.settings.currency, metrics)
    await message.reply(ctx.t("undo-done", entry=shown))


async def history(message: Message, ctx: Ctx, repo: Repository) -> None:
    team = await team_or_explain(message, ctx)
    if team is None:
        return
    entries = await repo.entries.recent(team.id, ctx.person.id, limit=HISTORY_SIZE)
    if not entries:
        await message.reply(ctx.t("history-empty"))
        return
    metrics = await team_metrics(repo, team.id)
    currency = team.settings.currency
    labels = [(e.id or 0, entry_short(e, ctx.t, currency, metrics, plain=True)) for e in entries]
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
    if not own and not await access.is_manager(bot, entry.team_id, ctx.person.id):
        await query.answer(ctx.t("only-own"), show_alert=True)
        return
    await repo.entries.delete(entry.id or 0, ctx.person.id, clock.now())
    team = await repo.teams.get(entry.team_id)
    metrics = await team_metrics(repo, entry.team_id)
    shown = entry_short(entry, ctx.t, team.settings.currency if team else "RUB", metrics)
    await query.answer(ctx.t.plain("history-deleted", entry=shown))  # an alert is plain text
    if query.message is not None:
        await bot.send_message(query.message.chat.id, ctx.t("history-deleted", entry=shown))


def create_router() -> Router:
    router = Router(name="corrections")
    router.message.register(undo, Command("undo"))
    router.message.register(history, Command("history"))
    router.callback_query.register(delete_entry, DeleteEntry.filter())
    return router
