"""Who is a manager: the group's administrators (from Telegram, cached briefly) + appointed."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.clock import Clock
from storage.repository import Repository

log = logging.getLogger(__name__)


class Access:
    def __init__(self, repo: Repository, clock: Clock, ttl_seconds: float = 300):
        self.repo = repo
        self.clock = clock
        self.ttl = ttl_seconds
        self._admins: dict[int, tuple[float, frozenset[int]]] = {}

    async def admins(self, bot: Bot, team_id: int) -> frozenset[int]:
        now = self.clock.now().timestamp()
        cached = self._admins.get(team_id)
        if cached and now - cached[0] < self.ttl:
            return cached[1]
        try:
            members = await bot.get_chat_administrators(team_id)
        except TelegramAPIError as exc:
            log.warning("cannot read admins of %s: %s", team_id, exc)
            return cached[1] if cached else frozenset()
        admins = frozenset(m.user.id for m in members)
        self._admins[team_id] = (now, admins)
        return admins

    async def is_member(self, team_id: int, user_id: int) -> bool:
        membership = await self.repo.teams.membership(team_id, user_id)
        return bool(membership and membership[0])

    async def is_manager(self, bot: Bot, team_id: int, user_id: int) -> bool:
        membership = await self.repo.teams.membership(team_id, user_id)
        if membership is None or not membership[0]:
            return False
        return membership[1] == "manager" or user_id in await self.admins(bot, team_id)
