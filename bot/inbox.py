"""The inbox: a getUpdates batch is stored before Telegram is told it arrived.

Long polling confirms a batch with the next getUpdates' offset. Holding that request until the
whole batch was handled (so that a crash loses nothing) left the bot idle for a round trip to
Telegram after every batch, and behind the slowest update of it. Instead each batch is
written to SQLite, durably, and the next getUpdates (the one that confirms it) waits only for
that write. The write is queued before aiogram hands the updates out, so every write their
handlers make commits with it or after it (storage/db.py commits in order), never without
it; the handlers need not wait for it, which took an fsync off the way of every answer.
A batch is deleted once every update of it has been handled and the rows of the
confirmations they sent are written; a batch still stored at start-up (the process died) is
handled again before polling starts, as Telegram's own redelivery would be, which every
handler absorbs (an entry is saved once per message, a confirmation sent once).

What is stored: updates as Telegram sent them, except that comments in a linked channel's
discussion group and customer chats (Telegram Business) lose their texts first; the capture
handlers use only ids, dates and roles (see README, "Privacy").
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Message, Update

from storage.inbox import Batch
from storage.repository import Repository

log = logging.getLogger(__name__)

# What a comment or a customer's message says; the capture handlers read none of it.
TEXT_FIELDS = (
    "text", "caption", "entities", "caption_entities", "quote", "external_reply",
    "reply_markup", "poll", "checklist", "contact", "location", "venue",
    "link_preview_options",
)  # fmt: skip


def without_texts(message: dict[str, Any]) -> None:
    """Drop what a message (and the one it replies to) says, in place."""
    for field in TEXT_FIELDS:
        message.pop(field, None)
    quoted = message.get("reply_to_message")
    if isinstance(quoted, dict):
        without_texts(quoted)


class Inbox(BaseRequestMiddleware):
    """A session middleware: stores each getUpdates answer before returning it to aiogram."""

    def __init__(self, repo: Repository, settled: Callable[[], Awaitable[None]]) -> None:
        # `settled`: what handled updates left to finish behind them (the outbox's sent rows)
        self.repo = repo
        self._settled = settled
        self._open: dict[int, set[int]] = {}  # a batch's first update id -> ids not handled
        self._batch_of: dict[int, int] = {}  # update id -> its batch's first update id
        self._offset: int | None = None  # after a replay: what the first getUpdates confirms
        # The last batch's write, and its first update id: the next getUpdates confirms it.
        self._storing: tuple[asyncio.Future[None], int] | None = None
        self._removing: set[asyncio.Task[None]] = set()

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        if not isinstance(method, GetUpdates):
            return await make_request(bot, method)
        await self._stored(method)
        if self._offset is not None and method.offset is None:
            method.offset = self._offset  # the replayed batches are done: Telegram may forget
        updates: list[Update] = await make_request(bot, method)
        if updates:
            first = updates[0].update_id
            self._storing = self.repo.inbox.queue(await self._batch(bot, updates)), first
            self._open[first] = {u.update_id for u in updates}
            for update in updates:
                self._batch_of[update.update_id] = first
        self._offset = None
        return updates

    async def _stored(self, method: GetUpdates | None) -> None:
        """Until the batch before is stored, for `method` to confirm it; if its write failed,
        `method` asks Telegram for it again instead (its updates then arrive twice, which
        every handler absorbs, as a redelivery). None: stopping, nothing confirms it."""
        if self._storing is None:
            return
        storing, first = self._storing
        self._storing = None
        try:
            await storing
        except Exception:
            log.exception("inbox: batch %s not stored; Telegram sends it again", first)
            if method is not None:
                method.offset = first

    def finished(self, update_id: int) -> None:
        """An update has been handled (bot/polling.py's Lanes tells)."""
        first = self._batch_of.pop(update_id, None)
        if first is None:
            return  # a replayed or webhook update
        left = self._open[first]
        left.discard(update_id)
        if not left:
            del self._open[first]
            task = asyncio.get_running_loop().create_task(self._remove([first]))
            self._removing.add(task)
            task.add_done_callback(self._removing.discard)

    async def replay(self, dp: Dispatcher, bot: Bot, handled: Callable[[], Awaitable[None]]) -> int:
        """Handle the batches a previous process stored and did not finish, in order, before
        polling starts; `handled` waits for the updates handed out. How many there were."""
        batches = await self.repo.inbox.batches()
        if not batches:
            return 0
        count = 0
        running = set()
        for batch in batches:
            try:
                raws = json.loads(batch.body)["result"]
                updates = [Update.model_validate(raw, context={"bot": bot}) for raw in raws]
            except Exception:  # a row that cannot be read must not keep the bot from starting
                log.exception("inbox: batch %s unreadable, dropped", batch.first_update_id)
                continue
            for update in updates:
                running.add(asyncio.create_task(dp.feed_update(bot, update)))
            count += len(updates)
            await asyncio.sleep(0)  # each task checks into its lane in order
        await handled()
        await asyncio.gather(*running, return_exceptions=True)  # aiogram logged any error
        self._offset = batches[-1].last_update_id + 1
        await self._remove([b.first_update_id for b in batches])
        log.info("inbox: %s update(s) stored by the previous run handled again", count)
        return count

    async def closed(self) -> None:
        """Until the last batch is stored and the handled batches are deleted."""
        await self._stored(None)
        while self._removing:
            await asyncio.wait(set(self._removing))

    async def _remove(self, firsts: list[int]) -> None:
        await self._settled()  # a sent row missing at a replay would mean a second reply
        try:
            await self.repo.inbox.remove(firsts)
        except Exception:  # handled again at the next start: absorbed, as a redelivery
            log.exception("inbox: batch(es) %s not removed", firsts)

    async def _batch(self, bot: Bot, updates: list[Update]) -> Batch:
        # The answer as it came (bot.session.Session keeps it), not dumped again.
        body = getattr(bot.session, "updates_body", None)
        private = [i for i, u in enumerate(updates) if await self._private(u)]
        if body is None or private:
            answer = json.loads(body) if body is not None else {"ok": True, "result": [
                u.model_dump(mode="json", by_alias=True, exclude_unset=True) for u in updates
            ]}  # fmt: skip
            for i in private:
                raw = answer["result"][i]
                for kind in ("message", "edited_message", "business_message",
                             "edited_business_message"):  # fmt: skip
                    if isinstance(raw.get(kind), dict):
                        without_texts(raw[kind])
            body = json.dumps(answer, ensure_ascii=False)
        return Batch(updates[0].update_id, updates[-1].update_id, body)

    async def _private(self, update: Update) -> bool:
        """A customer's chat or a comment: what they say is not stored."""
        if update.business_message or update.edited_business_message:
            return True
        message: Message | None = update.message or update.edited_message
        if message is None or message.chat.type != "supergroup":
            return False
        return await self.repo.capture.discussion(message.chat.id) is not None
