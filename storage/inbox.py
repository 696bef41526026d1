"""The inbox: getUpdates batches kept until handled (see storage/migrations/0008_inbox.sql)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from typing import NamedTuple

from storage.db import Database


class Batch(NamedTuple):
    first_update_id: int
    last_update_id: int
    body: str  # the getUpdates answer as JSON: {"ok": true, "result": [...]}


class InboxRepo:
    def __init__(self, db: Database):
        self._db = db

    async def add(self, batch: Batch) -> None:
        """Stored durably (committed once this returns): Telegram forgets it next."""
        await self.queue(batch)

    def queue(self, batch: Batch) -> asyncio.Future[None]:
        """`add`, queued now: done once stored. A write queued after it commits with it or
        later (storage/db.py commits in order), never without it."""

        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT OR REPLACE INTO inbox (first_update_id, last_update_id, body)"
                " VALUES (?, ?, ?)",
                batch,
            )

        return self._db.queue(insert)

    async def remove(self, first_update_ids: Sequence[int]) -> None:
        """Handled batches. Without an fsync: a removal lost with the power only means the
        batch is handled again, which every handler absorbs (a redelivery)."""
        params = [(first,) for first in first_update_ids]

        def delete(conn: sqlite3.Connection) -> None:
            conn.executemany("DELETE FROM inbox WHERE first_update_id = ?", params)

        if params:
            await self._db.write(delete, durable=False)

    async def batches(self) -> list[Batch]:
        """Every stored batch, oldest first."""
        rows = await self._db.fetch(
            "SELECT first_update_id, last_update_id, body FROM inbox ORDER BY first_update_id"
        )
        return [Batch(*row) for row in rows]
