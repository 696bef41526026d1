"""Anonymous reaction totals of channel posts -> the post's likes (the latest total replaces
the older one, never adds). Telegram groups these and may send them minutes late."""

from __future__ import annotations

from aiogram.types import MessageReactionCountUpdated

from bot.clock import Clock
from bot.polling import behind_lane
from bot.routing import Router
from storage.repository import Repository


async def reaction_count(
    update: MessageReactionCountUpdated, repo: Repository, clock: Clock
) -> None:
    found = await repo.capture.channel(update.chat.id)
    if found is None:
        return
    total = sum(r.total_count for r in update.reactions)
    at = int(update.date.timestamp())
    write = repo.capture.reactions(
        found.team_id, found.id, update.message_id, total, at, clock.now()
    )
    if not behind_lane(write):  # queued in order, as a post's (bot/capture/posts.py)
        await write


def create_router() -> Router:
    router = Router(name="capture-reactions")
    router.message_reaction_count.register(reaction_count)
    return router
