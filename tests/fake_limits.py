"""What Telegram refuses: flood limits (429) and texts, captions and keyboards it cannot take
(400), with Telegram's own error texts."""

from __future__ import annotations

import math
from collections import deque

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


def inline_markup(params: JSON) -> JSON | None:
    """Only inline keyboards are part of the returned message; reply keyboards are not."""
    markup = params.get("reply_markup")
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return None
    for row in markup["inline_keyboard"]:
        for button in row:
            if len(str(button.get("callback_data", "")).encode()) > 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup
