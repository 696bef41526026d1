"""Sending to Telegram within its limits: a shared rate limiter, retries, and what failed how.

Telegram allows about 30 messages a second overall and 20 a minute per group. 429 answers
carry retry_after, which we honour; 5xx and refused connections are retried with backoff.
A timeout is different: the message may have arrived, so it is reported as uncertain
instead of retried — a digest must never reach a team twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from typing import TypeVar

from aiogram import Bot
from aiogram.exceptions import (
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InputMediaPhoto
from aiohttp import ClientConnectorError

from bot.chunks import split_text

log = logging.getLogger(__name__)
T = TypeVar("T")


class ChatGone(Exception):
    """403: the bot was removed from the chat or blocked — stop sending there."""


class Uncertain(Exception):
    """The request may or may not have reached Telegram (timeout, dropped connection)."""


class Failed(Exception):
    """Telegram kept refusing; nothing was delivered by the failing request."""


# Sends count from when Telegram answered (see RateLimiter.settle); a little margin for the
# clocks besides, since a 429 costs a whole second.
SECOND, MINUTE = 1.005, 60.5


class RateLimiter:
    """Sliding windows: `per_second` sends overall, `per_chat_minute` per group chat."""

    def __init__(self, per_second: int = 30, per_chat_minute: int = 20):
        self.per_second = per_second
        self.per_chat_minute = per_chat_minute
        self._all: deque[float] = deque()
        self._chats: dict[int, deque[float]] = {}
        self._lock = asyncio.Lock()

    async def acquire(self, chat_id: int, count: int = 1) -> float:
        """Wait until `count` messages may go to `chat_id`, then book them; the booking's
        time, for `settle`."""
        async with self._lock:  # one waiter at a time keeps the order fair
            while (delay := self._delay(chat_id, count)) > 0:
                await asyncio.sleep(delay)
            now = time.monotonic()
            self._all.extend([now] * count)
            if chat_id < 0:
                self._chats.setdefault(chat_id, deque()).extend([now] * count)
            return now

    def settle(self, chat_id: int, count: int, booked: float) -> None:
        """Telegram counted the sends booked at `booked` somewhere between then and its
        answer: count them from the answer, the later bound, so a window never opens early
        (an album of charts takes a while to upload; it used to draw the odd 429)."""
        now = time.monotonic()
        for key, window in (("all", self._all), (chat_id, self._chats.get(chat_id))):
            if window is None:
                continue
            for _ in range(count):
                with suppress(ValueError):
                    window.remove(booked)
            settled = deque(sorted([*window, *[now] * count]))
            if key == "all":
                self._all = settled
            else:
                self._chats[chat_id] = settled

    def _delay(self, chat_id: int, count: int) -> float:
        now = time.monotonic()
        while self._all and now - self._all[0] >= SECOND:
            self._all.popleft()
        delay = 0.0
        if len(self._all) + count > self.per_second:
            delay = self._all[len(self._all) + count - self.per_second - 1] + SECOND - now
        chat = self._chats.get(chat_id)
        if chat is not None:
            while chat and now - chat[0] >= MINUTE:
                chat.popleft()
            if len(chat) + count > self.per_chat_minute:
                over = len(chat) + count - self.per_chat_minute - 1
                delay = max(delay, chat[min(over, len(chat) - 1)] + MINUTE - now)
        return delay


async def call(
    send: Callable[[], Awaitable[T]],
    limiter: RateLimiter,
    chat_id: int,
    count: int = 1,
    *,
    attempts: int = 5,
    backoff: float = 0.5,
) -> T:
    """One Telegram request under the limiter, retried only where retrying is safe."""
    for attempt in range(1, attempts + 1):
        booked = await limiter.acquire(chat_id, count)
        try:
            try:
                return await send()
            finally:  # answered (or failed): settle before any waiting below
                limiter.settle(chat_id, count, booked)
        except TelegramRetryAfter as exc:
            log.warning("429 for chat %s: waiting %ss", chat_id, exc.retry_after)
            await asyncio.sleep(exc.retry_after)
        except TelegramForbiddenError as exc:
            raise ChatGone(str(exc)) from exc
        except TelegramServerError as exc:
            if attempt == attempts:
                raise Failed(str(exc)) from exc
            await asyncio.sleep(backoff * 2 ** (attempt - 1))
        except TelegramNetworkError as exc:
            if not isinstance(exc.__cause__, ClientConnectorError):
                raise Uncertain(str(exc)) from exc
            if attempt == attempts:
                raise Failed(str(exc)) from exc
            await asyncio.sleep(backoff * 2 ** (attempt - 1))
    raise Failed(f"still rate-limited after {attempts} attempts")


async def send_album_and_text(
    bot: Bot,
    limiter: RateLimiter,
    chat_id: int,
    charts: Sequence[tuple[str, bytes]],
    text: str,
) -> list[int]:
    """Charts as one album (a single photo when there is one), then the text.

    Failed means nothing arrived. Once a part is in the chat a later refusal is Uncertain:
    sending the whole digest again would repeat what is already there.
    """
    ids: list[int] = []
    if len(charts) > 1:
        media = [InputMediaPhoto(media=BufferedInputFile(png, name)) for name, png in charts]
        sent = await call(
            lambda: bot.send_media_group(chat_id, media), limiter, chat_id, len(media)
        )
        ids += [m.message_id for m in sent]
    elif charts:
        name, png = charts[0]
        photo = await call(
            lambda: bot.send_photo(chat_id, BufferedInputFile(png, name)), limiter, chat_id
        )
        ids.append(photo.message_id)
    for chunk in split_text(text):
        try:
            message = await call(lambda c=chunk: bot.send_message(chat_id, c), limiter, chat_id)  # type: ignore[misc]
        except Failed as exc:
            if ids:
                raise Uncertain(f"partly delivered (messages {ids}): {exc}") from exc
            raise
        ids.append(message.message_id)
    return ids
