"""People joining and leaving the group: leaving takes away access to the team's numbers."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import Message

from bot.clock import Clock
from bot.context import GROUP_TYPES, person_of
from bot.handlers.common import on_loop
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


def create_router() -> Router:
    router = Router(name="membership")
    # Every message passes here first: filters on the loop (see on_loop).
    router.message.filter(on_loop(F.chat.type.in_(GROUP_TYPES)))
    router.message.register(member_left, on_loop(F.left_chat_member))
    router.message.register(members_joined, on_loop(F.new_chat_members))
    return router
