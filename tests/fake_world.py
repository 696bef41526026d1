"""What Telegram knows about the bot's world: people, chats, members, messages, updates."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .fake_telegram_objects import (
    JSON,
    MEMBER_STATUSES,
    NOT_DELIVERED_BY_DEFAULT,
    member_object,
    update_message,
    update_type,
)


@dataclass
class _Queued:
    update: JSON
    # A redelivered update is returned once even if the bot's offset is already past it.
    redelivered: bool = False
    delivered: bool = False


class WorldState:
    """What Telegram knows: people, chats, memberships, messages, the update queue, the clock.

    `TelegramWorld` (tests/fake_updates.py) adds the builders that make people act."""

    def __init__(
        self, *, bot_id: int, username: str, first_name: str, privacy_mode: bool = False
    ) -> None:
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
        }
        # With privacy mode on, plain group messages are not delivered (as in real Telegram).
        self.privacy_mode = privacy_mode
        self.users: dict[int, JSON] = {}
        self.chats: dict[int, JSON] = {}
        self.messages: dict[tuple[int, int], JSON] = {}  # current state by (chat_id, message_id)
        self.allowed_updates: frozenset[str] | None = None  # None: Telegram's default set
        self.dropped: list[JSON] = []  # updates Telegram would never have created for the bot
        self.blocked: set[int] = set()  # users who blocked the bot
        self._statuses: dict[int, dict[int, str]] = {}  # chat_id -> user_id -> status
        self._pending: list[_Queued] = []
        self._next_update_id = 1
        self._next_message_id: dict[int, int] = {}
        self._next_group_id = -1001000000001
        self._serial = 0
        self._open_queries: set[str] = set()  # callback queries not answered yet
        self._now: int | None = None
        self._changed = asyncio.Event()

    # --- clock and notifications ---

    @property
    def now(self) -> int:
        """Epoch seconds used for `date` fields; settable, defaults to the real time."""
        return int(time.time()) if self._now is None else self._now

    @now.setter
    def now(self, value: float | None) -> None:
        self._now = None if value is None else int(value)

    def advance(self, seconds: float) -> None:
        self.now = self.now + seconds

    def _notify(self) -> None:
        """Wake everything waiting for a change (long polls, wait_* helpers)."""
        self._changed.set()
        self._changed = asyncio.Event()

    def _serial_id(self) -> int:
        self._serial += 1
        return self._serial

    def next_message_id(self, chat_id: int) -> int:
        """One sequence per chat, shared by people's and the bot's messages."""
        self._next_message_id[chat_id] = self._next_message_id.get(chat_id, 0) + 1
        return self._next_message_id[chat_id]

    def store_message(self, message: JSON) -> JSON:
        self.messages[message["chat"]["id"], message["message_id"]] = copy.deepcopy(message)
        return message

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        """The current state of a message (after edits), or None if deleted/unknown."""
        return copy.deepcopy(self.messages.get((chat_id, message_id)))

    def _current(self, obj: Any) -> JSON:
        """The stored message for a message dict, an update, or a `Sent`."""
        message = getattr(obj, "message", obj)
        if isinstance(message, dict) and "update_id" in message:
            message = update_message(message)
        if not isinstance(message, dict) or "message_id" not in message:
            raise ValueError(f"not a message: {obj!r}")
        stored = self.messages.get((message["chat"]["id"], message["message_id"]))
        return copy.deepcopy(stored or message)

    def quoted(self, chat_id: int, message_id: int) -> JSON | None:
        """A message as it appears in reply_to_message (one level, no nested reply)."""
        stored = self.message(chat_id, message_id)
        if stored is not None:
            stored.pop("reply_to_message", None)
        return stored

    # --- people and chats ---

    def user(
        self,
        id: int,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
        *,
        last_name: str | None = None,
    ) -> JSON:
        user: JSON = {"id": id, "is_bot": False, "first_name": first_name or f"User{id}"}
        for key, value in (
            ("last_name", last_name),
            ("username", username),
            ("language_code", language_code),
        ):
            if value is not None:
                user[key] = value
        self.users[id] = user
        return user

    def private_chat(self, user: JSON) -> JSON:
        chat: JSON = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        for key in ("last_name", "username"):
            if key in user:
                chat[key] = user[key]
        return chat

    def group(
        self, chat_id: int | None = None, title: str = "SMM Team", *, username: str | None = None
    ) -> JSON:
        """A supergroup the bot is a member of."""
        if chat_id is None:
            chat_id, self._next_group_id = self._next_group_id, self._next_group_id - 1
        chat: JSON = {"id": chat_id, "type": "supergroup", "title": title}
        if username:
            chat["username"] = username
        self.chats[chat_id] = chat
        return chat

    def _user_object(self, user_id: int) -> JSON:
        if user_id == self.bot_user["id"]:
            return self.bot_user
        return self.users.get(user_id) or {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User{user_id}",
        }

    def _seen(self, chat: JSON, user: JSON) -> None:
        """A person wrote in a chat: Telegram now knows the chat and the membership."""
        self.chats[chat["id"]] = chat
        self.users.setdefault(user["id"], user)
        if chat["type"] != "private" and self.member_status(chat["id"], user["id"]) in (
            "left",
            "kicked",
        ):
            self._statuses.setdefault(chat["id"], {})[user["id"]] = "member"

    # --- membership ---

    def set_admins(self, chat_id: int, user_ids: Iterable[int], owner: int | None = None) -> None:
        """Replace the chat's creator/administrators; previous ones become plain members."""
        statuses = self._statuses.setdefault(chat_id, {})
        for uid, status in statuses.items():
            if status in ("creator", "administrator"):
                statuses[uid] = "member"
        if owner is not None:
            statuses[owner] = "creator"
        for uid in user_ids:
            if uid != owner:
                statuses[uid] = "administrator"

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        if status not in MEMBER_STATUSES:
            raise ValueError(
                f"unknown status {status!r}, expected one of {sorted(MEMBER_STATUSES)}"
            )
        self._statuses.setdefault(chat_id, {})[user_id] = status

    def member_status(self, chat_id: int, user_id: int) -> str:
        known = self._statuses.get(chat_id, {}).get(user_id)
        if known is not None:
            return known
        if user_id == self.bot_user["id"]:
            return "member"  # a group built with group() already has the bot in it
        if chat_id == user_id and chat_id > 0:
            return "member"
        return "left"

    def chat_member(self, chat_id: int, user_id: int) -> JSON:
        return member_object(self.member_status(chat_id, user_id), self._user_object(user_id))

    def administrators(self, chat_id: int) -> list[JSON]:
        statuses = self._statuses.get(chat_id, {})
        ordered = sorted(
            (uid for uid, s in statuses.items() if s in ("creator", "administrator")),
            key=lambda uid: statuses[uid] != "creator",
        )
        return [self.chat_member(chat_id, uid) for uid in ordered]

    # --- the update queue ---

    def queue_raw(self, update: JSON) -> JSON:
        """Queue any update; `update_id` is assigned unless given."""
        if "update_id" not in update:
            update = {"update_id": self._next_update_id, **update}
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        allowed = self.allowed_updates
        kind = update_type(update)
        if (kind in allowed) if allowed is not None else (kind not in NOT_DELIVERED_BY_DEFAULT):
            self._pending.append(_Queued(copy.deepcopy(update)))
        else:
            self.dropped.append(update)  # allowed_updates excludes it: Telegram never creates it
        self._notify()
        return update

    def redeliver(self, update: JSON) -> JSON:
        """Queue the same update (same update_id) again, as after a bot died unconfirmed."""
        self._pending.append(_Queued(copy.deepcopy(update), redelivered=True))
        self._notify()
        return update

    @property
    def pending_updates(self) -> list[JSON]:
        return [q.update for q in self._pending]

    def confirm(self, offset: int | None) -> None:
        """getUpdates' offset: everything below it is confirmed and gone for good."""
        if offset is None:
            return
        if offset < 0:  # -N: keep only the last N updates
            keep = sorted(self._pending, key=lambda q: q.update["update_id"])[offset:]
            self._pending = [q for q in self._pending if q in keep]
            return
        self._pending = [
            q
            for q in self._pending
            if q.update["update_id"] >= offset or (q.redelivered and not q.delivered)
        ]

    def take_updates(self, limit: int) -> list[JSON]:
        chosen = sorted(self._pending, key=lambda q: q.update["update_id"])[:limit]
        for queued in chosen:
            queued.delivered = True
        return [copy.deepcopy(q.update) for q in chosen]
