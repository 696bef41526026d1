"""/pin and /pin off — the team's live scoreboard; and pins made by hand in the group."""

from __future__ import annotations

from aiogram import Bot
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.access import Access
from bot.context import Ctx
from bot.handlers.common import in_group, managed_team
from bot.routing import Router
from bot.scoreboard import Scoreboards


async def pin(
    message: Message,
    command: CommandObject,
    ctx: Ctx,
    access: Access,
    bot: Bot,
    scoreboards: Scoreboards,
) -> None:
    if message.chat.type == "private":
        await message.reply(ctx.t("board-group-only"))
        return
    team = await managed_team(message, ctx, access, bot, "board-managers-only")
    if team is None:
        return
    if (command.args or "").strip().lower() in ("off", "выкл", "нет"):
        done = await scoreboards.off(bot, team.id)
        await message.reply(ctx.t("board-off" if done else "board-none"))
    elif not await scoreboards.post(bot, team, ctx.person.id):
        await message.reply(ctx.t("board-no-rights"))


async def pinned_by_hand(message: Message, bot: Bot, scoreboards: Scoreboards) -> None:
    by_bot = message.from_user is not None and message.from_user.id == bot.id
    if message.pinned_message is not None and not by_bot:
        await scoreboards.pinned_elsewhere(bot, message.chat.id, message.pinned_message.message_id)


async def has_pin(message: Message) -> bool:
    return message.pinned_message is not None


def create_router() -> Router:
    router = Router(name="scoreboard")
    router.message.register(pin, Command("pin"))
    router.message.register(pinned_by_hand, has_pin, in_group)
    return router
