"""Small pieces several routers share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.types import Message, TelegramObject
from magic_filter import MagicFilter

from bot.access import Access
from bot.context import Ctx
from bot.keyboards import team_choice
from storage.records import Team


def on_loop(magic: MagicFilter) -> Callable[[TelegramObject], Awaitable[Any]]:
    """A magic filter (`F.chat.type == ...`) checked on the event loop.

    aiogram runs every sync filter, MagicFilter included, through `asyncio.to_thread`: a
    thread hop (~0.15 ms of CPU) for an attribute check, on every update the router sees.
    """

    async def check(event: TelegramObject) -> Any:
        return magic.resolve(event)

    return check


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
