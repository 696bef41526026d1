"""What Telegram says about members and administrators, and refusing when it cannot say.

`chat_member` updates reach the bot only where it is an administrator, and only because the
dispatcher asks for them (allowed_updates lists every update type a router handles). This
router handles them in groups only; channel members are another router's business.
"""

from __future__ import annotations

from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ChatMemberUpdated, ErrorEvent

from bot.access import Access, AccessUnknown, in_chat, is_admin
from bot.clock import Clock
from bot.context import GROUP_TYPES, person_of
from bot.handlers.common import in_group
from bot.i18n import Translator
from bot.routing import Router
from storage.repository import Repository


async def member_changed(
    event: ChatMemberUpdated, repo: Repository, access: Access, clock: Clock
) -> None:
    """A join or a leave changes the membership at once; a promotion or a demotion drops
    the cached administrators, so the next manager action asks Telegram again."""
    old, new = event.old_chat_member, event.new_chat_member
    user, chat_id = new.user, event.chat.id
    if user.is_bot:
        return
    access.forget_member(chat_id, user.id)
    if is_admin(old) or is_admin(new):
        access.forget_admins(chat_id)
    if await repo.teams.get(chat_id) is None:
        return
    if not in_chat(new):
        await repo.teams.set_member_active(chat_id, user.id, False)
        return
    membership = await repo.teams.membership(chat_id, user.id)
    if membership is None or not membership[0]:
        await repo.teams.ensure_member(chat_id, person_of(user), clock.now())


async def refuse_unverified(event: ErrorEvent, repo: Repository, translator: Translator) -> bool:
    """Telegram could not say who manages (or belongs to) the team: refuse, fail closed."""
    update = event.update
    query, message = update.callback_query, update.message
    chat = (query.message.chat if query and query.message else None) or (
        message.chat if message else None
    )
    sender = query.from_user if query else (message.from_user if message else None)
    team = await repo.teams.get(chat.id) if chat and chat.type in GROUP_TYPES else None
    if team is not None:
        lang = team.settings.language
    else:
        lang = translator.language(sender.language_code if sender else None)
    text = translator.get(lang, "access-unavailable")
    if query is not None:
        await query.answer(text, show_alert=True)
    elif message is not None:
        await message.reply(text)
    return True


def create_router() -> Router:
    router = Router(name="rights")
    router.chat_member.register(member_changed, in_group)
    # Before the errors router, which takes every other failure.
    router.errors.register(refuse_unverified, ExceptionTypeFilter(AccessUnknown))
    return router
