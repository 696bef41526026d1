"""A fake Telegram Bot API server over real HTTP, for end-to-end tests with the real aiogram.

    async with FakeTelegram() as fake:
        session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
        bot = Bot(fake.token, session=session)

People act through the builders inherited from `TelegramWorld` (send_message, press_button, ...);
what the bot did is in `fake.calls` (every request) and `fake.sent` (every message it sent or
edited). Standalone, for a bot in another process:

    python -m tests.fake_telegram --port 8081 --token 123:abc

which also serves a small control API under /_fake/ (tests/fake_control.py).

Where things are:
    fake_api.py         Call, Sent, ApiError, `api_method` (registers a handler)
    fake_transport.py   aiohttp server, request decoding, dispatch, getUpdates, webhooks
    fake_control.py     the /_fake/ control API of the standalone process
    fake_methods_*.py   the Bot API methods (send, edit, chat), one mixin per concern
    fake_pins.py        pinned messages (pin/unpin, getChat.pinned_message, by-hand actions)
    fake_limits.py      flood limits (429) and what Telegram refuses to send (400)
    fake_html.py        parse_mode=HTML, as strict as Telegram
    fake_world.py       state: people, chats, members, messages, the update queue
    fake_updates.py     `TelegramWorld`: builders for what people do (the updates)
    fake_waiting.py     wait_sent, wait_calls, wait_idle, mark

Adding a Bot API method: a mixin (or FakeTelegram subclass) with a method decorated with
`@api_method("pinChatMessage")` taking a `Call`, listed in FakeTelegram's bases; or, in one
test, `fake.register("pinChatMessage", handler)`.

Deliberate realism: what Telegram refuses is refused with its error text (fake_limits.py,
fake_html.py: bad HTML, too long texts, captions and callback answers, bad buttons; the flood
limits are on by default); with render_html=True messages hold the stripped text plus
entities, as Telegram stores them;
editMessageText without reply_markup drops the keyboard, "message is not modified" and stale
callback queries are 400s, allowed_updates filters new updates, and a second concurrent
getUpdates terminates the first with 409. Other parse modes are echoed as sent.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .fake_api import (
    DEFAULT_TOKEN,
    NOT_MODIFIED,
    SENDING_METHODS,
    ApiError,
    Call,
    Fault,
    Sent,
    StoredFile,
    api_method,
    default_description,
)
from .fake_channel import channel_handlers
from .fake_control import ControlMixin
from .fake_limits import RateLimits
from .fake_methods_chat import ChatMethodsMixin
from .fake_methods_edit import EditMethodsMixin
from .fake_methods_send import SendMethodsMixin
from .fake_pins import PinMethodsMixin
from .fake_telegram_objects import JSON
from .fake_transport import TransportMixin
from .fake_updates import TelegramWorld
from .fake_waiting import WaitingMixin

__all__ = [
    "DEFAULT_TOKEN", "NOT_MODIFIED", "SENDING_METHODS", "ApiError", "Call", "FakeTelegram",
    "Sent", "TelegramWorld", "api_method", "main",
]  # fmt: skip


class FakeTelegram(
    TransportMixin,
    ControlMixin,
    SendMethodsMixin,
    EditMethodsMixin,
    PinMethodsMixin,  # before ChatMethodsMixin: its getChat adds pinned_message
    ChatMethodsMixin,
    WaitingMixin,
    TelegramWorld,
):
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
        self.files: dict[str, StoredFile] = {}  # by file_id
        self.errors: list[BaseException] = []  # bugs in the fake itself (answered as 500)
        self._faults: dict[str, list[Fault]] = {}
        self._hangs: dict[str, list[float]] = {}
        # Telegram's flood limits hold in every test; enforce_limits(None, None) opts out.
        self._limits: RateLimits | None = RateLimits(30, 20)
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self._poll_generation = 0
        self._busy = 0  # requests being answered, long polls excluded
        self._last_activity = time.monotonic()
        # getUpdates is not here: it is async and needs the request (see _handle_api).
        self._handlers: dict[str, Callable[[Call], Any]] = {
            "close": lambda call: True,
            "logOut": lambda call: True,
        }
        self._names: dict[str, str] = {"getupdates": "getUpdates"}
        for cls in reversed(type(self).__mro__):
            for attr, value in vars(cls).items():
                if (name := getattr(value, "__api_method__", None)) is not None:
                    self._handlers[name] = getattr(self, attr)
        for name in list(self._handlers):
            self.register(name, self._handlers[name])
        for name, handler in channel_handlers(self).items():  # tests/fake_channel.py
            self.register(name, handler)

    def register(self, method: str, handler: Callable[[Call], Any]) -> None:
        """Answer Bot API `method` with `handler(call)` (its return value is the result; raise
        ApiError for an error). Replaces any handler the method had."""
        self._handlers[method] = handler
        self._names[method.lower()] = method  # Bot API method names are case-insensitive

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
        fault = Fault(status, description or default_description(status, retry_after), retry_after)
        self._faults.setdefault(method.lower(), []).extend([fault] * count)

    def hang_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Delay the answer to the next `count` calls of `method` (then answer normally)."""
        self._hangs.setdefault(method.lower(), []).extend([seconds] * count)

    def enforce_limits(
        self, per_second: int | None = 30, per_chat_per_minute: int | None = 20
    ) -> None:
        """429 "Too Many Requests: retry after N" (with parameters.retry_after) beyond these
        limits; on by default with Telegram's figures (30 a second in all, 20 a minute into one
        group). Both None switches it off, for the few tests that measure something else.

        Counts sendMessage/sendPhoto/sendDocument and editMessageText/editMessageCaption (1
        each) and sendMediaGroup (1 per item); the per-chat limit applies to group chats
        (negative ids) only. Only accepted calls count.
        """
        off = per_second is None and per_chat_per_minute is None
        self._limits = None if off else RateLimits(per_second, per_chat_per_minute)

    def my_commands(self, scope: str | JSON | None = None, language_code: str = "") -> list[JSON]:
        """Commands set for a scope ("all_private_chats" or a scope dict) and language."""
        return self.commands.get((self._scope_key(scope), language_code), [])


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
