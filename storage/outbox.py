"""The outbox: logging confirmations queued in the same order as their commands were handled,
marked once Telegram accepted them (see storage/migrations/0006_outbox.sql)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import NamedTuple

from storage.db import Database
from storage.records import utc_iso

_COLUMNS = (
    "chat_id, message_id, revision, thread_id, user_id, person, language, text, merge, created_at"
)


@dataclass(frozen=True)
class Confirmation:
    chat_id: int
    message_id: int  # the command
    revision: int
    thread_id: int | None
    user_id: int
    person: str
    language: str
    text: str  # HTML, sent as it is when the confirmation goes alone
    merge: str  # JSON owned by bot/delivery/outbox.py: its part of a merged confirmation
    created_at: datetime
    id: int = 0  # assigned by `add`

    @property
    def key(self) -> tuple[int, int, int]:
        """The command revision it confirms: one row each (UNIQUE in the table)."""
        return self.chat_id, self.message_id, self.revision


class Finished(NamedTuple):
    """A confirmation that went straight out, and how (`state` as in `finish`)."""

    item: Confirmation
    state: str
    at: datetime
    message_id: int | None
    error: str | None


_INSERT = (
    f"INSERT INTO outbox ({_COLUMNS}, state, sent_at, sent_message_id, error)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (chat_id, message_id, revision) DO NOTHING"
)


def _params(
    item: Confirmation, state: str, at: datetime | None, message_id: int | None, error: str | None
) -> tuple[object, ...]:
    sent_at = utc_iso(at) if state == "sent" and at is not None else None
    return (
        item.chat_id, item.message_id, item.revision, item.thread_id, item.user_id,
        item.person, item.language, item.text, item.merge, utc_iso(item.created_at),
        state, sent_at, message_id, error,
    )  # fmt: skip


class OutboxRepo:
    def __init__(self, db: Database):
        self._db = db

    async def add(self, item: Confirmation) -> Confirmation | None:
        """Queue `item` (pending), committed with an fsync: a queued row must survive power
        loss. None if this command revision was queued or sent before (a redelivery)."""
        params = _params(item, "pending", None, None, None)

        def insert(conn: sqlite3.Connection) -> int | None:
            rows = conn.execute(_INSERT + " RETURNING id", params).fetchall()
            # all: a RETURNING statement left open would block the COMMIT
            return int(rows[0][0]) if rows else None

        new_id = await self._db.write(insert)
        return None if new_id is None else replace(item, id=new_id)

    async def record(self, done: Sequence[Finished]) -> None:
        """Rows of confirmations that went straight out, written together without an fsync
        (lost with power only: then a redelivery is confirmed again). A row already there is
        left as it is."""
        params = [_params(*row) for row in done]

        def insert(conn: sqlite3.Connection) -> None:
            conn.executemany(_INSERT, params)

        if params:
            await self._db.write(insert, durable=False)

    async def known(self, chat_id: int, message_id: int, revision: int) -> bool:
        """Whether this command revision was queued or sent before."""
        row = await self._db.fetch_one(
            "SELECT 1 FROM outbox WHERE chat_id = ? AND message_id = ? AND revision = ?",
            (chat_id, message_id, revision),
        )
        return row is not None

    async def pending(self) -> list[Confirmation]:
        """Every row still to send, oldest first."""
        rows = await self._db.fetch(
            f"SELECT id, {_COLUMNS} FROM outbox WHERE state = 'pending' ORDER BY chat_id, id"
        )
        return [
            Confirmation(
                r["chat_id"],
                r["message_id"],
                r["revision"],
                r["thread_id"],
                r["user_id"],
                r["person"],
                r["language"],
                r["text"],
                r["merge"],
                datetime.fromisoformat(r["created_at"]),
                r["id"],
            )
            for r in rows
        ]

    async def finish(
        self,
        ids: list[int],
        state: str,
        now: datetime,
        *,
        message_id: int | None = None,
        error: str | None = None,
    ) -> None:
        """sent (Telegram accepted), uncertain (a timeout: never resent) or failed."""
        sent_at = utc_iso(now) if state == "sent" else None
        marks = ",".join("?" * len(ids))

        def update(conn: sqlite3.Connection) -> None:
            conn.execute(
                f"UPDATE outbox SET state = ?, sent_at = ?, sent_message_id = ?, error = ?"
                f" WHERE id IN ({marks}) AND state = 'pending'",
                (state, sent_at, message_id, error, *ids),
            )

        if ids:
            await self._db.write(update, durable=False)  # lost with power: sent again

    async def prune(self, before: datetime) -> int:
        """Forget finished rows queued before `before` (kept until then: a redelivered
        update must still find its row, and Telegram keeps updates for 24 hours)."""

        def delete(conn: sqlite3.Connection) -> int:
            return conn.execute(
                "DELETE FROM outbox WHERE state != 'pending' AND created_at < ?",
                (utc_iso(before),),
            ).rowcount

        return await self._db.write(delete)
