"""Telegram's limits, kept on our side: about 30 messages a second overall, 20 a minute per group.

One RateLimiter per process, shared by every send (bot/delivery/retry.py installs it on the
bot's session): replies, the outbox, digests and reminders all book here, so together they
stay under the limits instead of provoking 429s.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

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
        self._lock = asyncio.Lock()  # the overall window: one waiter at a time, in order
        self._turns: dict[int, tuple[asyncio.Lock, list[int]]] = {}  # per group: its waiters

    async def acquire(self, chat_id: int, count: int = 1) -> float:
        """Wait until `count` messages may go to `chat_id`, then book them; the booking's
        time, for `settle`.

        A group waiting out its minute waits in its own line: other chats keep sending (a
        busy group must not hold up every reply of the bot)."""
        async with self._turn(chat_id):
            while True:
                while (delay := self._chat_delay(chat_id, count)) > 0:
                    await asyncio.sleep(delay)
                async with self._lock:
                    while (delay := self._all_delay(count)) > 0:
                        await asyncio.sleep(delay)
                    if self._chat_delay(chat_id, count) > 0:  # a settle moved a send later
                        continue
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
        for window in (self._all, self._chats.get(chat_id)):
            if window is None:
                continue
            for _ in range(count):
                _drop(window, booked)
            # Still in order: every stamp in a window is a past monotonic() reading.
            window.extend([now] * count)

    def room(self, chat_id: int) -> int:
        """How many more messages the group may get in the current minute (private chats
        have no minute limit: always the full allowance)."""
        if chat_id >= 0:
            return self.per_chat_minute
        self._chat_delay(chat_id, 0)  # drops what left the window
        return self.per_chat_minute - len(self._chats.get(chat_id, ()))

    @asynccontextmanager
    async def _turn(self, chat_id: int) -> AsyncIterator[None]:
        if chat_id >= 0:
            yield
            return
        lock, waiting = self._turns.setdefault(chat_id, (asyncio.Lock(), [0]))
        waiting[0] += 1
        try:
            async with lock:
                yield
        finally:
            waiting[0] -= 1
            if not waiting[0]:
                del self._turns[chat_id]

    def _all_delay(self, count: int) -> float:
        now = time.monotonic()
        while self._all and now - self._all[0] >= SECOND:
            self._all.popleft()
        if len(self._all) + count > self.per_second:
            return self._all[len(self._all) + count - self.per_second - 1] + SECOND - now
        return 0.0

    def _chat_delay(self, chat_id: int, count: int) -> float:
        chat = self._chats.get(chat_id)
        if chat is None:
            return 0.0
        now = time.monotonic()
        while chat and now - chat[0] >= MINUTE:
            chat.popleft()
        if not chat:
            del self._chats[chat_id]
            return 0.0
        if len(chat) + count > self.per_chat_minute:
            over = len(chat) + count - self.per_chat_minute - 1
            return chat[min(over, len(chat) - 1)] + MINUTE - now
        return 0.0


def _drop(window: deque[float], stamp: float) -> None:
    """Remove one `stamp`, looking from the newest end: a booking is among the latest."""
    for i in range(len(window) - 1, -1, -1):
        if window[i] == stamp:
            del window[i]
            return
