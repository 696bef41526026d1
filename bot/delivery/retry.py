"""Every reply is paced, and retried where retrying is safe — at the root, for every handler.

`Delivery` is a request middleware on the bot's session: each message the bot sends (a reply
in any handler, the outbox, digests, reminders) books the shared RateLimiter first, and a
429 is waited out (its retry_after) and sent again; 5xx answers and refused connections are
retried with a bounded backoff. A timeout is different: the message may have arrived, so it
is raised at once, never resent — a reply or a digest must not reach a chat twice.

Callers that must know what happened (digests, the outbox) read the error through `delivered`:
ChatGone, Refused, Failed or Uncertain.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import ClientConnectorError

from bot.delivery.limiter import RateLimiter

log = logging.getLogger(__name__)
T = TypeVar("T")
ATTEMPTS, BACKOFF = 5, 0.5  # 5xx: waits of 0.5, 1, 2, 4 s, then the error

# Messages that count against Telegram's limits (an album counts one per item).
PACED = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendAnimation",
    "sendVideo", "sendAudio", "sendVoice", "sendVideoNote", "sendSticker", "sendLocation",
    "sendVenue", "sendContact", "sendPoll", "sendDice", "copyMessage", "forwardMessage",
})  # fmt: skip
# Answers to people that are not new messages: retried, not booked.
RETRIED = PACED | {
    "editMessageText", "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia",
    "deleteMessage", "answerCallbackQuery",
}  # fmt: skip


class ChatGone(Exception):
    """403: the bot was removed from the chat or blocked — stop sending there."""


class Uncertain(Exception):
    """The request may or may not have reached Telegram (timeout, dropped connection)."""


class Failed(Exception):
    """Telegram kept refusing; nothing was delivered by the failing request."""


class Refused(Failed):
    """A 4xx other than 429 and 403 (text refused, chat not found): sending again is futile."""


def _resendable(exc: TelegramNetworkError) -> bool:
    """Only a connection that was never made proves nothing arrived."""
    return isinstance(exc.__cause__, ClientConnectorError)


async def paced(
    send: Callable[[], Awaitable[T]],
    limiter: RateLimiter,
    chat_id: int,
    count: int = 1,
    *,
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF,
) -> T:
    """One request under the limiter (`count` 0: not booked), retried only where that is
    safe; after the last attempt, or for what must not be retried, the aiogram error."""
    for attempt in range(1, attempts + 1):
        booked = await limiter.acquire(chat_id, count) if count else 0.0
        try:
            try:
                return await send()
            finally:  # answered (or failed): settle before any waiting below
                if count:
                    limiter.settle(chat_id, count, booked)
        except TelegramRetryAfter as exc:
            if attempt == attempts:
                raise
            log.warning("429 for chat %s: waiting %ss", chat_id, exc.retry_after)
            await asyncio.sleep(exc.retry_after)
        except (TelegramServerError, TelegramNetworkError) as exc:
            resendable = isinstance(exc, TelegramServerError) or (
                not isinstance(exc, TelegramEntityTooLarge) and _resendable(exc)
            )
            if not resendable or attempt == attempts:
                raise
            log.warning("chat %s: %s; again in %ss", chat_id, exc, backoff * 2 ** (attempt - 1))
            await asyncio.sleep(backoff * 2 ** (attempt - 1))
    raise AssertionError("unreachable: the last attempt returns or raises")


def classify(exc: TelegramAPIError) -> Exception:
    """What an aiogram error means for whoever sent: see the exception classes above."""
    if isinstance(exc, TelegramForbiddenError):
        return ChatGone(str(exc))
    if isinstance(exc, (TelegramRetryAfter, TelegramServerError)):
        return Failed(str(exc))
    if isinstance(exc, TelegramNetworkError) and not isinstance(exc, TelegramEntityTooLarge):
        return Failed(str(exc)) if _resendable(exc) else Uncertain(str(exc))
    return Refused(str(exc))


async def delivered(request: Awaitable[T]) -> T:
    """Await a request (paced and retried by `Delivery`); its failure as ChatGone, Refused,
    Failed or Uncertain."""
    try:
        return await request
    except TelegramAPIError as exc:
        raise classify(exc) from exc


async def call(
    send: Callable[[], Awaitable[T]],
    limiter: RateLimiter,
    chat_id: int,
    count: int = 1,
    *,
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF,
) -> T:
    """`paced` for a request that does not go through a bot with `Delivery` installed."""
    return await delivered(paced(send, limiter, chat_id, count, attempts=attempts, backoff=backoff))


class Delivery(BaseRequestMiddleware):
    """The bot session's middleware: books and retries every reply (see the module doc)."""

    def __init__(
        self, limiter: RateLimiter, *, attempts: int = ATTEMPTS, backoff: float = BACKOFF
    ) -> None:
        self.limiter = limiter
        self.attempts = attempts
        self.backoff = backoff

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        name = method.__api_method__
        if name not in RETRIED:
            return await make_request(bot, method)
        chat = getattr(method, "chat_id", None)
        chat_id = chat if isinstance(chat, int) else 0  # @channel names: the overall window
        count = 0
        if name in PACED:
            media = getattr(method, "media", None)
            count = len(media) if name == "sendMediaGroup" and media else 1
        return await paced(
            lambda: make_request(bot, method),
            self.limiter, chat_id, count, attempts=self.attempts, backoff=self.backoff,
        )  # fmt: skip


def install(bot: Bot, limiter: RateLimiter) -> Delivery:
    """Pace and retry `bot`'s replies under `limiter`; one Delivery per session, so a bot
    handed to a second dispatcher is not booked twice (the later limiter wins)."""
    for middleware in bot.session.middleware:
        if isinstance(middleware, Delivery):
            middleware.limiter = limiter
            return middleware
    delivery = Delivery(limiter)
    bot.session.middleware(delivery)
    return delivery
