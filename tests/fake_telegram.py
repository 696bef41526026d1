"""A fake Telegram Bot API server over real HTTP, for end-to-end tests with the real aiogram.

    async with FakeTelegram() as fake:
        session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
        bot = Bot(fake.token, session=session)

People act through the builders inherited from `TelegramWorld` (send_message, press_button, ...);
what the bot did is in `fake.calls` (every request) and `fake.sent` (every message it sent or
edited). Standalone, for a bot in another process:

    python -m tests.fake_telegram --port 8081 --token 123:abc

which also serves a small control API under /_fake/ (see `_control_routes`).

Deliberate realism: parse_mode=HTML is checked (bad HTML, empty or too long text -> 400; with
render_html=True messages hold the stripped text plus entities, as Telegram stores them),
editMessageText without reply_markup drops the keyboard, "message is not modified" and stale
callback queries are 400s, allowed_updates filters new updates, and a second concurrent
getUpdates terminates the first with 409. Other parse modes are echoed as sent.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import copy
import json
import math
import mimetypes
import re
import signal
import struct
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import BodyPartReader, web

from .fake_telegram_objects import (
    JSON,
    EntityParseError,
    TelegramWorld,
    chat_full_info,
    format_text,
    utf16_len,
)

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
T = TypeVar("T")


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
class _StoredFile:
    data: bytes
    filename: str
    path: str
    unique_id: str


@dataclass
class _Fault:
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


def _default_description(status: int, retry_after: int | None) -> str:
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


def _decode(key: str, value: Any) -> Any:
    """aiogram JSON-encodes every non-string value (objects, lists, ints, bools)."""
    if not isinstance(value, str) or key in STRING_PARAMS:
        return value
    if value[:1] in '{["-0123456789' or value in ("true", "false", "null"):
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value


def _as_int(value: Any, default: int, name: str) -> int:
    if value is None:
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {name}") from None


class _RateLimits:
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


def _image_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return max(width, 1), max(height, 1)
    return 1280, 960


class FakeTelegram(TelegramWorld):
    """The Bot API on 127.0.0.1: `await start()` / `await stop()`, or `async with`."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_id: int = 123456,
        username: str = "kpi_test_bot",
        first_name: str = "KPI Bot",
        port: int = 0,
        privacy_mode: bool = False,
        render_html: bool = False,
    ) -> None:
        super().__init__(
            bot_id=bot_id, username=username, first_name=first_name, privacy_mode=privacy_mode
        )
        self.token, self.port = token, port
        # False: message text/caption echo what the bot sent (tags included), as tests read it.
        # True: what Telegram really stores, HTML stripped into entities and trimmed.
        # Bad HTML, empty and too long texts are refused either way.
        self.render_html = render_html
        self.calls: list[Call] = []
        self.sent: list[Sent] = []
        self.deleted: list[tuple[int, int]] = []
        self.callback_answers: dict[str, JSON] = {}
        self.webhook: JSON | None = None
        self.commands: dict[tuple[str, str], list[JSON]] = {}  # (scope JSON, language) -> list
        self.files: dict[str, _StoredFile] = {}  # by file_id
        self.errors: list[BaseException] = []  # bugs in the fake itself (answered as 500)
        self._faults: dict[str, list[_Fault]] = {}
        self._hangs: dict[str, list[float]] = {}
        self._limits: _RateLimits | None = None
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self._poll_generation = 0
        self._busy = 0  # requests being answered, long polls excluded
        self._last_activity = time.monotonic()
        # getUpdates is not here: it is async and needs the request (see _handle_api).
        self._handlers: dict[str, Callable[[Call], Any]] = {
            "getMe": self._get_me,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendMediaGroup": self._send_media_group,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            "getChatAdministrators": self._get_chat_administrators,
            "getChatMember": self._get_chat_member,
            "getFile": self._get_file,
            "close": lambda call: True,
            "logOut": lambda call: True,
        }
        # Bot API method names are case-insensitive.
        self._names = {name.lower(): name for name in [*self._handlers, "getUpdates"]}

    # --- lifecycle ---

    @property
    def base_url(self) -> str:
        if self._runner is None:
            raise RuntimeError("FakeTelegram is not started")
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._closing = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.add_routes(self._control_routes())
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is None:
            return
        self._closing.set()  # ends long polls and hangs at once
        self._notify()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # --- test controls ---

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        count: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Answer the next `count` calls of `method` with an error (429 defaults retry_after=1)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        fault = _Fault(
            status, description or _default_description(status, retry_after), retry_after
        )
        self._faults.setdefault(method.lower(), []).extend([fault] * count)

    def hang_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Delay the answer to the next `count` calls of `method` (then answer normally)."""
        self._hangs.setdefault(method.lower(), []).extend([seconds] * count)

    def enforce_limits(
        self, per_second: int | None = 30, per_chat_per_minute: int | None = 20
    ) -> None:
        """429 with a correct retry_after beyond Telegram's limits; both None switches it off.

        Counts sendMessage/sendPhoto/sendDocument (1 each) and sendMediaGroup (1 per item);
        the per-chat limit applies to group chats (negative ids) only.
        """
        off = per_second is None and per_chat_per_minute is None
        self._limits = None if off else _RateLimits(per_second, per_chat_per_minute)

    def my_commands(self, scope: str | JSON | None = None, language_code: str = "") -> list[JSON]:
        """Commands set for a scope ("all_private_chats" or a scope dict) and language."""
        return self.commands.get((self._scope_key(scope), language_code), [])

    # --- waiting ---

    def mark(self) -> int:
        """An index into `sent`, for wait_sent(since=...)."""
        return len(self.sent)

    async def _until(
        self, ready: Callable[[], T | None], timeout: float, explain: Callable[[], str]
    ) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            result = ready()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(explain())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, 0.05))

    async def wait_sent(
        self,
        count: int = 1,
        *,
        since: int = 0,
        chat_id: int | None = None,
        method: str | None = None,
        timeout: float = 5.0,
    ) -> list[Sent]:
        """All matching `sent` items after index `since`, once there are at least `count`."""

        def matching() -> list[Sent]:
            return [
                s
                for s in self.sent[since:]
                if (chat_id is None or s.chat_id == chat_id)
                and (method is None or s.method == method)
            ]

        def explain() -> str:
            lines = [f"  {s.method} chat={s.chat_id}: {s.text!r}" for s in self.sent[since:]]
            failed = [
                f"  {c.method} -> {c.status} {c.response and c.response.get('description')}"
                for c in self.calls
                if c.status not in (None, 200)
            ][-10:]
            bugs = f"\nFake bugs: {self.errors!r}" if self.errors else ""
            return (
                f"expected {count} message(s) (chat_id={chat_id}, method={method}) after "
                f"#{since}, got {len(matching())}. Sent after #{since}:\n"
                + ("\n".join(lines) or "  nothing")
                + ("\nFailed calls:\n" + "\n".join(failed) if failed else "")
                + bugs
            )

        return await self._until(
            lambda: m if len(m := matching()) >= count else None, timeout, explain
        )

    async def wait_calls(
        self, method: str | None = None, count: int = 1, *, since: int = 0, timeout: float = 5.0
    ) -> list[Call]:
        """Calls (as they arrive) of `method` after index `since` into `calls`."""

        def matching() -> list[Call]:
            return [c for c in self.calls[since:] if method is None or c.method == method]

        def explain() -> str:
            seen = ", ".join(c.method for c in self.calls[since:]) or "nothing"
            return f"expected {count} {method or 'any'} call(s) after #{since}; got: {seen}"

        return await self._until(
            lambda: m if len(m := matching()) >= count else None, timeout, explain
        )

    async def wait_idle(self, timeout: float = 5.0, *, quiet: float = 0.1) -> None:
        """Until the bot confirmed every queued update and no request arrived for `quiet` s."""

        def ready() -> bool | None:
            calm = time.monotonic() - self._last_activity >= quiet
            return True if not self._pending and not self._busy and calm else None

        def explain() -> str:
            ids = [q.update["update_id"] for q in self._pending]
            return (
                f"not idle after {timeout}s: unconfirmed updates {ids}, {self._busy} "
                f"request(s) in progress, last request "
                f"{time.monotonic() - self._last_activity:.2f}s ago"
            )

        await self._until(ready, timeout, explain)

    # --- HTTP ---

    async def _read_params(
        self, request: web.Request
    ) -> tuple[JSON, dict[str, bytes], dict[str, str]]:
        raw: JSON = dict(request.query)
        files: dict[str, bytes] = {}
        filenames: dict[str, str] = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    files[part.name] = bytes(await part.read())
                    filenames[part.name] = part.filename
                else:
                    raw[part.name] = await part.text()
        elif request.content_type == "application/x-www-form-urlencoded":
            raw.update(await request.post())
        elif request.content_type == "application/json" and request.can_read_body:
            body = await request.json()
            if isinstance(body, dict):
                raw.update(body)
        return {k: _decode(k, v) for k, v in raw.items()}, files, filenames

    async def _handle_api(self, request: web.Request) -> web.Response:
        asked = request.match_info["method"]
        name = self._names.get(asked.lower(), asked)
        try:
            params, files, filenames = await self._read_params(request)
        except Exception as exc:  # garbage in, or a fake bug: record it, answer 400
            self.errors.append(exc)
            self.calls.append(Call(name, {}, {}, time.time(), status=400))
            error = ApiError(400, f"Bad Request: the fake could not decode the request: {exc!r}")
            return web.json_response(error.body(), status=400)
        call = Call(name, params, files, time.time(), filenames=filenames)
        self.calls.append(call)
        polling = name == "getUpdates"
        self._busy += 0 if polling else 1
        self._last_activity = time.monotonic()
        self._notify()
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            await self._maybe_hang(name)
            if faults := self._faults.get(name.lower()):
                fault = faults.pop(0)
                extra = {"retry_after": fault.retry_after} if fault.retry_after else None
                raise ApiError(fault.status, fault.description, extra)
            if polling:
                result = await self._get_updates(call, request)
            elif (handler := self._handlers.get(name)) is not None:
                result = self._limited(call, handler)
            else:
                raise ApiError(404, "Not Found: method not found")
            status, body = 200, {"ok": True, "result": result}
        except ApiError as error:
            status, body = error.status, error.body()
        except Exception as exc:  # a bug in the fake: keep it visible, answer like Telegram would
            self.errors.append(exc)
            status, body = 500, ApiError(500, f"Internal Server Error: fake bug {exc!r}").body()
        finally:
            self._busy -= 0 if polling else 1
            self._last_activity = time.monotonic()
        call.status, call.response = status, body
        self._notify()
        return web.json_response(body, status=status)

    async def _maybe_hang(self, name: str) -> None:
        if hangs := self._hangs.get(name.lower()):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), hangs.pop(0))

    def _limited(self, call: Call, handler: Callable[[Call], Any]) -> Any:
        if self._limits is None or call.method not in SENDING_METHODS:
            return handler(call)
        chat_id = call.params.get("chat_id")
        chat_id = chat_id if isinstance(chat_id, int) else 0
        media = call.params.get("media")
        units = len(media) if call.method == "sendMediaGroup" and isinstance(media, list) else 1
        now = time.monotonic()
        if wait := self._limits.retry_after(chat_id, units, now):
            raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        result = handler(call)
        self._limits.record(chat_id, units, now)
        return result

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        path = request.match_info["path"]
        stored = next((f for f in self.files.values() if f.path == path), None)
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        return web.Response(body=stored.data, content_type="application/octet-stream")

    # --- getUpdates and webhooks ---

    async def _get_updates(self, call: Call, request: web.Request) -> list[JSON]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        p = call.params
        if isinstance(p.get("allowed_updates"), list):  # [] means Telegram's default set
            self.allowed_updates = frozenset(p["allowed_updates"]) or None
        self.confirm(_as_int(p.get("offset"), 0, "offset") if "offset" in p else None)
        limit = min(max(_as_int(p.get("limit"), 100, "limit"), 1), 100)
        wait = min(max(_as_int(p.get("timeout"), 0, "timeout"), 0), MAX_POLL_TIMEOUT)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older long poll still waiting gets its 409 now
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, _default_description(409, None))
            gone = request.transport is None or request.transport.is_closing()
            if gone or self._closing.is_set():
                return []  # nobody to deliver to: leave the updates queued
            updates = self.take_updates(limit)
            remaining = deadline - loop.time()
            if updates or remaining <= 0:
                return updates
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, 0.25))

    def _set_webhook(self, call: Call) -> bool:
        self.webhook = dict(call.params) if call.params.get("url") else None
        if call.params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _delete_webhook(self, call: Call) -> bool:
        self.webhook = None
        if call.params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _get_webhook_info(self, call: Call) -> JSON:
        info: JSON = {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        for key in ("allowed_updates", "max_connections"):
            if self.webhook and key in self.webhook:
                info[key] = self.webhook[key]
        return info

    # --- identity and commands ---

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

    def _get_my_commands(self, call: Call) -> list[JSON]:
        return self.my_commands(call.params.get("scope"), call.params.get("language_code", ""))

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
            cid = _as_int(chat_id, 0, "chat_id")
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

    def _get_chat(self, call: Call) -> JSON:
        return chat_full_info(self._chat(call.params.get("chat_id")))

    def _get_chat_administrators(self, call: Call) -> list[JSON]:
        chat = self._chat(call.params.get("chat_id"))
        if chat["type"] == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        return self.administrators(chat["id"])

    def _get_chat_member(self, call: Call) -> JSON:
        chat = self._chat(call.params.get("chat_id"))
        if "user_id" not in call.params:
            raise ApiError(400, "Bad Request: user_id is empty")
        return self.chat_member(chat["id"], _as_int(call.params["user_id"], 0, "user_id"))

    def _send_chat_action(self, call: Call) -> bool:
        self._chat(call.params.get("chat_id"))
        if not call.params.get("action"):
            raise ApiError(400, "Bad Request: action is empty")
        return True

    # --- sending ---

    def _formatted(self, params: JSON, key: str, limit: int) -> tuple[str, list[JSON]]:
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
        if self.render_html:
            return text, entities
        return raw, params.get(entities_key) or []

    def _caption(self, params: JSON) -> JSON:
        caption, entities = self._formatted(params, "caption", 1024)
        content: JSON = {"caption": caption} if caption else {}
        if entities:
            content["caption_entities"] = entities
        return content

    def _reply_to(self, params: JSON, chat: JSON) -> JSON | None:
        reply = params.get("reply_parameters")
        options = reply if isinstance(reply, dict) else params
        message_id = options.get("message_id" if options is reply else "reply_to_message_id")
        if message_id is None:
            return None
        quoted = self.quoted(chat["id"], _as_int(message_id, 0, "message_id"))
        if quoted is None and not options.get("allow_sending_without_reply"):
            raise ApiError(400, "Bad Request: message to be replied not found")
        return quoted

    @staticmethod
    def _inline_markup(params: JSON) -> JSON | None:
        """Only inline keyboards are part of the returned message; reply keyboards are not."""
        markup = params.get("reply_markup")
        if not isinstance(markup, dict) or "inline_keyboard" not in markup:
            return None
        for row in markup["inline_keyboard"]:
            for button in row:
                if len(str(button.get("callback_data", "")).encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _deliver(
        self,
        call: Call,
        chat: JSON,
        content: JSON,
        files: dict[str, bytes],
        quoted: JSON | None,
        markup: JSON | None,
    ) -> JSON:
        """Give the bot's message its id in the chat's sequence, store and record it."""
        message: JSON = {
            "message_id": self.next_message_id(chat["id"]),
            "from": self.bot_user,
            "chat": chat,
            "date": self.now,
        }
        if quoted is not None:
            message["reply_to_message"] = quoted
        message.update(content)
        if markup is not None:
            message["reply_markup"] = markup
        self.store_message(message)
        self.sent.append(Sent(call.method, chat["id"], copy.deepcopy(message), call.params, files))
        return message

    def _send_message(self, call: Call) -> JSON:
        chat = self._chat(call.params.get("chat_id"))
        text, entities = self._formatted(call.params, "text", 4096)
        content: JSON = {"text": text, "entities": entities} if entities else {"text": text}
        return self._deliver(
            call,
            chat,
            content,
            {},
            self._reply_to(call.params, chat),
            self._inline_markup(call.params),
        )

    def _upload(self, call: Call, ref: Any, kind: str) -> tuple[bytes, str, str | None]:
        """(data, filename, part name) for attach://part, a direct part, or a known file_id."""
        if ref is None and kind in call.files:
            ref = f"attach://{kind}"  # uploaded directly as a part named like the parameter
        if isinstance(ref, str) and ref.startswith("attach://"):
            part = ref.removeprefix("attach://")
            if part not in call.files:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            if not call.files[part]:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return call.files[part], call.filenames.get(part, part), part
        if isinstance(ref, str) and ref in self.files:
            return self.files[ref].data, self.files[ref].filename, None
        if ref is None:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _store_file(self, data: bytes, filename: str, folder: str) -> JSON:
        n = self._serial_id()
        file_id, unique_id = f"{folder[:4].upper()}ACAgIAAxk{n:08d}", f"AQAD{n:08d}"
        suffix = filename[filename.rfind(".") :] if "." in filename else ""
        self.files[file_id] = _StoredFile(data, filename, f"{folder}/file_{n}{suffix}", unique_id)
        return {"file_id": file_id, "file_unique_id": unique_id, "file_size": len(data)}

    def _photo(self, data: bytes, filename: str) -> list[JSON]:
        width, height = _image_size(data)
        sizes = [(width, height)]
        if max(width, height) > 90:  # Telegram adds smaller copies; one thumbnail is enough
            scale = 90 / max(width, height)
            sizes.insert(0, (max(1, round(width * scale)), max(1, round(height * scale))))
        return [
            {**self._store_file(data, filename, "photos"), "width": w, "height": h}
            for w, h in sizes
        ]

    def _document(self, data: bytes, filename: str) -> JSON:
        mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        return {
            **self._store_file(data, filename, "documents"),
            "file_name": filename,
            "mime_type": mime,
        }

    def _send_file(self, call: Call, kind: str) -> JSON:
        chat = self._chat(call.params.get("chat_id"))
        caption = self._caption(call.params)
        quoted, markup = self._reply_to(call.params, chat), self._inline_markup(call.params)
        data, filename, part = self._upload(call, call.params.get(kind), kind)
        media = self._photo(data, filename) if kind == "photo" else self._document(data, filename)
        files = {part: data} if part else {}
        return self._deliver(call, chat, {kind: media, **caption}, files, quoted, markup)

    def _send_photo(self, call: Call) -> JSON:
        return self._send_file(call, "photo")

    def _send_document(self, call: Call) -> JSON:
        return self._send_file(call, "document")

    def _send_media_group(self, call: Call) -> list[JSON]:
        chat = self._chat(call.params.get("chat_id"))
        media = call.params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: media group must have 2-10 items")
        kinds = {item.get("type") for item in media}
        if not kinds <= {"photo", "document"}:
            raise ApiError(400, "Bad Request: the fake supports photo and document media only")
        if "document" in kinds and len(kinds) > 1:
            raise ApiError(400, "Bad Request: document can't be mixed with other media types")
        quoted = self._reply_to(call.params, chat)
        items = [
            (item, self._caption(item), self._upload(call, item.get("media"), item["type"]))
            for item in media
        ]
        group_id = str(10**17 + self._serial_id())
        messages = []
        for item, caption, (data, filename, part) in items:
            kind = item["type"]
            body = (
                self._photo(data, filename) if kind == "photo" else self._document(data, filename)
            )
            content = {"media_group_id": group_id, kind: body, **caption}
            files = {part: data} if part else {}
            messages.append(self._deliver(call, chat, content, files, quoted, None))
        return messages

    # --- editing, deleting, callbacks ---

    def _own_message(self, call: Call) -> tuple[JSON, JSON]:
        if "inline_message_id" in call.params:
            raise ApiError(400, "Bad Request: the fake does not support inline messages")
        chat = self._chat(call.params.get("chat_id"))
        message_id = _as_int(call.params.get("message_id"), 0, "message_id")
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

    def _edit_message_reply_markup(self, call: Call) -> JSON:
        chat, old = self._own_message(call)
        new = {k: v for k, v in old.items() if k != "reply_markup"}
        if (markup := self._inline_markup(call.params)) is not None:
            new["reply_markup"] = markup
        return self._edited(call, chat, old, new)

    def _delete_message(self, call: Call) -> bool:
        chat = self._chat(call.params.get("chat_id"))
        key = (chat["id"], _as_int(call.params.get("message_id"), 0, "message_id"))
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

    def _answer_callback(self, call: Call) -> bool:
        query_id = str(call.params.get("callback_query_id", ""))
        if query_id not in self._open_queries:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._open_queries.discard(query_id)
        self.callback_answers[query_id] = call.params
        return True

    def _get_file(self, call: Call) -> JSON:
        stored = self.files.get(str(call.params.get("file_id", "")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": call.params["file_id"],
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.data),
            "file_path": stored.path,
        }

    # --- control API (for a bot running in another process) ---

    def _control_routes(self) -> list[web.RouteDef]:
        def route(verb: str, path: str, action: Callable[[JSON], Any]) -> web.RouteDef:
            async def handle(request: web.Request) -> web.Response:
                body: JSON = dict(request.query)
                if request.can_read_body:
                    body.update(await request.json())
                try:
                    return web.json_response(action(body))
                except (KeyError, ValueError, TypeError) as error:
                    return web.json_response({"error": repr(error)}, status=400)

            return web.route(verb, f"/_fake/{path}", handle)

        return [
            route("POST", "message", self._control_message),
            route("POST", "update", self.queue_raw),
            route("POST", "button", self._control_button),
            route("POST", "admins", self._control_admins),
            route("POST", "member", self._control_member),
            route("POST", "fail", self._control_fail),
            route("GET", "calls", self._control_calls),
            route("GET", "sent", self._control_sent),
        ]

    def _control_calls(self, query: JSON) -> list[JSON]:
        calls = self.calls[int(query.get("since", 0)) :]
        return [_jsonable(c.method, c.params, c.files, at=c.at, status=c.status) for c in calls]

    def _control_sent(self, query: JSON) -> list[JSON]:
        sent = self.sent[int(query.get("since", 0)) :]
        return [
            _jsonable(s.method, s.params, s.files, chat_id=s.chat_id, message=s.message)
            for s in sent
        ]

    def _control_admins(self, body: JSON) -> bool:
        owner = body.get("owner")
        user_ids = [int(u) for u in body["user_ids"]]
        self.set_admins(int(body["chat_id"]), user_ids, None if owner is None else int(owner))
        return True

    def _control_member(self, body: JSON) -> bool:
        self.set_member_status(int(body["chat_id"]), int(body["user_id"]), body["status"])
        return True

    def _control_fail(self, body: JSON) -> bool:
        retry_after = body.get("retry_after")
        self.fail_next(
            body["method"],
            status=int(body.get("status", 500)),
            count=int(body.get("count", 1)),
            retry_after=None if retry_after is None else int(retry_after),
            description=body.get("description"),
        )
        return True

    def _control_message(self, body: JSON) -> JSON:
        user = self.users.get(int(body["user_id"])) if "first_name" not in body else None
        user = user or self.user(
            int(body["user_id"]),
            body.get("first_name"),
            body.get("username"),
            body.get("language_code", "ru"),
        )
        if body.get("chat_type", "private") == "private":
            chat = self.private_chat(user)
        else:
            chat_id = int(body["chat_id"])
            chat = self.chats.get(chat_id) or self.group(
                chat_id, body.get("chat_title", "SMM Team")
            )
        reply = body.get("reply_to_message_id")
        reply_to = self.message(chat["id"], int(reply)) if reply is not None else None
        return self.send_message(chat, user, body["text"], reply_to=reply_to)

    def _control_button(self, body: JSON) -> JSON:
        message = self.message(int(body["chat_id"]), int(body["message_id"]))
        if message is None:
            raise ValueError("no such message")
        user = self.users.get(int(body["user_id"])) or self.user(int(body["user_id"]))
        return self.press_button(message, body["data"], user)


def _jsonable(method: str, params: JSON, files: dict[str, bytes], **extra: Any) -> JSON:
    encoded = {name: base64.b64encode(data).decode() for name, data in files.items()}
    return {"method": method, "params": params, "files": encoded, **extra}


async def _serve(port: int, token: str) -> None:
    async with FakeTelegram(token, port=port) as fake:
        sys.stdout.write(f"fake telegram listening on {fake.base_url}\n")
        sys.stdout.flush()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API for end-to-end tests")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.port, args.token))
    return 0


if __name__ == "__main__":
    sys.exit(main())
