"""Bot API methods that change what is already in a chat: edits, deletions, and answers to
button presses. Mixed into FakeTelegram."""

from __future__ import annotations

import copy

from .fake_api import NOT_MODIFIED, ApiError, Call, Sent, api_method, as_int
from .fake_limits import callback_answer_text
from .fake_telegram_objects import JSON


class EditMethodsMixin:
    bot_user: JSON
    sent: list[Sent]
    deleted: list[tuple[int, int]]
    callback_answers: dict[str, JSON]

    def _own_message(self, call: Call) -> tuple[JSON, JSON]:
        if "inline_message_id" in call.params:
            raise ApiError(400, "Bad Request: the fake does not support inline messages")
        chat = self._chat(call.params.get("chat_id"))
        message_id = as_int(call.params.get("message_id"), 0, "message_id")
        current = self.messages.get((chat["id"], message_id))
        if current is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if current.get("from", {}).get("id") != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return chat, copy.deepcopy(current)

    def _edited(self, call: Call, chat: JSON, old: JSON, new: JSON) -> JSON:
        keys = ("text", "entities", "caption", "caption_entities", "reply_markup")
        if all(old.get(k) == new.get(k) for k in keys):
            raise ApiError(400, NOT_MODIFIED)
        new["edit_date"] = self.now
        self.store_message(new)
        self.sent.append(Sent(call.method, chat["id"], copy.deepcopy(new), call.params, {}))
        return new

    @api_method("editMessageText")
    def _edit_message_text(self, call: Call) -> JSON:
        chat, old = self._own_message(call)
        text, entities = self._formatted(call.params, "text", 4096)
        if "text" not in old:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        new = {k: v for k, v in old.items() if k not in ("entities", "reply_markup")}
        new["text"] = text
        if entities:
            new["entities"] = entities
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        if (markup := self._inline_markup(call.params)) is not None:
            new["reply_markup"] = markup
        return self._edited(call, chat, old, new)

    @api_method("editMessageCaption")
    def _edit_message_caption(self, call: Call) -> JSON:
        chat, old = self._own_message(call)
        caption = self._caption(call.params)  # an empty caption removes it
        if "text" in old:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        drop = ("caption", "caption_entities", "reply_markup")
        new = {k: v for k, v in old.items() if k not in drop} | caption
        if (markup := self._inline_markup(call.params)) is not None:
            new["reply_markup"] = markup
        return self._edited(call, chat, old, new)

    @api_method("editMessageReplyMarkup")
    def _edit_message_reply_markup(self, call: Call) -> JSON:
        chat, old = self._own_message(call)
        new = {k: v for k, v in old.items() if k != "reply_markup"}
        if (markup := self._inline_markup(call.params)) is not None:
            new["reply_markup"] = markup
        return self._edited(call, chat, old, new)

    @api_method("deleteMessage")
    def _delete_message(self, call: Call) -> bool:
        chat = self._chat(call.params.get("chat_id"))
        key = (chat["id"], as_int(call.params.get("message_id"), 0, "message_id"))
        message = self.messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        own = message.get("from", {}).get("id") == self.bot_user["id"]
        is_admin = self.member_status(chat["id"], self.bot_user["id"]) in (
            "administrator",
            "creator",
        )
        if chat["type"] != "private" and not own and not is_admin:
            raise ApiError(400, "Bad Request: message can't be deleted")
        del self.messages[key]
        self.deleted.append(key)
        return True

    @api_method("answerCallbackQuery")
    def _answer_callback(self, call: Call) -> bool:
        query_id = str(call.params.get("callback_query_id", ""))
        if query_id not in self._open_queries:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        callback_answer_text(call.params)
        self._open_queries.discard(query_id)
        self.callback_answers[query_id] = call.params
        return True
