"""Bot API methods about the bot itself and chats: getMe, commands, getChat, members,
chat actions. Mixed into FakeTelegram."""

from __future__ import annotations

import json
import re
from typing import Any

from .fake_api import ApiError, Call, api_method, as_int
from .fake_telegram_objects import JSON, chat_full_info


class ChatMethodsMixin:
    bot_user: JSON
    privacy_mode: bool
    commands: dict[tuple[str, str], list[JSON]]

    # --- identity and commands ---

    @api_method("getMe")
    def _get_me(self, call: Call) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @staticmethod
    def _scope_key(scope: str | JSON | None) -> str:
        if isinstance(scope, str):
            scope = {"type": scope}
        return json.dumps(scope or {"type": "default"}, sort_keys=True)

    @api_method("setMyCommands")
    def _set_my_commands(self, call: Call) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be a list of at most 100 items")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = (self._scope_key(call.params.get("scope")), call.params.get("language_code", ""))
        self.commands[key] = commands
        return True

    @api_method("getMyCommands")
    def _get_my_commands(self, call: Call) -> list[JSON]:
        return self.my_commands(call.params.get("scope"), call.params.get("language_code", ""))

    @api_method("deleteMyCommands")
    def _delete_my_commands(self, call: Call) -> bool:
        key = (self._scope_key(call.params.get("scope")), call.params.get("language_code", ""))
        self.commands.pop(key, None)
        return True

    # --- chats ---

    def _chat(self, chat_id: Any) -> JSON:
        """The chat a method targets, with the errors Telegram gives for unreachable ones."""
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat: JSON | None
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            chat = next(
                (
                    c
                    for c in self.chats.values()
                    if c["type"] != "private" and f"@{c.get('username')}".lower() == chat_id.lower()
                ),
                None,
            )
        else:
            cid = as_int(chat_id, 0, "chat_id")
            chat = self.chats.get(cid)
            if chat is None and cid in self.users:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat["type"] == "private":
            if chat["id"] in self.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            return chat
        status = self.member_status(chat["id"], self.bot_user["id"])
        kind = chat["type"] if chat["type"] in ("supergroup", "channel") else "group"
        if status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
        if status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        return chat

    @api_method("getChat")
    def _get_chat(self, call: Call) -> JSON:
        return chat_full_info(self._chat(call.params.get("chat_id")))

    @api_method("getChatAdministrators")
    def _get_chat_administrators(self, call: Call) -> list[JSON]:
        chat = self._chat(call.params.get("chat_id"))
        if chat["type"] == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        return self.administrators(chat["id"])

    @api_method("getChatMember")
    def _get_chat_member(self, call: Call) -> JSON:
        chat = self._chat(call.params.get("chat_id"))
        if "user_id" not in call.params:
            raise ApiError(400, "Bad Request: user_id is empty")
        return self.chat_member(chat["id"], as_int(call.params["user_id"], 0, "user_id"))

    @api_method("sendChatAction")
    def _send_chat_action(self, call: Call) -> bool:
        self._chat(call.params.get("chat_id"))
        if not call.params.get("action"):
            raise ApiError(400, "Bad Request: action is empty")
        return True
