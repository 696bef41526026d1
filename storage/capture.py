"""Telegram capture's storage: linked channels, signatures, invite links, and the writes that
turn channel, discussion and Business updates into entries (storage/capture_units.py)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from kpi.capture import Said
from kpi.models import Entry, Period
from storage import capture_units as units
from storage.capture_talk import talk
from storage.db import Database
from storage.entry_units import ENTRY_COLUMNS, entry
from storage.records import utc_iso


@dataclass(frozen=True)
class Channel:
    id: int
    team_id: int
    title: str
    username: str | None
    discussion_id: int | None
    active: bool

    @property
    def display(self) -> str:
        return f"@{self.username}" if self.username else (self.title or str(self.id))


@dataclass(frozen=True)
class Connection:
    id: str
    user_id: int
    team_id: int
    enabled: bool


_CHANNEL = "id, team_id, title, username, discussion_id, active"


def _channel(row: sqlite3.Row) -> Channel:
    return Channel(row[0], row[1], row[2], row[3], row[4], bool(row[5]))


class CaptureRepo:
    def __init__(self, db: Database):
        self._db = db
        # Discussion group id -> its channel, asked for every group message before the
        # logging commands: kept here, forgotten by every change to `channels`.
        self._discussions: dict[int, Channel] | None = None

    # --- channels ---

    async def link(
        self, channel: Channel, by: int, now: datetime
    ) -> Channel | None:
        """Link (or relink) a channel to a team; if it belongs to another team, that one's
        Channel is returned and nothing changes."""

        def work(conn: sqlite3.Connection) -> Channel | None:
            row = conn.execute(
                f"SELECT {_CHANNEL} FROM channels WHERE id = ?", (channel.id,)
            ).fetchone()
            if row is not None and row[1] != channel.team_id and row[5]:
                return _channel(row)
            conn.execute(
                "INSERT INTO channels (id, team_id, title, username, discussion_id, active,"
                " linked_at, linked_by) VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (id) DO UPDATE"
                " SET team_id = excluded.team_id, title = excluded.title, active = 1,"
                " username = excluded.username, discussion_id = excluded.discussion_id",
                (channel.id, channel.team_id, channel.title, channel.username,
                 channel.discussion_id, utc_iso(now), by),
            )  # fmt: skip
            # The channel stands for the team where nobody is credited (users.id = its id).
            conn.execute(
                "INSERT INTO users (id, username, full_name, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET full_name = excluded.full_name,"
                " username = excluded.username",
                (channel.id, channel.username, channel.title, utc_iso(now)),
            )
            return None

        try:
            return await self._db.write(work)
        finally:
            self._discussions = None

    async def unlink(self, team_id: int, channel_id: int) -> bool:
        def work(conn: sqlite3.Connection) -> bool:
            return bool(conn.execute(
                "UPDATE channels SET active = 0 WHERE id = ? AND team_id = ? AND active = 1",
                (channel_id, team_id),
            ).rowcount)  # fmt: skip

        try:
            return await self._db.write(work)
        finally:
            self._discussions = None

    async def channel(self, channel_id: int) -> Channel | None:
        row = await self._db.fetch_one(
            f"SELECT {_CHANNEL} FROM channels WHERE id = ? AND active = 1", (channel_id,)
        )
        return _channel(row) if row else None

    async def channels(self, team_id: int) -> list[Channel]:
        rows = await self._db.fetch(
            f"SELECT {_CHANNEL} FROM channels WHERE team_id = ? AND active = 1 ORDER BY id",
            (team_id,),
        )
        return [_channel(r) for r in rows]

    async def all_channels(self) -> list[Channel]:
        rows = await self._db.fetch(f"SELECT {_CHANNEL} FROM channels WHERE active = 1")
        return [_channel(r) for r in rows]

    async def discussion(self, chat_id: int) -> Channel | None:
        """The channel whose discussion group `chat_id` is (cached: asked per group message)."""
        if self._discussions is None:
            found = {c.discussion_id: c for c in await self.all_channels() if c.discussion_id}
            self._discussions = found
        return self._discussions.get(chat_id)

    async def has_channel(self, team_id: int) -> bool:
        return bool(await self.channels(team_id))

    # --- who gets the credit ---

    async def set_signature(self, team_id: int, signature: str, user_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "DELETE FROM signatures WHERE team_id = ? AND user_id = ?", (team_id, user_id)
            )
            await conn.execute(
                "INSERT INTO signatures (team_id, signature, user_id) VALUES (?, ?, ?)"
                " ON CONFLICT (team_id, signature) DO UPDATE SET user_id = excluded.user_id",
                (team_id, signature.strip().lower(), user_id),
            )

    # --- captured numbers ---

    def post(
        self, team_id: int, channel_id: int, message_id: int, media_group_id: str | None,
        day: date, signature: str | None, now: datetime,
    ) -> asyncio.Future[None]:  # fmt: skip
        """The post's write, queued now (Database.queue): done once committed."""
        new = units.NewPost(team_id, channel_id, message_id, media_group_id, day, signature, now)
        return self._db.queue(new.save)

    def reactions(
        self, team_id: int, channel_id: int, message_id: int, total: int, at: int, now: datetime
    ) -> asyncio.Future[None]:
        """The post's latest reaction total, queued now (Database.queue): done once committed."""
        return self._db.queue(
            lambda conn: units.reactions(conn, team_id, channel_id, message_id, total, at, now)
        )

    async def move(
        self, team_id: int, channel_id: int, user_id: int, at: int, step: int,
        link: str | None, day: date, now: datetime,
    ) -> bool:  # fmt: skip
        return await self._db.write(
            lambda conn: units.move(conn, team_id, channel_id, user_id, at, step, link, day, now)
        )

    async def count(
        self, team_id: int, channel_id: int, day: date, members: int, now: datetime,
        *, final: bool = False,
    ) -> None:  # fmt: skip
        """A follower count read on `day`; `final` once read at the team's day end."""
        await self._db.write(
            lambda conn: units.count(conn, team_id, channel_id, day, members, now, final)
        )

    async def counted(self, channel_id: int, day: date) -> bool:
        """Was the day-end count of `day` read already?"""
        row = await self._db.fetch_one(
            "SELECT 1 FROM channel_counts WHERE channel_id = ? AND day = ? AND final = 1",
            (channel_id, day.isoformat()),
        )
        return row is not None

    async def thread(self, chat_id: int, thread_id: int, channel_id: int, post_id: int) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT OR IGNORE INTO threads (chat_id, thread_id, channel_id, post_id)"
                " VALUES (?, ?, ?, ?)",
                (chat_id, thread_id, channel_id, post_id),
            )

    async def talk(
        self, said: Said, chat_id: int, thread_id: int, kind: str, team_id: int, owner: int,
        now: datetime, tz_day: Callable[[int], date],
    ) -> None:  # fmt: skip
        await self._db.write(
            lambda conn: talk(conn, said, chat_id, thread_id, kind, team_id, owner, now, tz_day)
        )

    async def recent(self, team_id: int, limit: int = 10) -> list[tuple[Entry, str]]:
        """The team's latest live captured entries with who is credited (for /captured)."""
        rows = await self._db.fetch(
            f"SELECT {', '.join('e.' + c for c in ENTRY_COLUMNS.split(', '))}, u.full_name"
            " FROM entries e JOIN users u ON u.id = e.user_id WHERE e.team_id = ?"
            " AND e.captured IS NOT NULL AND e.deleted_at IS NULL ORDER BY e.id DESC LIMIT ?",
            (team_id, limit),
        )
        return [(entry(r), r["full_name"]) for r in rows]

    # --- invite links and where subscribers come from ---

    async def add_link(
        self, link: str, channel_id: int, name: str, by: int, now: datetime
    ) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT OR REPLACE INTO invite_links (link, channel_id, name, created_by,"
                " created_at) VALUES (?, ?, ?, ?, ?)",
                (link, channel_id, name, by, utc_iso(now)),
            )

    async def sources(self, team_id: int, period: Period) -> list[tuple[str | None, int]]:
        """Joins in the period by named invite link (None: any other way), most first."""
        rows = await self._db.fetch(
            "SELECT l.name, COUNT(*) AS joins FROM channel_moves m"
            " JOIN channels c ON c.id = m.channel_id AND c.team_id = ?"
            " LEFT JOIN invite_links l ON l.link = m.link"
            " WHERE m.move = 1 AND m.day >= ? AND m.day < ?"
            " GROUP BY l.name ORDER BY joins DESC, l.name",
            (team_id, period.start.isoformat(), period.end.isoformat()),
        )
        return [(r[0], int(r[1])) for r in rows]

    # --- Telegram Business ---

    async def connect(self, connection: Connection) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO business_connections (id, user_id, team_id, enabled)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET enabled = excluded.enabled,"
                " user_id = excluded.user_id, team_id = excluded.team_id",
                (connection.id, connection.user_id, connection.team_id, int(connection.enabled)),
            )

    async def connection(self, connection_id: str) -> Connection | None:
        row = await self._db.fetch_one(
            "SELECT id, user_id, team_id, enabled FROM business_connections WHERE id = ?",
            (connection_id,),
        )
        return Connection(row[0], row[1], row[2], bool(row[3])) if row else None
