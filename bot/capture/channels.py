"""Linking the team's channel: /channel, /channel off, /invite <name>, /iam <signature>."""

from __future__ import annotations

import html

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import ChatMemberAdministrator, ChatMemberOwner, Message

from bot.access import Access
from bot.clock import Clock
from bot.context import Ctx
from bot.handlers.common import in_group, managed_team, team_or_explain
from bot.keyboards import delete_buttons
from bot.parsing import ParsedLog
from bot.reports import team_metrics
from bot.routing import Router
from bot.views import unit_short
from kpi.periods import local_today
from storage.capture import Channel
from storage.repository import Repository

# What /log may not type for a team with a linked channel: the bot counts these itself.
CAPTURED_METRICS = frozenset(
    {"posts", "likes", "comments", "followers", "new_followers", "unsubscribes"}
)
# Admin rights each capture feature needs in the channel (ChatMemberAdministrator fields).
NEEDED_RIGHTS = ("can_invite_users",)  # /invite; posts, reactions, joins need admin only
MAX_LINK_NAME = 32  # createChatInviteLink: name is 0-32 characters
CAPTURED_LIST = 10


def captured_metric(parsed: ParsedLog) -> str | None:
    """The metric of a /log the bot counts itself on Telegram (refused once a channel is
    linked), or None."""
    if parsed.platform not in (None, "tg"):
        return None
    return next((i.metric for i in parsed.items if i.metric in CAPTURED_METRICS), None)


async def _rights(bot: Bot, chat_id: int) -> tuple[bool, list[str]]:
    """(is the bot an admin there, which needed rights it lacks)."""
    member = await bot.get_chat_member(chat_id, bot.id)
    if isinstance(member, ChatMemberOwner):
        return True, []
    if not isinstance(member, ChatMemberAdministrator):
        return False, []
    return True, [r for r in NEEDED_RIGHTS if not getattr(member, r, False)]


async def channel(
    message: Message, command: CommandObject, ctx: Ctx, repo: Repository, clock: Clock,
    access: Access, bot: Bot,
) -> None:  # fmt: skip
    team = await managed_team(message, ctx, access, bot, "capture-managers-only")
    if team is None:
        return
    words = (command.args or "").split()
    if not words:
        linked = await repo.capture.channels(team.id)
        if not linked:
            await message.reply(ctx.t("channel-none"))
            return
        names = "\n".join(ctx.t("channel-line", channel=c.display) for c in linked)
        await message.reply(ctx.t("channel-list", channels=names))
        return
    off = words[0].lower() == "off"
    target = words[1] if off and len(words) > 1 else words[0]
    if off:  # by what was linked: the bot may have left the channel since
        wanted = target.lower().lstrip("@")
        linked = [c for c in await repo.capture.channels(team.id)
                  if wanted in (str(c.id), (c.username or "").lower())]  # fmt: skip
        done = bool(linked) and await repo.capture.unlink(team.id, linked[0].id)
        key = "channel-off" if done else "channel-not-linked"
        await message.reply(ctx.t(key if len(words) > 1 else "channel-usage", channel=target))
        return
    try:
        info = await bot.get_chat(target if target.startswith("@") else int(target))
    except (TelegramAPIError, ValueError):
        await message.reply(ctx.t("channel-not-found", channel=target))
        return
    if info.type != "channel":
        await message.reply(ctx.t("channel-not-channel", channel=target))
        return
    admin, missing = await _rights(bot, info.id)
    if not admin:
        await message.reply(ctx.t("channel-not-admin", channel=target))
        return
    found = Channel(info.id, team.id, info.title or "", info.username, info.linked_chat_id, True)
    other = await repo.capture.link(found, ctx.person.id, clock.now())
    if other is not None:
        await message.reply(ctx.t("channel-taken", channel=found.display))
        return
    if found.discussion_id is not None and await repo.teams.get(found.discussion_id):
        # The bot added to the discussion group greeted it as a team: it is not one.
        await repo.teams.set_active(found.discussion_id, False)
    lines = [ctx.t("channel-linked", channel=found.display)]
    if missing:
        rights = ", ".join(ctx.t(f"right-{r}") for r in missing)
        lines.append(ctx.t("channel-missing-rights", rights=rights))
    lines.append(await _discussion_note(bot, found, ctx))
    count = await _count_now(bot, repo, found, team.settings.timezone, clock)
    if count is not None:
        lines.append(ctx.t("channel-followers", count=count))
    await message.reply("\n".join(lines))


