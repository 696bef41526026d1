"""Channels, their discussion groups and Telegram Business for the fake Bot API.

Builders take the fake (a `TelegramWorld` / `FakeTelegram`) and queue updates dated
`fake.now`, shaped like the Bot API's: channel_post (author_signature, media_group_id, and
the automatic forward into the discussion group that opens the post's comment thread),
message_reaction_count, chat_member (with the invite link used), business_connection and
business_message. `channel_handlers(fake)` adds the methods the bot calls: getChatMemberCount,
createChatInviteLink, and getChat / getChatMember that know a channel's linked discussion
group and the bot's admin rights there.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fake_api import ApiError

JSON = dict[str, Any]
TELEGRAM = {"id": 777000, "is_bot": False, "first_name": "Telegram"}  # automatic forwards


@dataclass
class ChannelWorld:
    """What the fake knows about channels beyond the chat itself."""

    linked: dict[int, int] = field(default_factory=dict)  # channel id -> discussion group id
    counts: dict[int, int] = field(default_factory=dict)  # channel id -> subscribers
    missing: dict[int, set[str]] = field(default_factory=dict)  # chat id -> rights withheld
    links: dict[str, JSON] = field(default_factory=dict)  # invite link -> ChatInviteLink
    threads: dict[tuple[int, int], int] = field(default_factory=dict)  # post -> thread root


def _to_admin(fake: Any, chat: JSON, update: JSON) -> JSON:
    """chat_member and message_reaction_count reach a bot only where it is an admin."""
    if fake.member_status(chat["id"], fake.bot_user["id"]) in ("administrator", "creator"):
        return fake.queue_raw(update)
    fake.dropped.append(update)
    return update


def world(fake: Any) -> ChannelWorld:
    found = getattr(fake, "channel_world", None)
    if found is None:
        found = ChannelWorld()
        fake.channel_world = found
    return found


def channel(
    fake: Any, chat_id: int, title: str, username: str | None = None, *,
    subscribers: int = 0, discussion: JSON | None = None, admin: bool = True,
) -> JSON:  # fmt: skip
    """A channel the bot was added to (as an admin unless admin=False)."""
    chat: JSON = {"id": chat_id, "type": "channel", "title": title}
    if username:
        chat["username"] = username
    fake.chats[chat_id] = chat
    fake.set_member_status(chat_id, fake.bot_user["id"], "administrator" if admin else "member")
    state = world(fake)
    state.counts[chat_id] = subscribers
    if discussion is not None:
        state.linked[chat_id] = discussion["id"]
        fake.set_member_status(discussion["id"], fake.bot_user["id"], "administrator")
    return chat


def withhold(fake: Any, chat_id: int, *rights: str) -> None:
    """The bot is an admin of `chat_id` without these rights."""
    world(fake).missing[chat_id] = set(rights)


def post(
    fake: Any, chat: JSON, *, signature: str | None = None, album: str | None = None,
    kind: str = "text",
) -> JSON:  # fmt: skip
    """A channel post (kind 'text' or 'photo'); with a discussion group, also its automatic
    forward there. Returns the channel_post update."""
    message: JSON = {
        "message_id": fake.next_message_id(chat["id"]),
        "sender_chat": chat,
        "chat": chat,
        "date": fake.now,
    }
    if kind == "photo":
        message["photo"] = [{"file_id": f"p{fake.now}", "file_unique_id": "u", "width": 90,
                             "height": 90}]  # fmt: skip
    else:
        message["text"] = "post text the bot never stores"
    if signature:
        message["author_signature"] = signature
    if album:
        message["media_group_id"] = album
    fake.store_message(message)
    update = fake.queue_raw({"channel_post": message})
    group_id = world(fake).linked.get(chat["id"])
    if group_id is not None:
        _forward(fake, chat, message, fake.chats[group_id])
    return update


def _forward(fake: Any, chat: JSON, message: JSON, group: JSON) -> None:
    origin: JSON = {"type": "channel", "chat": chat, "message_id": message["message_id"],
                    "date": message["date"]}  # fmt: skip
    if "author_signature" in message:
        origin["author_signature"] = message["author_signature"]
    forward = {
        "message_id": fake.next_message_id(group["id"]),
        "from": TELEGRAM,
        "sender_chat": chat,
        "chat": group,
        "date": fake.now,
        "forward_origin": origin,
        "is_automatic_forward": True,
        **{k: v for k, v in message.items() if k in ("text", "photo", "media_group_id")},
    }
    fake.store_message(forward)
    world(fake).threads[chat["id"], message["message_id"]] = forward["message_id"]
    fake._queue_from_chat("message", forward)


def thread_of(fake: Any, chat: JSON, post_update: JSON) -> int:
    """The discussion thread (its root message id) a channel post opened."""
    return world(fake).threads[chat["id"], post_update["channel_post"]["message_id"]]


def comment(
    fake: Any, group: JSON, thread: int, *, user: JSON | None = None,
    as_chat: JSON | None = None, reply_to: int | None = None,
) -> JSON:  # fmt: skip
    """A comment in a post's thread, by a person or posted as a chat (the channel, or the
    group itself for an anonymous admin); a reply to `reply_to` or else to the post."""
    target = fake.quoted(group["id"], reply_to or thread)
    message: JSON = {
        "message_id": fake.next_message_id(group["id"]),
        "chat": group,
        "date": fake.now,
        "message_thread_id": thread,
        "text": "comment text the bot never stores",
        "reply_to_message": target,
    }
    if as_chat is not None:
        message["sender_chat"] = as_chat
        message["from"] = {"id": 136817688, "is_bot": True, "first_name": "Channel",
                           "username": "Channel_Bot"}  # fmt: skip
    else:
        message["from"] = user
        fake.users.setdefault(user["id"], user)
    fake.store_message(message)
    return fake._queue_from_chat("message", message)


def reactions(fake: Any, chat: JSON, message_id: int, *totals: int) -> JSON:
    """The anonymous reaction totals of a post now (one number per emoji)."""
    emoji = ("👍", "❤", "🔥", "🎉")
    counts = [{"type": {"type": "emoji", "emoji": emoji[i % 4]}, "total_count": n}
              for i, n in enumerate(totals)]  # fmt: skip
    return _to_admin(fake, chat, {"message_reaction_count": {
        "chat": chat, "message_id": message_id, "date": fake.now, "reactions": counts,
    }})  # fmt: skip


def _member_update(fake: Any, chat: JSON, user: JSON, old: str, new: str, link: str | None):
    from tests.fake_telegram_objects import member_object

    fake.users.setdefault(user["id"], user)
    fake.set_member_status(chat["id"], user["id"], new)
    update: JSON = {
        "chat": chat, "from": user, "date": fake.now,
        "old_chat_member": member_object(old, user), "new_chat_member": member_object(new, user),
    }  # fmt: skip
    if link is not None:
        update["invite_link"] = copy.deepcopy(world(fake).links[link])
    return _to_admin(fake, chat, {"chat_member": update})


def join(fake: Any, chat: JSON, user: JSON, link: str | None = None) -> JSON:
    """A person subscribes (through an invite link the bot made, if given)."""
    world(fake).counts[chat["id"]] += 1
    return _member_update(fake, chat, user, "left", "member", link)


def leave(fake: Any, chat: JSON, user: JSON) -> JSON:
    world(fake).counts[chat["id"]] -= 1
    return _member_update(fake, chat, user, "member", "left", None)


def connect_business(fake: Any, user: JSON, connection_id: str, enabled: bool = True) -> JSON:
    return fake.queue_raw({"business_connection": {
        "id": connection_id, "user": user, "user_chat_id": user["id"], "date": fake.now,
        "is_enabled": enabled,
    }})  # fmt: skip


def business_message(
    fake: Any, connection_id: str, customer: JSON, sender: JSON, *, offline: bool = False,
    by_bot: JSON | None = None,
) -> JSON:  # fmt: skip
    """A message in a member's customer chat: from the customer, or the member's reply
    (offline: an away/greeting message; by_bot: sent by a business bot)."""
    chat = fake.private_chat(customer)
    message: JSON = {
        "message_id": fake.next_message_id(-customer["id"] - 10**12),  # the account's own ids
        "from": sender, "chat": chat, "date": fake.now, "business_connection_id": connection_id,
        "text": "customer chat text the bot never stores",
    }  # fmt: skip
    if offline:
        message["is_from_offline"] = True
    if by_bot is not None:
        message["sender_business_bot"] = by_bot
    return fake.queue_raw({"business_message": message})


def channel_handlers(fake: Any) -> dict[str, Callable[[Any], Any]]:
    """Bot API methods for channels; merged into the fake's method table."""
    # Extend what is registered already (getChat may carry a pin: tests/fake_pins.py).
    get_chat, get_member = fake._handlers["getChat"], fake._handlers["getChatMember"]

    def chat_of(call: Any) -> JSON:
        return fake._chat(call.params.get("chat_id"))

    def get_chat_info(call: Any) -> JSON:
        info = get_chat(call)
        if (linked := world(fake).linked.get(info["id"])) is not None:
            info["linked_chat_id"] = linked
        return info

    def get_chat_member(call: Any) -> JSON:
        member = get_member(call)
        if member["status"] == "administrator":
            for right in world(fake).missing.get(chat_of(call)["id"], ()):
                member[right] = False
        return member

    def member_count(call: Any) -> int:
        chat = chat_of(call)
        return world(fake).counts.get(chat["id"], 1)

    def create_link(call: Any) -> JSON:
        chat = chat_of(call)
        state = world(fake)
        if fake.member_status(chat["id"], fake.bot_user["id"]) != "administrator" or (
            "can_invite_users" in state.missing.get(chat["id"], ())
        ):
            raise ApiError(400, "Bad Request: not enough rights to manage chat invite link")
        name = call.params.get("name")
        if name is not None and len(str(name)) > 32:
            raise ApiError(400, "Bad Request: invite link name is too long")
        link = f"https://t.me/+fake{len(state.links) + 1:04d}"
        state.links[link] = {
            "invite_link": link, "creator": fake.bot_user, "creates_join_request": False,
            "is_primary": False, "is_revoked": False, **({"name": name} if name else {}),
        }  # fmt: skip
        return state.links[link]

    return {
        "getChat": get_chat_info,
        "getChatMember": get_chat_member,
        "getChatMemberCount": member_count,
        "createChatInviteLink": create_link,
    }
