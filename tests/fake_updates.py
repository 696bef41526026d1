"""People acting in the fake Telegram: each builder changes the world and queues the update
Telegram would send the bot (or drops it, as Telegram would: privacy mode, bot not in the chat).

New kinds of updates (channel posts, chat_member, ...) get their builder here, in
`TelegramWorld`, so tests and the standalone control API share them.
"""

from __future__ import annotations

from typing import Any

from .fake_telegram_objects import JSON, command_entities, member_object
from .fake_world import WorldState


class TelegramWorld(WorldState):
    """The world plus the builders tests use to act as people."""

    def _privacy_hides(self, message: JSON) -> bool:
        """Privacy mode: in groups the bot only sees commands, replies to it, mentions of it."""
        chat = message["chat"]
        if not self.privacy_mode or chat["type"] == "private":
            return False
        if self.member_status(chat["id"], self.bot_user["id"]) in ("administrator", "creator"):
            return False
        text = message.get("text", "")
        replied = message.get("reply_to_message", {}).get("from", {}).get("id")
        return not (
            text.startswith("/")
            or replied == self.bot_user["id"]
            or f"@{self.bot_user['username']}".lower() in text.lower()
        )

    def _queue_from_chat(self, kind: str, message: JSON, *, service: bool = False) -> JSON:
        """Queue what a person did in a chat, unless Telegram would not show it to the bot."""
        update = {"update_id": self._next_update_id, kind: message}
        chat = message["chat"]
        bot_status = self.member_status(chat["id"], self.bot_user["id"])
        outside = chat["type"] != "private" and bot_status in ("left", "kicked")
        if outside or (not service and self._privacy_hides(message)):
            self._next_update_id += 1
            self.dropped.append(update)
            return update
        return self.queue_raw(update)

    def send_message(self, chat: JSON, from_user: JSON, text: str, *, reply_to: Any = None) -> JSON:
        """A person writes `text` in `chat`; returns the `message` update (queued, or dropped if
        Telegram would not show it to the bot: privacy mode, or the bot is not in the group)."""
        if chat["type"] == "private" and from_user["id"] in self.blocked:
            self.blocked.discard(from_user["id"])  # writing to a blocked bot restarts it
            self._my_chat_member(chat, from_user, "member")
        self._seen(chat, from_user)
        message: JSON = {
            "message_id": self.next_message_id(chat["id"]),
            "from": from_user,
            "chat": chat,
            "date": self.now,
            "text": text,
        }
        if entities := command_entities(text):
            message["entities"] = entities
        if reply_to is not None:
            target = self._current(reply_to)
            message["reply_to_message"] = self.quoted(chat["id"], target["message_id"]) or target
        self.store_message(message)
        return self._queue_from_chat("message", message)

    def edit_message(self, message: Any, new_text: str) -> JSON:
        """The author edits their message; returns the `edited_message` update."""
        edited = self._current(message)
        edited.update(text=new_text, edit_date=self.now)
        edited.pop("entities", None)
        if entities := command_entities(new_text):
            edited["entities"] = entities
        self.store_message(edited)
        return self._queue_from_chat("edited_message", edited)

    def press_button(self, bot_message: Any, data: str, from_user: JSON) -> JSON:
        """Press the inline button with callback_data `data` on a message the bot sent."""
        message = self._current(bot_message)
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        buttons = [b.get("callback_data") for row in rows for b in row if "callback_data" in b]
        if data not in buttons:
            raise ValueError(
                f"message {message['message_id']} has no button {data!r}; it has {buttons}"
            )
        self.users.setdefault(from_user["id"], from_user)
        query_id = str(4_000_000_000_000_000 + self._serial_id())
        self._open_queries.add(query_id)
        return self.queue_raw(
            {
                "callback_query": {
                    "id": query_id,
                    "from": from_user,
                    "message": message,
                    "chat_instance": str(abs(message["chat"]["id"]) * 7919),
                    "data": data,
                }
            }
        )

    def _my_chat_member(self, chat: JSON, by_user: JSON, new_status: str) -> JSON:
        old = self.chat_member(chat["id"], self.bot_user["id"])
        self.set_member_status(chat["id"], self.bot_user["id"], new_status)
        self.chats[chat["id"]] = chat
        return self.queue_raw(
            {
                "my_chat_member": {
                    "chat": chat,
                    "from": by_user,
                    "date": self.now,
                    "old_chat_member": old,
                    "new_chat_member": member_object(new_status, self.bot_user),
                }
            }
        )

    def add_bot_to_group(self, chat: JSON, by_user: JSON, *, service_message: bool = False) -> JSON:
        """`my_chat_member` left -> member; with service_message also the new_chat_members message
        Telegram sends alongside it. Returns the my_chat_member update."""
        self.set_member_status(chat["id"], self.bot_user["id"], "left")
        update = self._my_chat_member(chat, by_user, "member")
        self._seen(chat, by_user)
        if service_message:
            self._service_message(chat, by_user, new_chat_members=[self.bot_user])
        return update

    def remove_bot_from_group(self, chat: JSON, by_user: JSON, *, kicked: bool = False) -> JSON:
        return self._my_chat_member(chat, by_user, "kicked" if kicked else "left")

    def block_bot(self, user: JSON) -> JSON:
        """The person blocks the bot: sending to them gets 403; returns my_chat_member update."""
        update = self._my_chat_member(self.private_chat(user), user, "kicked")
        self.blocked.add(user["id"])
        return update

    def _service_message(self, chat: JSON, user: JSON, **content: Any) -> JSON:
        message = {
            "message_id": self.next_message_id(chat["id"]),
            "from": user,
            "chat": chat,
            "date": self.now,
            **content,
        }
        self.store_message(message)
        return self._queue_from_chat("message", message, service=True)

    def member_left(self, chat: JSON, user: JSON) -> JSON:
        self._seen(chat, user)
        self.set_member_status(chat["id"], user["id"], "left")
        return self._service_message(chat, user, left_chat_member=user)

    def member_joined(self, chat: JSON, user: JSON) -> JSON:
        self._seen(chat, user)
        return self._service_message(chat, user, new_chat_members=[user])
