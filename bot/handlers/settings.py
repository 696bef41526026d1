"""/settings: managers change the team's settings with buttons, no syntax to remember."""

from __future__ import annotations

from aiogram import Bot
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InaccessibleMessage, Message

from bot.access import Access
from bot.context import Ctx
from bot.handlers.common import managed_team
from bot.i18n import Translator
from bot.routing import Router
from bot.settings_menu import SettingsCb, main_menu, options, summary, to_update
from storage.repository import Repository


async def show_settings(message: Message, ctx: Ctx, access: Access, bot: Bot) -> None:
    team = await managed_team(message, ctx, access, bot, "settings-only-managers")
    if team is None:
        return
    await message.reply(summary(team, ctx.t), reply_markup=main_menu(team.id, ctx.t))


async def settings_button(
    query: CallbackQuery,
    callback_data: SettingsCb,
    ctx: Ctx,
    repo: Repository,
    access: Access,
    bot: Bot,
    translator: Translator,
) -> None:
    # Whatever the button says, only a manager of that very team may change it.
    if not await access.is_manager(bot, callback_data.team_id, ctx.person.id):
        await query.answer(ctx.t("settings-only-managers"), show_alert=True)
        return
    team = await repo.teams.get(callback_data.team_id)
    message = query.message
    if team is None or message is None or isinstance(message, InaccessibleMessage):
        await query.answer()
        return
    field, value = callback_data.field, callback_data.value
    t = translator.bind(team.settings.language) if ctx.is_group else ctx.t
    if field != "menu" and not value:
        await message.edit_text(summary(team, t), reply_markup=options(team, field, t))
        await query.answer()
        return
    if field != "menu":
        update = to_update(team, field, value)
        if update is None:
            await query.answer(t("settings-bad-value"), show_alert=True)
            return
        team = await repo.teams.update_settings(team.id, **update)
        if ctx.is_group:
            t = translator.bind(team.settings.language)
    keyboard = options(team, field, t) if field == "workdays" else main_menu(team.id, t)
    await message.edit_text(summary(team, t), reply_markup=keyboard)
    await query.answer(t("settings-saved") if field != "menu" else None)


def create_router() -> Router:
    router = Router(name="settings")
    router.message.register(show_settings, Command("settings"))
    router.callback_query.register(settings_button, SettingsCb.filter())
    return router
