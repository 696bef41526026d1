"""What Telegram refuses: flood limits (429) and texts, captions and keyboards it cannot take
(400), with Telegram's own error texts."""

from __future__ import annotations

import math
import re
from collections import deque
from typing import Any

from .fake_api import ApiError
from .fake_html import JSON, EntityParseError, format_text, utf16_len


class RateLimits:
    """Sliding windows over accepted messages: overall per second, per group chat per minute.

    A media group counts as one message per item, in both windows.
    """

    def __init__(self, per_second: int | None, per_chat_per_minute: int | None) -> None:
        self.per_second, self.per_chat_per_minute = per_second, per_chat_per_minute
        self._all: deque[float] = deque()
        self._chats: dict[int, deque[float]] = {}

    @staticmethod
    def _wait(stamps: deque[float], window: float, limit: int, units: int, now: float) -> float:
        while stamps and stamps[0] <= now - window:
            stamps.popleft()
        excess = len(stamps) + min(units, limit) - limit
        return 0.0 if excess <= 0 else stamps[excess - 1] + window - now

    def retry_after(self, chat_id: int, units: int, now: float) -> int | None:
        waits = [0.0]
        if self.per_second:
            waits.append(self._wait(self._all, 1.0, self.per_second, units, now))
        if self.per_chat_per_minute and chat_id < 0:  # groups and channels only
            stamps = self._chats.setdefault(chat_id, deque())
            waits.append(self._wait(stamps, 60.0, self.per_chat_per_minute, units, now))
        wait = max(waits)
        return max(1, math.ceil(wait)) if wait > 0 else None

    def record(self, chat_id: int, units: int, now: float) -> None:
        self._all.extend([now] * units)
        if chat_id < 0:
            self._chats.setdefault(chat_id, deque()).extend([now] * units)


def formatted(params: JSON, key: str, limit: int, render_html: bool) -> tuple[str, list[JSON]]:
    """Text/caption as the message will hold it; bad HTML, empty or too long text -> 400."""
    raw = str(params.get(key) or "")
    entities_key = "entities" if key == "text" else "caption_entities"
    try:
        text, entities = format_text(raw, params.get("parse_mode"), params.get(entities_key))
    except EntityParseError as error:
        raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None
    if key == "text" and not text:
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_len(text) > limit:
        what = "message" if key == "text" else "message caption"
        raise ApiError(400, f"Bad Request: {what} is too long")
    if render_html:
        return text, entities
    return raw, params.get(entities_key) or []


def caption_content(params: JSON, render_html: bool) -> JSON:
    caption, entities = formatted(params, "caption", 1024, render_html)
    content: JSON = {"caption": caption} if caption else {}
    if entities:
        content["caption_entities"] = entities
    return content


# What Telegram counts against the flood limits: every message sent, and edits (a media group
# counts one per item). Other methods (answers, chat actions, deletions) are not limited here.
RATE_LIMITED_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "editMessageText",
    "editMessageCaption",
})  # fmt: skip
_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
_URL_SCHEMES = ("http", "https", "tg", "ton")
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}(?::\d{1,5})?")


def callback_answer_text(params: JSON) -> None:
    """answerCallbackQuery: the notification/alert text is 0-200 characters."""
    if len(str(params.get("text") or "")) > 200:
        raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")


def _check_url(url: str) -> None:
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "http", url  # Telegram reads "t.me/x" as http://t.me/x
    problem = None
    if scheme.lower() not in _URL_SCHEMES:
        problem = "Unsupported URL protocol"
    elif scheme.lower() in ("http", "https"):
        host = re.split(r"[/?#]", rest, maxsplit=1)[0].rpartition("@")[2]
        problem = "URL host is empty" if not host else None
        problem = problem or (None if _HOST.fullmatch(host) else "Wrong HTTP URL")
    if problem:
        raise ApiError(
            400, f"Bad Request: inline keyboard button URL '{url}' is invalid: {problem}"
        )


def _inline_button(button: Any) -> None:
    if not isinstance(button, dict) or "text" not in button:
        raise ApiError(
            400, "Bad Request: can't parse inline keyboard button: Can't find field \"text\""
        )
    if not str(button["text"]):
        raise ApiError(400, "Bad Request: inline keyboard button text must be non-empty")
    actions = [k for k in _ACTIONS if button.get(k) is not None]
    if button.get("callback_data") == "":  # an empty callback_data counts as none (Telegram)
        actions.remove("callback_data")
    if not actions:
        raise ApiError(
            400,
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard",
        )
    if "callback_data" in actions and len(str(button["callback_data"]).encode()) > 64:
        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    if "url" in actions:
        _check_url(str(button["url"]))


def _reply_keyboard(markup: JSON) -> None:
    for row in markup["keyboard"]:
        for button in row:
            text = button if isinstance(button, str) else (button or {}).get("text", "")
            if not str(text):
                raise ApiError(400, "Bad Request: keyboard button text must be non-empty")


def inline_markup(params: JSON) -> JSON | None:
    """Validate reply_markup as Telegram does; only an inline keyboard is part of the returned
    message (reply keyboards, force_reply and keyboard removal are not)."""
    markup = params.get("reply_markup")
    if not isinstance(markup, dict):
        return None
    if "keyboard" in markup:
        _reply_keyboard(markup)
    if "inline_keyboard" not in markup:
        return None
    for row in markup["inline_keyboard"]:
        for button in row:
            _inline_button(button)
    return markup
