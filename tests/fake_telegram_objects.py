"""Bot API objects as plain dicts, shaped exactly like Telegram's, with every field aiogram's
pydantic models require, so the real Bot and Dispatcher validate them as in production.

The state that holds them is `TelegramWorld` (tests/fake_world.py: chats, members, messages,
the update queue; tests/fake_updates.py: people acting). HTML parsing lives in
tests/fake_html.py and is re-exported here.
"""

from __future__ import annotations

import re

from .fake_html import JSON, EntityParseError, format_text, parse_html, utf16_len

__all__ = [
    "JSON", "MEMBER_STATUSES", "NOT_DELIVERED_BY_DEFAULT", "EntityParseError", "chat_full_info",
    "command_entities", "format_text", "member_object", "parse_html", "update_message",
    "update_type", "utf16_len",
]  # fmt: skip

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


def __getattr__(name: str) -> object:
    """`TelegramWorld` is importable from here too (lazily: tests/fake_updates.py imports this
    module, so a plain import would be circular)."""
    if name == "TelegramWorld":
        from .fake_updates import TelegramWorld

        return TelegramWorld
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
