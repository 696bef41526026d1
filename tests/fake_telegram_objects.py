"""The Telegram side of the fake Bot API: users, chats, members, messages, the update queue.

Everything is a plain dict shaped exactly like the Bot API object, with every field aiogram's
pydantic models require, so the real Bot and Dispatcher validate it as in production.
`TelegramWorld` holds the state and the builders tests use to act as people; the HTTP server
in `tests/fake_telegram.py` subclasses it and adds the bot-facing methods.
"""

from __future__ import annotations

import asyncio
import copy
import html
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

JSON = dict[str, Any]

# Telegram's default when allowed_updates was never given (or given as []).
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})

_ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
    "can_edit_stories", "can_delete_stories", "can_send_welcome_messages", "can_pin_messages",
    "can_manage_topics",
)  # fmt: skip
_RESTRICTED_FLAGS = (
    "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
    "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
    "can_send_other_messages", "can_add_web_page_previews", "can_react_to_messages",
    "can_edit_tag", "can_change_info", "can_invite_users", "can_pin_messages", "can_manage_topics",
)  # fmt: skip

# A bot_command entity as Telegram detects it: /name[@botname] at the very start.
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def utf16_len(text: str) -> int:
    """Entity offsets and lengths are counted in UTF-16 code units, not code points."""
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[JSON]:
    match = _COMMAND.match(text)
    return (
        [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group())}] if match else []
    )


def update_type(update: JSON) -> str:
    return next(key for key in update if key != "update_id")


def update_message(update: JSON) -> JSON | None:
    """The message an update carries, whatever the update type."""
    for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
        if key in update:
            return update[key]
    return update.get("callback_query", {}).get("message")


# --- parse_mode=HTML, as Telegram applies it to what the bot sends --------------------------


class EntityParseError(ValueError):
    """Telegram answers 400 "Bad Request: can't parse entities: ..." for these."""


_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")
_HTML_ENTITY = MappingProxyType({
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
})  # fmt: skip


def _tag_entity(
    name: str, attrs: dict[str, str], stack: list[tuple[str, JSON | None]]
) -> JSON | None:
    kind = _HTML_ENTITY[name]
    if name == "a":
        return {"type": kind, "url": attrs["href"]} if attrs.get("href") else None
    parent = stack[-1] if stack else ("", None)
    if name == "code" and parent[0] == "pre" and attrs.get("class", "").startswith("language-"):
        # <pre><code class="language-x"> is one pre entity with a language
        if parent[1] is not None:
            parent[1]["language"] = attrs["class"].removeprefix("language-")
        return None
    if name == "blockquote" and "expandable" in attrs:
        return {"type": "expandable_blockquote"}
    if name == "tg-emoji":
        return {"type": kind, "custom_emoji_id": attrs.get("emoji-id", "")}
    return {"type": kind}


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Strip Telegram-HTML tags into (text, entities); unknown or unbalanced tags raise."""
    out: list[str] = []
    entities: list[JSON] = []
    stack: list[tuple[str, JSON | None]] = []
    pos, at = 0, 0  # pos: UTF-16 offset in the output; at: index in the source
    while at < len(source):
        lt = source.find("<", at)
        chunk = html.unescape(source[at : len(source) if lt < 0 else lt])
        out.append(chunk)
        pos += utf16_len(chunk)
        if lt < 0:
            break
        byte = len(source[:lt].encode())
        tag = _TAG.match(source, lt)
        if tag is None:
            problem = "Unclosed start tag" if ">" not in source[lt:] else "Unsupported start tag"
            raise EntityParseError(f"{problem} at byte offset {byte}")
        closing, name = tag.group(1) == "/", tag.group(2).lower()
        at = tag.end()
        if closing:
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {byte}")
            if stack[-1][0] != name:
                raise EntityParseError(
                    f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"'
                )
            _, entity = stack.pop()
            if entity is not None and pos > entity["offset"]:
                entity["length"] = pos - entity["offset"]
                entities.append(entity)
            continue
        attrs = {
            m.group(1).lower(): html.unescape(
                next((g for g in m.groups()[1:] if g is not None), "")
            )
            for m in _ATTR.finditer(tag.group(3))
        }
        if name not in _HTML_ENTITY or (name == "span" and attrs.get("class") != "tg-spoiler"):
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {byte}')
        entity = _tag_entity(name, attrs, stack)
        if entity is not None:
            entity["offset"] = pos
        stack.append((name, entity))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def format_text(
    raw: str, parse_mode: str | None, entities: list[JSON] | None = None
) -> tuple[str, list[JSON]]:
    """What the recipient sees: HTML parsed (other modes are echoed as is), whitespace trimmed."""
    if parse_mode and parse_mode.lower() == "html":
        text, found = parse_html(raw)
    else:
        text, found = raw, [dict(e) for e in entities or []]
    # Telegram trims leading/trailing whitespace and shifts entities accordingly.
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    text = text.strip()
    size = utf16_len(text)
    kept = []
    for entity in found:
        start = max(0, entity["offset"] - lead)
        end = min(size, entity["offset"] + entity["length"] - lead)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return text, kept


# --- chat members ---------------------------------------------------------------------------


def member_object(status: str, user: JSON) -> JSON:
    """A complete ChatMember* object for `status`."""
    if status == "creator":
        return {"status": status, "user": user, "is_anonymous": False}
    if status == "administrator":
        rights = dict.fromkeys(_ADMIN_RIGHTS, True)
        return {
            "status": status,
            "user": user,
            "can_be_edited": False,
            "is_anonymous": False,
            **rights,
        }
    if status == "restricted":
        flags = dict.fromkeys(_RESTRICTED_FLAGS, False)
        return {"status": status, "user": user, "is_member": True, **flags, "until_date": 0}
    if status == "kicked":
        return {"status": status, "user": user, "until_date": 0}
    return {"status": status, "user": user}  # member, left


def chat_full_info(chat: JSON) -> JSON:
    """getChat's ChatFullInfo: the chat plus the fields Telegram always fills."""
    gifts = dict.fromkeys(
        (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        ),
        False,
    )
    return {**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}


@dataclass
class _Queued:
    update: JSON
    # A redelivered update is returned once even if the bot's offset is already past it.
    redelivered: bool = False
    delivered: bool = False


class TelegramWorld:
    """What Telegram knows, plus builders that make people act and queue the updates."""

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

    # --- people acting ---

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
