"""Channel posts: each counts once in `posts` on its publication day, credited by signature.

An album arrives as several channel_post updates sharing media_group_id: one post. Edits
(edited_channel_post) are not even asked for: they change nothing.
"""

from __future__ import annotations

from aiogram.types import Message

from bot.clock import Clock
from bot.polling import behind_lane
from bot.routing import Router
from kpi.periods import local_today
from storage.repository import Repository

# Content a subscriber sees as a post; service messages (pins, title changes…) are not.
POST_CONTENT = frozenset({
    "text", "photo", "video", "animation", "audio", "document", "voice", "video_note",
    "poll", "sticker", "paid_media", "location", "venue", "contact", "story", "dice",
})  # fmt: skip


async def channel_post(message: Message, repo: Repository, clock: Clock) -> None:
    found = await repo.capture.channel(message.chat.id)
    if found is None or message.content_type not in POST_CONTENT:
        return
    team = await repo.teams.get(found.team_id)
    if team is None:
        return
    day = local_today(message.date, team.settings.timezone)
    write = repo.capture.post(
        team.id, found.id, message.message_id, message.media_group_id, day,
        message.author_signature, clock.now(),
    )  # fmt: skip
    # Queued in order: the channel's next update need not wait for the commit (its writes go
    # after this one), only the update's hand-off to the inbox does.
    if not behind_lane(write):
        await write


def create_router() -> Router:
    router = Router(name="capture-posts")
    router.channel_post.register(channel_post)
    return router
