"""Pinned messages for the fake Bot API: pinChatMessage, unpinChatMessage, unpinAllChatMessages,
and getChat's pinned_message; plus what people do by hand (unpin, delete, pin another).

A mixin listed in FakeTelegram's bases (before ChatMethodsMixin, whose getChat it extends);
tests reach the state and the by-hand actions through `pins_of(fake)`.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .fake_api import ApiError, Call, api_method
from .fake_methods_chat import ChatMethodsMixin

if TYPE_CHECKING:
    from .fake_telegram import FakeTelegram

JSON = dict[str, Any]
NO_RIGHTS = "Bad Request: not enough rights to manage pinned messages in the chat"


class Pins:
    """Which messages are pinned in which chat, newest last (getChat shows the newest)."""

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self.pinned: dict[int, list[int]] = {}

    def target(self, call: Call) -> tuple[JSON, int | None]:
        chat = self.fake._chat(call.params.get("chat_id"))
        raw = call.params.get("message_id")
        message_id = int(raw) if raw is not None else None
        if chat["type"] != "private":
            status = self.fake.member_status(chat["id"], self.fake.bot_user["id"])
            if status not in ("administrator", "creator"):
                raise ApiError(400, NO_RIGHTS)
        return chat, message_id

    def top(self, chat_id: int) -> int | None:
        ids = self.pinned.get(chat_id, [])
        return ids[-1] if ids else None

    # --- people, by hand ---

    def unpin_by_hand(self, chat_id: int, message_id: int) -> None:
        """An admin unpins it in the app: Telegram sends the bot no update for that."""
        self.pinned.get(chat_id, []).remove(message_id)

    def delete_by_hand(self, chat_id: int, message_id: int) -> None:
        """An admin deletes the message: gone, and so is its pin; no update either."""
        self.fake.messages.pop((chat_id, message_id), None)
        if message_id in self.pinned.get(chat_id, []):
            self.pinned[chat_id].remove(message_id)

    def pin_by_hand(self, chat: JSON, user: JSON, message_id: int) -> JSON:
        """A person pins another message: the group gets a pinned_message service message."""
        self.pinned.setdefault(chat["id"], []).append(message_id)
        pinned = copy.deepcopy(self.fake.messages[(chat["id"], message_id)])
        pinned.pop("reply_to_message", None)
        return self.fake._service_message(chat, user, pinned_message=pinned)


class PinMethodsMixin:
    @property
    def pins(self) -> Pins:
        found = self.__dict__.get("_pins")
        if found is None:
            found = self.__dict__["_pins"] = Pins(self)  # type: ignore[arg-type]
        return found

    @api_method("pinChatMessage")
    def _pin_chat_message(self, call: Call) -> bool:
        chat, message_id = self.pins.target(call)
        if message_id is None:
            raise ApiError(400, "Bad Request: message_id is empty")
        if (chat["id"], message_id) not in self.pins.fake.messages:
            raise ApiError(400, "Bad Request: message to pin not found")
        ids = self.pins.pinned.setdefault(chat["id"], [])
        if message_id in ids:
            ids.remove(message_id)
        ids.append(message_id)
        return True

    @api_method("unpinChatMessage")
    def _unpin_chat_message(self, call: Call) -> bool:
        chat, message_id = self.pins.target(call)
        ids = self.pins.pinned.get(chat["id"], [])
        if message_id is None:  # the most recent one
            if not ids:
                raise ApiError(400, "Bad Request: there is no pinned message to unpin")
            ids.pop()
            return True
        if message_id not in ids:
            raise ApiError(400, "Bad Request: message to unpin not found")
        ids.remove(message_id)
        return True

    @api_method("unpinAllChatMessages")
    def _unpin_all_chat_messages(self, call: Call) -> bool:
        chat, _ = self.pins.target(call)
        self.pins.pinned.pop(chat["id"], None)
        return True

    @api_method("getChat")
    def _get_chat_with_pin(self, call: Call) -> JSON:
        info = ChatMethodsMixin._get_chat(self, call)  # type: ignore[arg-type]
        top = self.pins.top(info["id"])
        if top is not None and (message := self.pins.fake.messages.get((info["id"], top))):
            info["pinned_message"] = copy.deepcopy(message)
        return info


def pins_of(fake: FakeTelegram) -> Pins:
    return fake.pins
