"""Who is asking, in which team, in which language: resolved once per handled update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, User

from bot.clock import Clock
from bot.i18n import Texts, Translator
from kpi.models import TeamSettings
from storage.records import Person, Team
from storage.repository import Repository

GROUP_TYPES = frozenset({"group", "supergroup"})


@dataclass
class Ctx:
    person: Person
    t: Texts
    is_group: bool
    team: Team | None  # None in a private chat until the person's team is known
    choices: list[Team] = field(default_factory=list)  # private chat: teams to pick from


def person_of(user: User) -> Person:
    return Person(user.id, user.full_name, user.username, user.language_code)


class ContextMiddleware(BaseMiddleware):
    """Registers teams and members on first sight (one read per update, a write only then)."""

    def __init__(
        self, repo: Repository, translator: Translator, clock: Clock, defaults: TeamSettings
    ):
        self.repo = repo
        self.translator = translator
        self.clock = clock
        self.defaults = defaults

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
        data["ctx"] = await self.resolve(user, chat)
        return await handler(event, data)

    async def resolve(self, user: User, chat: Chat) -> Ctx:
        person = person_of(user)
        now = self.clock.now()
        if chat.type in GROUP_TYPES:
            team, member = await self.repo.teams.with_member(chat.id, user.id)
            if team is None or not team.active or (team.title != (chat.title or "")):
                team = await self.repo.teams.ensure_team(
                    chat.id, chat.title or "", self.defaults, now
                )
            if member is None or not member[0]:
                await self.repo.teams.ensure_member(team.id, person, now)
            lang = team.settings.language
            return Ctx(person, self.translator.bind(lang), True, team)

        stored = await self.repo.teams.person(user.id)
        if stored is None:
            stored = await self.repo.teams.ensure_person(person, now)
        teams = await self.repo.teams.teams_of(user.id)
        t = self.translator.bind(self.translator.language(user.language_code))
        if len(teams) == 1:
            return Ctx(stored, t, False, teams[0])
        chosen = next((x for x in teams if x.id == stored.selected_team_id), None)
        return Ctx(stored, t, False, chosen, [] if chosen else teams)
