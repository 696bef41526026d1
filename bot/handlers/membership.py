"""People joining and leaving the group: leaving takes away access to the team's numbers."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import Message

from bot.clock import Clock
from bot.context import person_of
from bot.handlers.common import in_group
from storage.repository import Repository


async def member_left(message: Message, repo: Repository) -> None:
    user = message.left_chat_member
    if user is not None and not user.is_bot and await repo.teams.get(message.chat.id):
        await repo.teams.set_member_active(message.chat.id, user.id, False)


async def members_joined(message: Message, repo: Repository, clock: Clock) -> None:
    team = await repo.teams.get(message.chat.id)
    if team is None:
        return
    for user in message.new_chat_members or []:
        if not user.is_bot:
            await repo.teams.ensure_member(team.id, person_of(user), clock.now())


async def _left(message: Message) -> bool:
    return message.left_chat_member is not None


async def _joined(message: Message) -> bool:
    return bool(message.new_chat_members)


def create_router() -> Router:
    router = Router(name="membership")
    router.message.filter(in_group)
    router.message.register(member_left, _left)
    router.message.register(members_joined, _joined)
    return router
