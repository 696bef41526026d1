"""Who is asking, in which team, in which language: resolved once per handled update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.flags import get_flag
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, User

from bot.access import Access, AccessUnknown
from bot.clock import Clock
from bot.i18n import Texts, Translator
from kpi.models import TeamSettings
from storage.records import Person, Team
from storage.repository import Repository

GROUP_TYPES = frozenset({"group", "supergroup"})
# A handler flag: in a private chat it needs only who is asking and their language, and
# checks everything else itself (a check-in press: the check-in's owner and team), so the
# person's teams are not read for it. `flags={SELF_CHECKED: True}` on the handler.
SELF_CHECKED = "self_checked"


@dataclass
class Ctx:
    person: Person
    t: Texts
    is_group: bool
    team: Team | None  # None in a private chat until the person's team is known
    choices: list[Team] = field(default_factory=list)  # private chat: teams to pick from
    refusal: str | None = None  # group: why this person may not act here (a text key)


def person_of(user: User) -> Person:
    return Person(user.id, user.full_name, user.username, user.language_code)


def is_service(message: Message) -> bool:
    """Joins, leaves, migrations: membership.py handles them; nobody acts through them."""
    return bool(
        message.new_chat_members
        or message.left_chat_member
        or message.migrate_to_chat_id
        or message.migrate_from_chat_id
    )


async def refuse(event: TelegramObject, ctx: Ctx) -> None:
    """A person the team does not count as a member acted in its group: say so, do nothing."""
    assert ctx.refusal is not None
    if isinstance(event, CallbackQuery):
        await event.answer(ctx.t(ctx.refusal), show_alert=True)
    elif isinstance(event, Message) and event.edit_date is None:
        await event.reply(ctx.t(ctx.refusal))


class ContextMiddleware(BaseMiddleware):
    """Registers teams on first sight, and members once Telegram confirms them (one read per
    update of a known member; a getChatMember and a write only for someone new)."""

    def __init__(
        self,
        repo: Repository,
        translator: Translator,
        clock: Clock,
        defaults: TeamSettings,
        access: Access,
    ):
        self.repo = repo
        self.translator = translator
        self.clock = clock
        self.defaults = defaults
        self.access = access

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        if user is None or chat is None or user.is_bot:
            return await handler(event, data)
        if isinstance(event, Message) and is_service(event):
            return await handler(event, data)
        if chat.type not in GROUP_TYPES and get_flag(data, SELF_CHECKED):
            t = self.translator.bind(self.translator.language(user.language_code))
            data["ctx"] = Ctx(person_of(user), t, False, None)
            return await handler(event, data)
        ctx = await self.resolve(user, chat, data["bot"])
        if ctx.refusal is not None:
            await refuse(event, ctx)
            return None
        data["ctx"] = ctx
        return await handler(event, data)

    async def resolve(self, user: User, chat: Chat, bot: Bot) -> Ctx:
        person = person_of(user)
        now = self.clock.now()
        if chat.type in GROUP_TYPES:
            team, member = await self.repo.teams.with_member(chat.id, user.id)
            if team is None or not team.active or (team.title != (chat.title or "")):
                team = await self.repo.teams.ensure_team(
                    chat.id, chat.title or "", self.defaults, now
                )
            t = self.translator.bind(team.settings.language)
            if member is None or not member[0]:
                refusal = await self._admit(bot, team.id, person, now)
                return Ctx(person, t, True, team, refusal=refusal)
            return Ctx(person, t, True, team)

        stored, teams = await self.repo.teams.person_and_teams(user.id)
        if stored is None:  # new here, so in no team (a member is a stored person)
            stored = await self.repo.teams.ensure_person(person, now)
        t = self.translator.bind(self.translator.language(user.language_code))
        if len(teams) == 1:
            return Ctx(stored, t, False, teams[0])
        chosen = next((x for x in teams if x.id == stored.selected_team_id), None)
        return Ctx(stored, t, False, chosen, [] if chosen else teams)

    async def _admit(self, bot: Bot, team_id: int, person: Person, now: datetime) -> str | None:
        """Someone the team does not count (new, or gone) acts in its group: a member only if
        Telegram says they are in the chat. People who were there before the bot join this
        way, on their first command or button. None when admitted, else a refusal text key."""
        try:
            if not await self.access.in_chat(bot, team_id, person.id):
                return "not-member"
        except AccessUnknown:
            return "access-unavailable"
        await self.repo.teams.ensure_member(team_id, person, now)
        return None
