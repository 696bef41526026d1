"""What every part of the fake Bot API shares: a decoded call, a sent message, Telegram's errors,
and the `api_method` marker that registers a handler."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .fake_telegram_objects import JSON

DEFAULT_TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
SENDING_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup"})
MAX_POLL_TIMEOUT = 30
# Typed as strings by the Bot API: aiogram sends them raw, so "123" must not become an int.
STRING_PARAMS = frozenset({
    "text", "caption", "parse_mode", "url", "secret_token", "callback_query_id",
    "inline_message_id", "custom_title", "description", "short_description", "name", "title",
    "language_code", "emoji", "query", "file_id", "action", "message_effect_id", "data",
    "business_connection_id", "ip_address", "first_name", "last_name", "username", "photo",
    "document", "audio", "video", "animation", "voice", "video_note", "sticker", "thumbnail",
})  # fmt: skip
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
F = TypeVar("F", bound=Callable[..., Any])


def api_method(name: str) -> Callable[[F], F]:
    """Mark a FakeTelegram method as the handler of Bot API method `name` (it takes a Call)."""

    def mark(handler: F) -> F:
        handler.__api_method__ = name  # type: ignore[attr-defined]
        return handler

    return mark


@dataclass
class Call:
    """One HTTP request to the Bot API, decoded."""

    method: str  # canonical name ("sendMessage") whatever case the URL used
    params: JSON
    files: dict[str, bytes]  # uploaded parts by part name (what attach://name refers to)
    at: float
    status: int | None = None  # HTTP status of the answer, once answered
    response: JSON | None = None
    filenames: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass
class Sent:
    """A message the bot sent or edited (method tells which), as Telegram returned it."""

    method: str
    chat_id: int
    message: JSON
    params: JSON
    files: dict[str, bytes]

    @property
    def text(self) -> str | None:
        return self.message.get("text", self.message.get("caption"))

    @property
    def buttons(self) -> list[list[JSON]]:
        return self.message.get("reply_markup", {}).get("inline_keyboard", [])


@dataclass
class StoredFile:
    data: bytes
    filename: str
    path: str
    unique_id: str


@dataclass
class Fault:
    status: int
    description: str
    retry_after: int | None


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def default_description(status: int, retry_after: int | None) -> str:
    return {
        400: "Bad Request: chat not found",
        401: "Unauthorized",
        403: "Forbidden: bot was blocked by the user",
        404: "Not Found",
        409: "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running",
        429: f"Too Many Requests: retry after {retry_after}",
        502: "Bad Gateway",
    }.get(status, "Internal Server Error")


def decode_param(key: str, value: Any) -> Any:
    """aiogram JSON-encodes every non-string value (objects, lists, ints, bools)."""
    if not isinstance(value, str) or key in STRING_PARAMS:
        return value
    if value[:1] in '{["-0123456789' or value in ("true", "false", "null"):
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value


def as_int(value: Any, default: int, name: str) -> int:
    if value is None:
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {name}") from None
