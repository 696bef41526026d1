"""Small pieces several routers share."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import ChatMemberUpdated, Message

from bot.access import Access
from bot.context import GROUP_TYPES, Ctx
from bot.keyboards import team_choice
from storage.records import Team

# Filters are plain coroutines: aiogram runs a sync filter (a MagicFilter such as
# `F.chat.type == ...` too) in a worker thread on every update it checks, and even on the
# loop magic_filter's resolve costs more than the attribute check it stands for.


async def in_group(event: Message | ChatMemberUpdated) -> bool:
    return event.chat.type in GROUP_TYPES


async def in_private(event: Message) -> bool:
    return event.chat.type == "private"


async def team_or_explain(message: Message, ctx: Ctx) -> Team | None:
    """The team this message acts for; otherwise say why not (and offer a choice) and None."""
    if ctx.team is not None:
        return ctx.team
    if ctx.choices:
        await message.reply(ctx.t("team-choose"), reply_markup=team_choice(ctx.choices))
    else:
        await message.reply(ctx.t("team-none"))
    return None


async def managed_team(
    message: Message, ctx: Ctx, access: Access, bot: Bot, refusal: str
) -> Team | None:
    """The team, if the sender manages it; otherwise a polite refusal (text key) and None."""
    team = await team_or_explain(message, ctx)
    if team is None:
        return None
    if not await access.is_manager(bot, team.id, ctx.person.id):
        await message.reply(ctx.t(refusal))
        return None
    return team
