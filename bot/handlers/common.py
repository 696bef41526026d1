"""Small pieces several routers share."""

from __future__ import annotations

from aiogram.types import Message

from bot.context import Ctx
from bot.keyboards import team_choice
from storage.records import Team


async def team_or_explain(message: Message, ctx: Ctx) -> Team | None:
    """The team this message acts for; otherwise say why not (and offer a choice) and None."""
    if ctx.team is not None:
        return ctx.team
    if ctx.choices:
        await message.reply(ctx.t("team-choose"), reply_markup=team_choice(ctx.choices))
    else:
        await message.reply(ctx.t("team-none"))
    return None
