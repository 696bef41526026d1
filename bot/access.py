"""Who belongs to a team and who manages it, as Telegram says.

Members: a person registered by the bot (storage) is a member while active; anyone else becomes
one only once Telegram confirms they are in the chat (getChatMember, cached briefly), so a
button pressed in a public group or a comment in a discussion group grants nothing. Managers:
the group's administrators (getChatAdministrators, cached; a `chat_member` update drops the
cache at once) plus people appointed in storage, while they are members. When Telegram cannot
be asked, AccessUnknown: the caller refuses, never decides on stale data.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ChatMemberUnion

from bot.clock import Clock
from storage.repository import Repository

log = logging.getLogger(__name__)

MEMBER_CHECK_SECONDS = 60.0  # how long a getChatMember answer stands without a newer update
_MAX_MEMBER_ANSWERS = 10_000  # strangers pressing buttons must not grow the cache without end
IN_CHAT = frozenset({"creator", "administrator", "member"})
ADMIN = frozenset({"creator", "administrator"})


class AccessUnknown(Exception):
    """Telegram could not say who is in (or manages) the chat: refuse for now."""

    def __init__(self, chat_id: int) -> None:
        super().__init__(f"cannot ask Telegram about chat {chat_id}")
        self.chat_id = chat_id


def in_chat(member: ChatMemberUnion) -> bool:
    """A ChatMember that Telegram counts as in the chat ("left" and "kicked" are not)."""
    if member.status == "restricted":
        return bool(getattr(member, "is_member", False))
    return member.status in IN_CHAT


def is_admin(member: ChatMemberUnion) -> bool:
    return member.status in ADMIN


class Access:
    def __init__(
        self,
        repo: Repository,
        clock: Clock,
        ttl_seconds: float = 300,
        member_ttl_seconds: float = MEMBER_CHECK_SECONDS,
    ):
        self.repo = repo
        self.clock = clock
        self.ttl = ttl_seconds
        self.member_ttl = member_ttl_seconds
        self._admins: dict[int, tuple[float, frozenset[int]]] = {}
        self._in_chat: dict[tuple[int, int], tuple[float, bool]] = {}

    async def admins(self, bot: Bot, team_id: int) -> frozenset[int]:
        now = self.clock.now().timestamp()
        cached = self._admins.get(team_id)
        if cached and now - cached[0] < self.ttl:
            return cached[1]
        try:
            members = await bot.get_chat_administrators(team_id)
        except TelegramAPIError as exc:
            log.warning("cannot read admins of %s: %s", team_id, exc)
            self._admins.pop(team_id, None)  # stale: never decide on it
            raise AccessUnknown(team_id) from exc
        admins = frozenset(m.user.id for m in members)
        self._admins[team_id] = (now, admins)
        return admins

    def forget_admins(self, team_id: int) -> None:
        """Someone was promoted or demoted: the next manager check asks Telegram."""
        self._admins.pop(team_id, None)

    async def in_chat(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        """Whether Telegram counts the person as in the chat now (asked at most once a
        MEMBER_CHECK_SECONDS per person, unless an update says more); AccessUnknown if
        Telegram cannot be asked."""
        now = self.clock.now().timestamp()
        key = (chat_id, user_id)
        cached = self._in_chat.get(key)
        if cached and now - cached[0] < self.member_ttl:
            return cached[1]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except TelegramAPIError as exc:
            log.warning("cannot read member %s of %s: %s", user_id, chat_id, exc)
            raise AccessUnknown(chat_id) from exc
        if len(self._in_chat) >= _MAX_MEMBER_ANSWERS:
            self._in_chat = {
                k: v for k, v in self._in_chat.items() if now - v[0] < self.member_ttl
            }
        answer = in_chat(member)
        self._in_chat[key] = (now, answer)
        return answer

    def forget_member(self, chat_id: int, user_id: int) -> None:
        """The person joined or left: the next check asks Telegram (or reads storage)."""
        self._in_chat.pop((chat_id, user_id), None)

    async def is_member(self, team_id: int, user_id: int) -> bool:
        membership = await self.repo.teams.membership(team_id, user_id)
        return bool(membership and membership[0])

    async def is_manager(self, bot: Bot, team_id: int, user_id: int) -> bool:
        """Raises AccessUnknown when the answer depends on admins Telegram cannot list now."""
        membership = await self.repo.teams.membership(team_id, user_id)
        if membership is None or not membership[0]:
            return False
        return membership[1] == "manager" or user_id in await self.admins(bot, team_id)
