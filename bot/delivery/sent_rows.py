"""Rows of confirmations sent straight from a handler, written behind it.

Such a row only stops a redelivered command from being confirmed twice, and an update is
handled again only if its stored batch was still in the inbox at start-up (bot/inbox.py).
So the handler does not wait for its row: rows gather here and go to the database in one
work, riding in the commit group of whatever is being written (the inbox deletes a batch
only once they are written, and shutdown waits for them). Writing each in a transaction of
its own, waited out by its handler, cost about an eighth of the bot's throughput
(docs/PERFORMANCE.md).
"""

from __future__ import annotations

import asyncio
import logging

from storage.outbox import Confirmation, Finished
from storage.repository import Repository

log = logging.getLogger(__name__)


class SentRows:
    def __init__(self, repo: Repository):
        self.repo = repo
        self._waiting: list[Finished] = []
        self._unwritten: set[tuple[int, int, int]] = set()  # waiting or being written
        self._writer: asyncio.Task[None] | None = None
        self._added = self._done = 0  # rows added; rows whose write has ended
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    def add(self, done: Finished) -> None:
        self._waiting.append(done)
        self._added += 1
        self._unwritten.add(done.item.key)
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write())

    def holds(self, item: Confirmation) -> bool:
        """Whether a row for this command revision is on its way to the table."""
        return item.key in self._unwritten

    async def written(self) -> None:
        """Until every row added so far is in the table (or failed to get there); rows added
        meanwhile are not waited for, so a steady stream of them cannot hold this up."""
        if self._done == self._added:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append((self._added, waiter))
        await asyncio.shield(waiter)  # shield: a cancelled caller leaves the rows going

    async def _write(self) -> None:
        try:
            while self._waiting:
                rows, self._waiting = self._waiting, []
                taken = self._added
                try:
                    await self.repo.outbox.record(rows)
                except Exception:  # only a redelivery could suffer: confirmed again
                    log.exception("outbox: %s sent row(s) not written", len(rows))
                self._unwritten.difference_update(row.item.key for row in rows)
                self._done = taken
                self._wake()
        finally:
            self._writer = None
            self._done = self._added  # also when cancelled (shutting down): no waiter hangs
            self._wake()

    def _wake(self) -> None:
        still = []
        for mark, waiter in self._waiters:
            if mark > self._done:
                still.append((mark, waiter))
            elif not waiter.done():
                waiter.set_result(None)
        self._waiters = still
