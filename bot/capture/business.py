"""Telegram Business: a member connects the bot to their account and it sees their customer
chats. From a customer's first waiting message to the member's reply: a `response_time`
entry; a customer writing after a day of quiet (or for the first time): `inbound_chats`.
Away/greeting/scheduled messages (is_from_offline) and replies sent by a bot
(sender_business_bot) are not the member answering. Only ids, dates and roles are kept.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram.types import BusinessConnection, Message

from bot.clock import Clock
from bot.routing import Router
from kpi.capture import Said
from kpi.periods import local_today
from storage.capture import Connection
from storage.repository import Repository


async def connected(event: BusinessConnection, repo: Repository) -> None:
    teams = await repo.teams.teams_of(event.user.id)
    if not teams:
        return  # not in any team: nothing to credit
    person = await repo.teams.person(event.user.id)
    chosen = next((t for t in teams if person and t.id == person.selected_team_id), teams[0])
    await repo.capture.connect(Connection(event.id, event.user.id, chosen.id, event.is_enabled))


async def business_message(message: Message, repo: Repository, clock: Clock) -> None:
    if message.business_connection_id is None or message.from_user is None:
        return
    link = await repo.capture.connection(message.business_connection_id)
    if link is None or not link.enabled:
        return
    if message.from_user.id == link.user_id:
        if message.is_from_offline or message.sender_business_bot is not None:
            return  # an automatic message, not the member answering
        role = "out"
    elif message.from_user.is_bot:
        return
    else:
        role = "in"
    team = await repo.teams.get(link.team_id)
    if team is None:
        return
    tz = team.settings.timezone
    said = Said(message.message_id, int(message.date.timestamp()), role, message.from_user.id)
    await repo.capture.talk(
        said, message.chat.id, message.chat.id, "business", team.id, link.user_id, clock.now(),
        lambda at: local_today(datetime.fromtimestamp(at, UTC), tz),
    )  # fmt: skip


def create_router() -> Router:
    router = Router(name="capture-business")
    router.business_connection.register(connected)
    router.business_message.register(business_message)
    return router
