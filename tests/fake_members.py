"""Membership as Telegram reports it, for the fake: `chat_member` updates, outsiders writing,
and a group upgraded to a supergroup (the `migrate_*` service messages).

Functions over a `TelegramWorld` (the `fake` fixture is one). As in Telegram, a `chat_member`
update exists only for a bot that is an administrator of the chat and named "chat_member" in
allowed_updates: otherwise it lands in `world.dropped`, never in the bot's queue.
"""

from __future__ import annotations

from typing import Any

from tests.fake_telegram_objects import JSON, TelegramWorld, member_object

ADMIN_STATUSES = ("creator", "administrator")


def make_bot_admin(world: TelegramWorld, chat: JSON, by_user: JSON) -> JSON:
    """A group admin promotes the bot; Telegram tells it with my_chat_member."""
    bot_id = world.bot_user["id"]
    old = world.chat_member(chat["id"], bot_id)
    world.set_member_status(chat["id"], bot_id, "administrator")
    return world.queue_raw({"my_chat_member": {
        "chat": chat, "from": by_user, "date": world.now, "old_chat_member": old,
        "new_chat_member": member_object("administrator", world.bot_user),
    }})  # fmt: skip


def change_member(world: TelegramWorld, chat: JSON, user: JSON, status: str, *,
                  by_user: JSON | None = None) -> JSON:  # fmt: skip
    """`user`'s status in `chat` becomes `status` (joins: "member", leaves: "left", banned:
    "kicked", promoted: "administrator", demoted: "member"); returns the chat_member update,
    queued only if the bot is an administrator there and asked for chat_member."""
    world.users.setdefault(user["id"], user)
    old = world.chat_member(chat["id"], user["id"])
    world.set_member_status(chat["id"], user["id"], status)
    update: JSON = {"chat_member": {
        "chat": chat, "from": by_user or user, "date": world.now, "old_chat_member": old,
        "new_chat_member": member_object(status, user),
    }}  # fmt: skip
    if world.member_status(chat["id"], world.bot_user["id"]) not in ADMIN_STATUSES:
        world.dropped.append(update)  # Telegram sends chat_member to administrators only
        return update
    return world.queue_raw(update)


def promote(world: TelegramWorld, chat: JSON, user: JSON, by_user: JSON) -> JSON:
    return change_member(world, chat, user, "administrator", by_user=by_user)


def demote(world: TelegramWorld, chat: JSON, user: JSON, by_user: JSON) -> JSON:
    return change_member(world, chat, user, "member", by_user=by_user)


def write_as_outsider(world: TelegramWorld, chat: JSON, user: JSON, text: str) -> JSON:
    """A message from someone Telegram does not count as in the chat: a comment in a
    channel's discussion group by a non-member, or a person who left writing there. (The
    fake's send_message makes the sender a member, as writing in a plain group requires.)"""
    status = world.member_status(chat["id"], user["id"])
    update = world.send_message(chat, user, text)
    world.set_member_status(chat["id"], user["id"], status)
    return update


def basic_group(world: TelegramWorld, chat_id: int, title: str) -> JSON:
    """A basic group (type "group", a short negative id) the bot is in: one that can be
    upgraded to a supergroup."""
    chat: JSON = {"id": chat_id, "type": "group", "title": title}
    world.chats[chat_id] = chat
    return chat


def _service(world: TelegramWorld, chat: JSON, user: JSON, **content: Any) -> JSON:
    message = {"message_id": world.next_message_id(chat["id"]), "from": user, "chat": chat,
               "date": world.now, **content}  # fmt: skip
    world.store_message(message)
    return world.queue_raw({"message": message})


def upgrade_to_supergroup(
    world: TelegramWorld, group: JSON, new_id: int, by_user: JSON, *, new_first: bool = False
) -> tuple[JSON, list[JSON]]:
    """The group becomes a supergroup with id `new_id`: everyone's status carries over, and
    Telegram posts migrate_to_chat_id in the old group and migrate_from_chat_id in the new one
    (`new_first`: in the other order). Afterwards the bot is no longer in the old group, so
    nothing sent there arrives. Returns (the new chat, the two updates in queue order)."""
    new_chat: JSON = {"id": new_id, "type": "supergroup", "title": group["title"]}
    world.chats[new_id] = new_chat
    for user_id in [*world.users, world.bot_user["id"]]:
        world.set_member_status(new_id, user_id, world.member_status(group["id"], user_id))
    notices = [
        (group, {"migrate_to_chat_id": new_id}),
        (new_chat, {"migrate_from_chat_id": group["id"]}),
    ]
    if new_first:
        notices.reverse()
    updates = [_service(world, chat, by_user, **content) for chat, content in notices]
    world.set_member_status(group["id"], world.bot_user["id"], "left")
    return new_chat, updates
