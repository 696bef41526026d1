"""Subscribers: joins and leaves of a linked channel (chat_member, with the invite link used),
the follower count read daily at the team's day end, and subscribers by source."""

from __future__ import annotations

import logging
from datetime import time
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ChatMemberUpdated

from bot.clock import Clock
from bot.i18n import Texts
from bot.routing import Router
from kpi.models import Period
from kpi.periods import local_today
from storage.repository import Repository

log = logging.getLogger(__name__)
IN = frozenset({"creator", "administrator", "member", "restricted"})
DAY_END = time(23, 50)  # the daily count is read from here to midnight, team time


def _inside(status: str, member: object) -> bool:
    # A restricted user may be outside the chat (is_member False).
    return status in IN and getattr(member, "is_member", True) is not False


async def in_channel(event: ChatMemberUpdated) -> bool:
    return event.chat.type == "channel"  # group membership is handled elsewhere


async def member_moved(event: ChatMemberUpdated, repo: Repository, clock: Clock) -> None:
    found = await repo.capture.channel(event.chat.id)
    if found is None or event.new_chat_member.user.is_bot:
        return
    was = _inside(event.old_chat_member.status, event.old_chat_member)
    now_in = _inside(event.new_chat_member.status, event.new_chat_member)
    if was == now_in:
        return  # a promotion, a restriction: not a join or a leave
    team = await repo.teams.get(found.team_id)
    if team is None:
        return
    link = event.invite_link.invite_link if event.invite_link and now_in else None
    day = local_today(event.date, team.settings.timezone)
    await repo.capture.move(
        team.id, found.id, event.new_chat_member.user.id, int(event.date.timestamp()),
        1 if now_in else -1, link, day, clock.now(),
    )  # fmt: skip


class FollowerCounts:
    """getChatMemberCount for every linked channel once a day, at the team's day end."""

    def __init__(self, repo: Repository, bot: Bot, clock: Clock):
        self.repo, self.bot, self.clock = repo, bot, clock

    async def tick(self) -> int:
        now = self.clock.now()
        read = 0
        for found in await self.repo.capture.all_channels():
            team = await self.repo.teams.get(found.team_id)
            if team is None or not team.active:
                continue
            local = now.astimezone(ZoneInfo(team.settings.timezone))
            if local.time() < DAY_END:
                continue
            day = local.date()
            if await self.repo.capture.counted(found.id, day):
                continue
            try:
                members = await self.bot.get_chat_member_count(found.id)
            except TelegramAPIError as exc:
                log.warning("no follower count for channel %s: %s", found.id, exc)
                continue
            await self.repo.capture.count(team.id, found.id, day, members, now, final=True)
            read += 1
        return read


async def sources_block(repo: Repository, team_id: int, period: Period, t: Texts) -> str:
    """'Subscribers by source' for /kpi and the digest; empty without a linked channel."""
    sources = await repo.capture.sources(team_id, period)
    if not sources:
        return ""
    lines = [t("sources-title")]
    for name, joins in sources:
        label = name if name is not None else t("sources-other")
        lines.append(t("sources-line", source=label, joins=joins))
    return "\n".join(lines)


def create_router() -> Router:
    router = Router(name="capture-subscribers")
    router.chat_member.filter(in_channel)
    router.chat_member.register(member_moved)
    return router
