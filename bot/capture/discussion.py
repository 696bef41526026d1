"""The channel's discussion group: comments on posts, and the team's reply times to them.

Comments are replies in the post's thread (message_thread_id = the automatic forward of the
post). A non-member's comment counts in `comments` on the post's day, for the post's author;
a member's first reply after it gives a `response_time` entry credited to that member
(posted as the channel or anonymously: to the team). Only ids, dates and roles are kept.

This runs as an outer middleware of its router, ahead of every command router: a handler
would first pass the context middleware, which makes any group a team and any writer a
member, and a discussion group is neither.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Message, MessageOriginChannel, TelegramObject

from bot.clock import Clock
from bot.routing import Router
from kpi.capture import Role, Said
from kpi.periods import local_today
from storage.capture import Channel
from storage.repository import Repository


async def _role(message: Message, found: Channel, repo: Repository) -> tuple[Role, int] | None:
    sender = message.sender_chat
    if sender is not None:
        if sender.id in (found.id, message.chat.id):  # as the channel, or an anonymous admin
            return "team", found.id
        return "in", sender.id  # another channel commenting
    user = message.from_user
    if user is None or user.is_bot:
        return None
    membership = await repo.teams.membership(found.team_id, user.id)
    return ("out" if membership and membership[0] else "in"), user.id


async def capture(message: Message, found: Channel, repo: Repository, clock: Clock) -> None:
    team = await repo.teams.get(found.team_id)
    if team is None:
        return
    origin = message.forward_origin
    if message.is_automatic_forward and isinstance(origin, MessageOriginChannel):
        if origin.chat.id == found.id:  # the post opening its comment thread
            await repo.capture.thread(message.chat.id, message.message_id, found.id,
                                      origin.message_id)  # fmt: skip
        return
    thread_id = message.message_thread_id
    if thread_id is None:
        return  # group chatter, not a comment on a post
    role = await _role(message, found, repo)
    if role is None:
        return
    quoted = message.reply_to_message
    reply_to = quoted.message_id if quoted and quoted.message_id != thread_id else None
    said = Said(message.message_id, int(message.date.timestamp()), role[0], role[1], reply_to)
    tz = team.settings.timezone
    await repo.capture.talk(
        said, message.chat.id, thread_id, "discussion", team.id, found.id, clock.now(),
        lambda at: local_today(datetime.fromtimestamp(at, UTC), tz),
    )  # fmt: skip


class DiscussionTap(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Message) and event.chat.type == "supergroup":
            repo: Repository = data["repo"]
            found = await repo.capture.discussion(event.chat.id)
            if found is not None:
                await capture(event, found, repo, data["clock"])
                return None  # handled: no command router sees a discussion group
        return await handler(event, data)


def create_router() -> Router:
    router = Router(name="capture-discussion")
    router.message.outer_middleware(DiscussionTap())
    return router
