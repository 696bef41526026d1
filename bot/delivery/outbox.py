"""Logging confirmations that arrive even in a busy group: sent now or queued, merged when needed.

Telegram allows 20 messages a minute in a group; at 18:00 fifteen people logging three numbers
each exceed that, and a confirmation that waits for the next minute (or is dropped by a 429)
makes people type their command again. So a confirmation takes one of two ways:

- Sent now, behind the handler, while the chat has room to spare: a private chat, or a group
  with nothing queued and more than RESERVE messages left in its minute. The person's lane
  goes on to their next update while the reply is on its way (bot/polling.py, `behind_lane`:
  the reply's round trip was half the time a lane was held), but the update counts as handled
  only once the reply was accepted or queued, and an update stays in the inbox
  (bot/inbox.py) until then, so a crash before that brings it back. A person's confirmations
  still go out in order: each waits for their previous one. Once accepted, the row is written
  as sent, behind the handler but before the inbox lets the update go
  (bot/delivery/sent_rows.py): a command handled again (its entry already stored) finds it
  and is not confirmed twice. A send that keeps failing (429, 5xx after the session's
  retries) is queued.
- Queued otherwise: an outbox row (storage/outbox.py) is committed before the handler returns,
  so a handled update means "stored and queued": a crash loses nothing. One sender task per
  chat drains its queue. While the group has room for everything pending and RESERVE messages
  besides, each confirmation goes alone, replying to its command (up to IN_FLIGHT at once).
  Nearer the limit, everything pending is merged into ONE message that replies to the latest
  command and names each person with what they logged and their running total; such messages
  leave at most one per SPACING. SPACING x RESERVE is a minute, so the reserve never runs
  dry: every command is acknowledged within about SPACING (other replies in the group, say
  /kpi, use the same budget; then within the minute the limiter waits at most), and the
  group never goes over its limit (the shared RateLimiter books every send).
- A row is marked sent only after Telegram accepted it. A timeout marks it uncertain (it may
  have arrived: never resent); a 403 or another 4xx marks it failed; 429, 5xx and refused
  connections are retried by the session (bot/delivery) and then again here, later.
- Rows still pending at shutdown stay in the table and are sent after the restart. The one
  gap, either way: a crash between Telegram's answer and the row's commit sends that
  confirmation again.

Private chats have no minute limit: their confirmations go now, with the same retries.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import timedelta
from typing import Any, TypeVar

from aiogram import Bot

from bot.clock import Clock
from bot.delivery import MINUTE, RateLimiter
from bot.delivery.confirm import Outcome, send_confirmations
from bot.delivery.sent_rows import SentRows
from bot.i18n import Translator
from bot.polling import behind_lane
from storage.outbox import Confirmation, Finished
from storage.repository import Repository

T = TypeVar("T")
RESERVE = 6  # messages of a group's minute kept for merged confirmations
SPACING = MINUTE / RESERVE  # near the limit: one message per SPACING, so the reserve lasts
IN_FLIGHT = 8  # confirmations on their way to one chat at once
RETRY_AFTER = (2.0, 60.0)  # after a send Telegram kept failing: first wait, longest wait
HOLD = 0.5  # seconds a handler waits for a reply sent now; a slower one is queued
STOP_GRACE = 5.0  # seconds a send under way may take to finish at shutdown
KEEP = timedelta(days=2)  # finished rows are kept for redeliveries to find


class Outbox:
    def __init__(
        self, repo: Repository, translator: Translator, limiter: RateLimiter, clock: Clock
    ):
        self.repo = repo
        self.translator = translator
        self.limiter = limiter
        self.clock = clock
        self._bot: Bot | None = None  # set while running (dp.startup .. dp.shutdown)
        self._queues: dict[int, deque[Confirmation]] = {}  # chat -> queued or in flight
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._news: dict[int, asyncio.Event] = {}  # chat -> something was queued
        self._sending: set[asyncio.Task[Any]] = set()
        self._now: dict[int, int] = {}  # chat -> confirmations being sent now, by handlers
        self._last: dict[int, float] = {}  # chat -> when its latest confirmation went out
        self._retry: dict[int, tuple[float, float]] = {}  # chat -> (not before, next wait)
        self._sent_rows = SentRows(repo)  # rows of those sent straight away, written behind
        self._following: dict[tuple[int, int], asyncio.Task[bool]] = {}  # (chat, person) ->
        # their latest confirmation sent now, still under way
        self._flying: set[tuple[int, int, int]] = set()  # the keys of those under way

    async def start(self, bot: Bot) -> None:
        """Resume what a previous run left pending (dp.startup)."""
        self._bot = bot
        await self.repo.outbox.prune(self.clock.now() - KEEP)
        for item in await self.repo.outbox.pending():
            self._queues.setdefault(item.chat_id, deque()).append(item)
        for chat_id in list(self._queues):
            self._wake(chat_id)

    async def put(
        self, item: Confirmation, merge: Callable[[], str], *, repeated: bool = False
    ) -> bool:
        """Confirm a handled command: sent now if its chat has room to spare, else queued
        (committed when this returns). `merge` makes the item's part of a merged message,
        needed only when it is queued. `repeated`: its entries were stored before (Telegram
        delivered the update again): confirmed only if no earlier run sent or queued it.
        False: not confirmed again."""
        if repeated and (
            item.key in self._flying
            or self._sent_rows.holds(item)
            or await self.repo.outbox.known(*item.key)
        ):
            return False
        bot = self._bot
        if bot is None or not self._has_room(item.chat_id):
            return await self._queue(replace(item, merge=merge()))
        chat_id, person = item.chat_id, (item.chat_id, item.user_id)
        self._now[chat_id] = self._now.get(chat_id, 0) + 1
        self._flying.add(item.key)
        follow = self._track(self._follow(bot, item, merge, self._following.get(person)))
        self._following[person] = follow
        follow.add_done_callback(lambda task: self._followed(person, item, task))
        if not behind_lane(follow):  # no lane to let go on (a direct call): wait for it here
            return await follow
        return True

    async def _follow(
        self, bot: Bot, item: Confirmation, merge: Callable[[], str],
        before: asyncio.Task[bool] | None,
    ) -> bool:  # fmt: skip
        """A confirmation sent now, behind its handler (bot/polling.py `behind_lane`)."""
        chat_id = item.chat_id
        if before is not None:  # the person's previous confirmation first: replies in order
            await asyncio.wait({before})
            if chat_id in self._queues:  # it was queued meanwhile: this one may not overtake
                self._sent_now(chat_id)
                return await self._queue(replace(item, merge=merge()))
        send = self._track(self._deliver(bot, chat_id, [item]))
        send.add_done_callback(lambda _: self._sent_now(chat_id))
        await asyncio.wait({send}, timeout=HOLD)
        if not send.done():  # slow: queued as pending, marked when Telegram answers
            stored = await self.repo.outbox.add(replace(item, merge=merge()))
            if stored is not None:
                self._track(self._settle(send, stored))
            return stored is not None
        outcome = send.result()
        if outcome.state is None:  # Telegram kept failing: queued, tried again later
            self._backoff(chat_id)
            return await self._queue(replace(item, merge=merge()))
        self._sent_rows.add(
            Finished(item, outcome.state, self.clock.now(), outcome.message_id, outcome.error)
        )
        return True

    def _followed(
        self, person: tuple[int, int], item: Confirmation, task: asyncio.Task[bool]
    ) -> None:
        if self._following.get(person) is task:
            del self._following[person]
        self._flying.discard(item.key)

    def _sent_now(self, chat_id: int) -> None:
        self._now[chat_id] -= 1
        if not self._now[chat_id]:
            del self._now[chat_id]

    def _track(self, work: Coroutine[object, object, T]) -> asyncio.Task[T]:
        """A task `stop` lets finish (briefly)."""
        task = asyncio.get_running_loop().create_task(work)
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)
        return task

    async def _settle(self, send: asyncio.Task[Outcome], row: Confirmation) -> None:
        """A confirmation sent now whose handler stopped waiting: mark its row, or queue it."""
        outcome = await send
        if outcome.state is not None:
            await self._mark([row], outcome)
            return
        self._later(row.chat_id, [row])

    async def stop(self) -> None:
        """Let sends under way finish (briefly); the rest stays pending for the next start."""
        self._bot = None
        tasks = list(self._tasks.values())
        if self._sending:
            await asyncio.wait(set(self._sending), timeout=STOP_GRACE)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._queues.clear()
        await self.written()

    async def written(self) -> None:
        """Until the rows of confirmations sent so far are in the table (bot/polling.py
        waits for this before confirming a batch to Telegram)."""
        await self._sent_rows.written()

    def _has_room(self, chat_id: int) -> bool:
        """Nothing queued for the chat (it would be overtaken) and, for a group, more than
        RESERVE messages left in its minute besides the ones handlers are sending now."""
        if chat_id in self._queues:
            return False
        return chat_id > 0 or self._room(chat_id) > RESERVE

    def _room(self, chat_id: int) -> int:
        """The group's messages left this minute, less those handlers are sending now."""
        return self.limiter.room(chat_id) - self._now.get(chat_id, 0)

    async def _queue(self, item: Confirmation) -> bool:
        stored = await self.repo.outbox.add(item)
        if stored is None:  # queued by an earlier run: a redelivered update
            return False
        if self._bot is not None:  # else it waits in the table for the next start
            self._queues.setdefault(stored.chat_id, deque()).append(stored)
            self._wake(stored.chat_id)
        return True

    def _wake(self, chat_id: int) -> None:
        if chat_id in self._tasks:
            self._news[chat_id].set()
            return
        self._news[chat_id] = asyncio.Event()
        self._tasks[chat_id] = asyncio.get_running_loop().create_task(self._drain(chat_id))

    async def _nap(self, chat_id: int, flights: set[asyncio.Task[object]]) -> None:
        """Until a send under way finishes or something new is queued for the chat."""
        news = self._news[chat_id]
        news.clear()  # the caller looked at the queue just now, without awaiting since
        waiter = asyncio.ensure_future(news.wait())
        try:
            await asyncio.wait({*flights, waiter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()

    async def _drain(self, chat_id: int) -> None:
        queue = self._queues[chat_id]
        flights: set[asyncio.Task[object]] = set()
        try:
            while (queue or flights) and self._bot is not None:
                if not queue or len(flights) >= IN_FLIGHT:
                    await self._nap(chat_id, flights)
                    continue
                now = time.monotonic()
                not_before, _ = self._retry.get(chat_id, (0.0, 0.0))
                if now < not_before:
                    await asyncio.sleep(not_before - now)
                    continue
                if chat_id > 0 or len(queue) + len(flights) <= self._room(chat_id) - RESERVE:
                    flights.add(self._launch(chat_id, [queue.popleft()], flights))
                    continue
                if flights:  # near the limit: first see what the singles left
                    await asyncio.wait(flights)
                    continue
                wait = self._last.get(chat_id, -SPACING) + SPACING - now
                if wait > 0:
                    await asyncio.sleep(wait)
                    continue
                items = list(queue)
                queue.clear()
                await self._launch(chat_id, items, flights)
        finally:
            for flight in flights:
                flight.cancel()
            if self._tasks.get(chat_id) is asyncio.current_task():
                del self._tasks[chat_id], self._news[chat_id]
            if not queue and self._queues.get(chat_id) is queue:
                del self._queues[chat_id]

    def _launch(self, chat_id: int, items: list[Confirmation],
                flights: set[asyncio.Task[object]]) -> asyncio.Task[object]:  # fmt: skip
        task: asyncio.Task[object] = self._track(self._send(chat_id, items))
        task.add_done_callback(flights.discard)
        self._last[chat_id] = time.monotonic()
        return task

    async def _send(self, chat_id: int, items: list[Confirmation]) -> None:
        """A queued confirmation, or several merged: sent, then its rows marked."""
        bot = self._bot
        if bot is None:
            return
        outcome = await self._deliver(bot, chat_id, items)
        if outcome.state is None:  # still 429/5xx after the session's retries: later, in order
            self._later(chat_id, items)
            return
        await self._mark(items, outcome)

    async def _mark(self, rows: list[Confirmation], outcome: Outcome) -> None:
        assert outcome.state is not None
        ids, now = [row.id for row in rows], self.clock.now()
        await self.repo.outbox.finish(
            ids, outcome.state, now, message_id=outcome.message_id, error=outcome.error
        )

    async def _deliver(self, bot: Bot, chat_id: int, items: list[Confirmation]) -> Outcome:
        outcome = await send_confirmations(bot, chat_id, items, self.translator)
        if outcome.state == "sent":
            self._retry.pop(chat_id, None)
            self._last[chat_id] = time.monotonic()
        return outcome

    def _later(self, chat_id: int, rows: list[Confirmation]) -> None:
        """Pending rows Telegram kept failing for: first in the chat's queue, after a wait."""
        self._backoff(chat_id)
        if self._bot is not None:  # else: stopping, the rows are pending in the table
            self._queues.setdefault(chat_id, deque()).extendleft(reversed(rows))
            self._wake(chat_id)

    def _backoff(self, chat_id: int) -> None:
        """The chat's queue waits before its next try, longer after each failure in a row."""
        first, longest = RETRY_AFTER
        _, wait = self._retry.get(chat_id, (0.0, first))
        self._retry[chat_id] = (time.monotonic() + wait, min(wait * 2, longest))
