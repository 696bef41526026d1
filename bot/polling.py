"""Long polling with updates side by side, each person's in order, and nothing lost on a crash.

The next getUpdates carries the offset that confirms the batch before it to Telegram, and
aiogram asks for it as soon as the batch is handed out. Each batch is therefore stored
(bot/inbox.py: one durable write, which that getUpdates waits for) and handled again at the
next start if the process dies, so the next batch may be fetched while this one runs. Updates run as
tasks in lanes, one per person: a person's updates keep their order in every chat (a /lead in
the group, then /undo in private), and so do the edits of a message; other people's run
meanwhile. What an update leaves going once its handler returned (a confirmation on its way:
`behind_lane`) no longer holds the person's lane, but the update counts as handled (for the
inbox, or a webhook's answer) only once it is done.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.dispatcher.middlewares.user_context import EVENT_CONTEXT_KEY, EventContext
from aiogram.types import TelegramObject, Update

from bot.inbox import Inbox

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 64  # updates handled at once; a getUpdates batch holds at most 100

# The running update's work left behind its lane (per task: each update runs in its own).
_behind: ContextVar[list[asyncio.Future[Any]] | None] = ContextVar("behind_lane", default=None)


def behind_lane(work: asyncio.Future[Any]) -> bool:
    """Let the running update's lane go on to its next update (the person's, or the
    channel's) while `work` (a confirmation under way, a queued write) finishes; the update
    still counts as handled only once it has, and an error of `work` is logged. False
    outside a lane (nothing waits for `work` then: the caller must)."""
    behind = _behind.get()
    if behind is None:
        return False
    behind.append(work)
    return True


class Lanes(BaseMiddleware):
    """Outer update middleware: FIFO order per person, and a record of what runs."""

    def __init__(
        self,
        settled: Callable[[], Awaitable[None]] | None = None,
        finished: Callable[[int], None] | None = None,
    ) -> None:
        # `settled`: what updates left to finish behind them (the outbox's sent rows);
        # `finished`: told each update id once handled (the inbox)
        self._settled = settled
        self._finished = finished
        self._lanes: dict[tuple[str, int | None], tuple[asyncio.Lock, list[int]]] = {}
        self._running: set[asyncio.Task[Any]] = set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        # Runs before this task's first suspension, so `drained` sees it (see there).
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        context: EventContext | None = data.get(EVENT_CONTEXT_KEY)
        if context is not None and context.user_id is not None:
            key = ("user", context.user_id)
        else:  # no sender (a channel post): that chat's updates in order
            key = ("chat", context.chat_id if context else None)
        lock, users = self._lanes.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        behind: list[asyncio.Future[Any]] = []
        token = _behind.set(behind)
        try:
            async with lock:  # asyncio.Lock is FIFO: the order updates arrived in
                return await handler(event, data)
        finally:
            _behind.reset(token)
            if behind:  # outside the lane: the person's next update runs meanwhile
                await asyncio.wait(behind)
                for work in behind:  # the handler did not see these end: report them here
                    if not work.cancelled() and (error := work.exception()) is not None:
                        log.error("work left behind an update failed", exc_info=error)
            users[0] -= 1
            if not users[0]:
                del self._lanes[key]
            if task is not None:
                self._running.discard(task)
            if self._finished is not None and isinstance(event, Update):
                self._finished(event.update_id)

    async def drained(self) -> None:
        """Until every update handed out so far has been handled, and what it left to finish
        behind it has."""
        # aiogram creates a batch's tasks and then asks for the next batch without yielding;
        # one turn of the loop lets each new task run up to `__call__` and check in.
        await asyncio.sleep(0)
        while self._running:
            await asyncio.wait(set(self._running))  # wait: never cancels the updates
        if self._settled is not None:
            await self._settled()

    @property
    def busy(self) -> int:
        return len(self._running)


async def poll(dp: Dispatcher, bot: Bot, *, polling_timeout: int, **kwargs: Any) -> None:
    """`dp.start_polling` with the lanes of `dp` (create_dispatcher installs them); returns
    once the updates still running have finished. The caller closes `bot.session`."""
    lanes: Lanes = dp["lanes"]
    inbox: Inbox = dp["inbox"]
    bot.session.middleware(inbox)

    async def replay() -> None:  # after the other start-up hooks: the outbox runs by then
        await inbox.replay(dp, bot, lanes.drained)

    dp.startup.register(replay)
    try:
        await dp.start_polling(
            bot,
            allowed_updates=dp.resolve_used_update_types(),
            polling_timeout=polling_timeout,
            handle_as_tasks=True,
            tasks_concurrency_limit=MAX_IN_FLIGHT,
            close_bot_session=False,  # running updates still reply; the caller closes it
            **kwargs,
        )
    finally:
        await lanes.drained()  # stopping: let running updates commit and reply
        await inbox.closed()
