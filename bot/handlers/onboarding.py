"""Joining: the bot added to a group, /start and /help, choosing a team in a private chat."""

from __future__ import annotations

from aiogram import Bot
from aiogram.filters import IS_MEMBER, IS_NOT_MEMBER, ChatMemberUpdatedFilter, Command, CommandStart
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message

from bot.clock import Clock
from bot.context import Ctx, person_of
from bot.handlers.common import in_group, in_private
from bot.i18n import Translator
from bot.keyboards import TeamChoice, team_choice
from bot.routing import Router
from kpi.models import TeamSettings
from storage.repository import Repository


async def added_to_group(
    event: ChatMemberUpdated,
    repo: Repository,
    clock: Clock,
    defaults: TeamSettings,
    translator: Translator,
    bot: Bot,
) -> None:
    now = clock.now()
    team = await repo.teams.ensure_team(event.chat.id, event.chat.title or "", defaults, now)
    if not event.from_user.is_bot:
        await repo.teams.ensure_member(team.id, person_of(event.from_user), now)
    t = translator.bind(team.settings.language)
    await bot.send_message(event.chat.id, t("team-hello", team=team.title))


async def removed_from_group(event: ChatMemberUpdated, repo: Repository) -> None:
    # Keep the data, stop acting for the team: a private chat no longer shows it.
    if await repo.teams.get(event.chat.id) is not None:
        await repo.teams.set_active(event.chat.id, False)


async def start(message: Message, ctx: Ctx) -> None:
    await message.answer(ctx.t("start"))


async def choose_team(message: Message, ctx: Ctx, repo: Repository) -> None:
    teams = await repo.teams.teams_of(ctx.person.id)
    if not teams:
        await message.answer(ctx.t("team-none"))
        return
    await message.answer(ctx.t("team-choose"), reply_markup=team_choice(teams))


async def team_chosen(
    query: CallbackQuery, callback_data: TeamChoice, ctx: Ctx, repo: Repository
) -> None:
    # Only a team the person belongs to may be chosen, whatever the button says.
    teams = {t.id: t for t in await repo.teams.teams_of(ctx.person.id)}
    team = teams.get(callback_data.team_id)
    if team is None:
        await query.answer(ctx.t("not-member"), show_alert=True)
        return
    await repo.teams.select_team(ctx.person.id, team.id)
    await query.answer()
    if query.message is not None:
        await query.bot.send_message(query.message.chat.id, ctx.t("team-chosen", team=team.title))  # type: ignore[union-attr]


def create_router() -> Router:
    router = Router(name="onboarding")
    router.my_chat_member.register(
        added_to_group,
        ChatMemberUpdatedFilter(IS_NOT_MEMBER >> IS_MEMBER),
        in_group,
    )
    router.my_chat_member.register(
        removed_from_group,
        ChatMemberUpdatedFilter(IS_MEMBER >> IS_NOT_MEMBER),
        in_group,
    )
    router.message.register(start, Command("help"))
    router.message.register(start, CommandStart())
    router.message.register(choose_team, Command("team"), in_private)
    router.callback_query.register(team_chosen, TeamChoice.filter())
    return router
