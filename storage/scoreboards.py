"""Live scoreboards: which pinned message shows a team's month, and when it was last edited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from storage.db import Database
from storage.records import parse_day, utc_iso


@dataclass(frozen=True)
class Scoreboard:
    team_id: int
    message_id: int
    month: date  # the first day of the month it shows
    manager_id: int | None
    state: str  # live | gone (deleted or unpinned by hand) | off (/pin off)
    dirty: bool
    edited_at: datetime


def _board(row: aiosqlite.Row) -> Scoreboard:
    return Scoreboard(
        row["team_id"], row["message_id"], parse_day(row["month"]), row["manager_id"],
        row["state"], bool(row["dirty"]), datetime.fromisoformat(row["edited_at"]),
    )  # fmt: skip


class ScoreboardRepo:
    def __init__(self, db: Database):
        self._db = db

    async def get(self, team_id: int) -> Scoreboard | None:
        row = await self._db.fetch_one("SELECT * FROM scoreboards WHERE team_id = ?", (team_id,))
        return _board(row) if row else None

    async def live(self) -> list[Scoreboard]:
        rows = await self._db.fetch("SELECT * FROM scoreboards WHERE state = 'live'")
        return [_board(row) for row in rows]

    async def put(
        self, team_id: int, message_id: int, month: date, manager_id: int, now: datetime
    ) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO scoreboards (team_id, message_id, month, manager_id, state, dirty,"
                " edited_at) VALUES (?, ?, ?, ?, 'live', 0, ?) ON CONFLICT (team_id) DO UPDATE"
                " SET message_id = excluded.message_id, month = excluded.month,"
                " manager_id = excluded.manager_id, state = 'live', dirty = 0,"
                " edited_at = excluded.edited_at",
                (team_id, message_id, month.isoformat(), manager_id, utc_iso(now)),
            )

    async def mark_dirty(self, team_id: int) -> bool:
        """An entry changed the team's numbers; False if it has no live scoreboard."""
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE scoreboards SET dirty = 1 WHERE team_id = ? AND state = 'live'",
                (team_id,),
            )
            return cur.rowcount == 1

    async def edited(self, team_id: int, message_id: int, month: date, now: datetime) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE scoreboards SET dirty = 0, month = ?, edited_at = ?"
                " WHERE team_id = ? AND message_id = ?",
                (month.isoformat(), utc_iso(now), team_id, message_id),
            )

    async def set_state(self, team_id: int, message_id: int, state: str) -> bool:
        """Leave 'live' once: True only for the call that did it (the manager is told once)."""
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE scoreboards SET state = ? WHERE team_id = ? AND message_id = ?"
                " AND state = 'live'",
                (state, team_id, message_id),
            )
            return cur.rowcount == 1