async def _discussion_note(bot: Bot, found: Channel, ctx: Ctx) -> str:
    if found.discussion_id is None:
        return ctx.t("channel-no-discussion")
    try:
        admin, _ = await _rights(bot, found.discussion_id)
    except TelegramAPIError:
        admin = False
    return ctx.t("channel-discussion-watched" if admin else "channel-discussion-add-me")


async def _count_now(
    bot: Bot, repo: Repository, found: Channel, tz: str, clock: Clock
) -> int | None:
    try:
        members = await bot.get_chat_member_count(found.id)
    except TelegramAPIError:
        return None
    now = clock.now()
    await repo.capture.count(found.team_id, found.id, local_today(now, tz), members, now)
    return members


async def invite(
    message: Message, command: CommandObject, ctx: Ctx, repo: Repository, clock: Clock,
    access: Access, bot: Bot,
) -> None:  # fmt: skip
    team = await managed_team(message, ctx, access, bot, "capture-managers-only")
    if team is None:
        return
    name = (command.args or "").strip()
    if not name or len(name) > MAX_LINK_NAME:
        await message.reply(ctx.t("invite-usage", limit=MAX_LINK_NAME))
        return
    linked = await repo.capture.channels(team.id)
    if not linked:
        await message.reply(ctx.t("channel-none"))
        return
    try:
        link = await bot.create_chat_invite_link(linked[0].id, name=name)
    except TelegramAPIError:
        await message.reply(ctx.t("invite-failed", channel=linked[0].display))
        return
    await repo.capture.add_link(link.invite_link, linked[0].id, name, ctx.person.id, clock.now())
    await message.reply(ctx.t("invite-made", name=name, link=link.invite_link))


async def iam(message: Message, command: CommandObject, ctx: Ctx, repo: Repository) -> None:
    team = await team_or_explain(message, ctx)
    if team is None:
        return
    signature = (command.args or "").strip()
    if not signature or len(signature) > 128:
        await message.reply(ctx.t("iam-usage", name=ctx.person.full_name))
        return
    await repo.capture.set_signature(team.id, signature, ctx.person.id)
    await message.reply(ctx.t("iam-done", signature=signature))


async def captured(
    message: Message, ctx: Ctx, repo: Repository, access: Access, bot: Bot
) -> None:
    """The team's latest captured entries, each with a button a manager excludes it by."""
    team = await managed_team(message, ctx, access, bot, "capture-managers-only")
    if team is None:
        return
    found = await repo.capture.recent(team.id, CAPTURED_LIST)
    if not found:
        await message.reply(ctx.t("captured-empty"))
        return
    metrics = await team_metrics(repo, team.id)
    currency = team.settings.currency
    labels = [  # a button label is plain text
        (e.id or 0, f"{html.unescape(unit_short((e,), ctx.t, currency, metrics))} · {who}"[:60])
        for e, who in found
    ]
    await message.reply(ctx.t("captured-title"), reply_markup=delete_buttons(labels))


def create_router() -> Router:
    router = Router(name="capture-channels")
    router.message.filter(in_group)
    router.message.register(channel, Command("channel"))
    router.message.register(invite, Command("invite"))
    router.message.register(iam, Command("iam"))
    router.message.register(captured, Command("captured"))
    return router
