"""Service messages: people joining and leaving (leaving takes away access to the team's
numbers at once), and a group upgraded to a supergroup (the team moves to the new chat id)."""

from __future__ import annotations

import logging

from aiogram.types import Message

from bot.access import Access
from bot.clock import Clock
from bot.context import person_of
from bot.handlers.common import in_group
from bot.routing import Router
from storage.repository import Repository

log = logging.getLogger(__name__)


async def member_left(message: Message, repo: Repository, access: Access) -> None:
    user = message.left_chat_member
    if user is None or user.is_bot:
        return
    access.forget_member(message.chat.id, user.id)
    access.forget_admins(message.chat.id)  # an administrator who leaves manages nothing
    if await repo.teams.get(message.chat.id):
        await repo.teams.set_member_active(message.chat.id, user.id, False)


async def members_joined(
    message: Message, repo: Repository, clock: Clock, access: Access
) -> None:
    team = await repo.teams.get(message.chat.id)
    for user in message.new_chat_members or []:
        if user.is_bot:
            continue
        access.forget_member(message.chat.id, user.id)
        if team is not None:
            await repo.teams.ensure_member(team.id, person_of(user), clock.now())


async def migrated(message: Message, repo: Repository, access: Access) -> None:
    # Telegram posts migrate_to_chat_id in the old group and migrate_from_chat_id in the new
    # supergroup; whichever comes first moves the team, the other finds nothing to move.
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    else:
        old, new = message.migrate_from_chat_id or 0, message.chat.id
    if await repo.teams.move(old, new):
        log.info("team %s moved to chat %s (upgraded to a supergroup)", old, new)
    access.forget_admins(old)
    access.forget_admins(new)


async def _left(message: Message) -> bool:
    return message.left_chat_member is not None


async def _joined(message: Message) -> bool:
    return bool(message.new_chat_members)


async def _migration(message: Message) -> bool:
    return bool(message.migrate_to_chat_id or message.migrate_from_chat_id)


def create_router() -> Router:
    router = Router(name="membership")
    router.message.filter(in_group)
    router.message.register(member_left, _left)
    router.message.register(members_joined, _joined)
    router.message.register(migrated, _migration)
    return router
