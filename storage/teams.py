"""Teams (one per group chat), people and memberships."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime

import aiosqlite

from kpi.models import TeamSettings
from storage.db import Database
from storage.records import Person, Schedule, Team, utc_iso
from storage.team_moves import move_team

# Columns of `teams` that /settings may change, and how each is stored.
_SETTING_COLUMNS = {
    "timezone", "language", "currency", "sla_minutes", "risk_pct", "workdays",
    "digest_weekday", "digest_time", "reminder_time",
}  # fmt: skip


def _team(row: aiosqlite.Row) -> Team:
    settings = TeamSettings(
        timezone=row["timezone"],
        language=row["language"],
        currency=row["currency"],
        sla_minutes=row["sla_minutes"],
        risk_pct=row["risk_pct"],
        workdays=frozenset(int(d) for d in row["workdays"]),
    )
    schedule = Schedule(row["digest_weekday"], row["digest_time"], row["reminder_time"])
    created = datetime.fromisoformat(row["created_at"])
    return Team(row["id"], row["title"], settings, bool(row["active"]), schedule, created)


def _person(row: aiosqlite.Row) -> Person:
    return Person(
        row["id"], row["full_name"], row["username"], row["language"], row["selected_team_id"],
        bool(row["remind"]), row["remind_time"],
    )  # fmt: skip


_PERSON = "SELECT * FROM users WHERE id = ?"
_TEAMS_OF = (
    "SELECT t.* FROM teams t JOIN members m ON m.team_id = t.id"
    " WHERE m.user_id = ? AND m.active = 1 AND t.active = 1 ORDER BY t.title, t.id"
)


class TeamRepo:
    def __init__(self, db: Database):
        self._db = db
        # with_member answers for every update; teams and memberships change only through
        # this repo's writes, and each write forgets them all (see _changing).
        self._seen: dict[tuple[int, int], tuple[Team, tuple[bool, str]]] = {}
        self._writes = 0  # a read that overlapped a write must not be kept

    @asynccontextmanager
    async def _changing(self) -> AsyncIterator[aiosqlite.Connection]:
        try:
            async with self._db.transaction() as conn:
                yield conn
        finally:
            self._writes += 1
            self._seen.clear()

    async def ensure_team(
        self, chat_id: int, title: str, defaults: TeamSettings, now: datetime
    ) -> Team:
        """The team of a group chat, registered on first sight; its title kept current."""
        async with self._changing() as conn:
            await conn.execute(
                "INSERT INTO teams (id, title, timezone, language, currency, sla_minutes,"
                " risk_pct, workdays, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET title = excluded.title, active = 1",
                (
                    chat_id, title, defaults.timezone, defaults.language, defaults.currency,
                    defaults.sla_minutes, defaults.risk_pct,
                    "".join(str(d) for d in sorted(defaults.workdays)), utc_iso(now),
                ),
            )  # fmt: skip
        team = await self.get(chat_id)
        assert team is not None
        return team

    async def get(self, team_id: int) -> Team | None:
        row = await self._db.fetch_one("SELECT * FROM teams WHERE id = ?", (team_id,))
        return _team(row) if row else None

    async def with_member(
        self, team_id: int, user_id: int
    ) -> tuple[Team | None, tuple[bool, str] | None]:
        """The team and (active, role) of a person in it: what every update needs."""
        if (seen := self._seen.get((team_id, user_id))) is not None:
            return seen
        writes = self._writes
        row = await self._db.fetch_one(
            "SELECT t.*, m.active AS member_active, m.role AS member_role FROM teams t"
            " LEFT JOIN members m ON m.team_id = t.id AND m.user_id = ? WHERE t.id = ?",
            (user_id, team_id),
        )
        if row is None:
            return None, None
        if row["member_role"] is None:  # role is NOT NULL: no row joined
            return _team(row), None  # not kept: the caller is about to register them
        found = _team(row), (bool(row["member_active"]), row["member_role"])
        if writes == self._writes:
            self._seen[team_id, user_id] = found
        return found

    async def move(self, old_id: int, new_id: int) -> bool:
        """A group upgraded to a supergroup: the team, whole, under the new chat id (once)."""
        async with self._changing() as conn:
            return await move_team(conn, old_id, new_id)

    async def set_active(self, team_id: int, active: bool) -> None:
        async with self._changing() as conn:
            await conn.execute("UPDATE teams SET active = ? WHERE id = ?", (int(active), team_id))

    async def update_settings(self, team_id: int, **values: object) -> Team:
        unknown = set(values) - _SETTING_COLUMNS
        if unknown:
            raise ValueError(f"not a team setting: {sorted(unknown)}")
        if "workdays" in values:
            values["workdays"] = "".join(str(d) for d in sorted(values["workdays"]))  # type: ignore[call-overload]
        assignments = ", ".join(f"{column} = ?" for column in values)  # names from the allow-list
        async with self._changing() as conn:
            await conn.execute(
                f"UPDATE teams SET {assignments} WHERE id = ?", (*values.values(), team_id)
            )
        team = await self.get(team_id)
        assert team is not None
        return team

    async def ensure_member(
        self, team_id: int, person: Person, now: datetime, *, rejoin: bool = True
    ) -> None:
        """Register (or refresh) a person and their membership in a team."""
        async with self._changing() as conn:
            await _upsert_person(conn, person, now)
            await conn.execute(
                "INSERT INTO members (team_id, user_id, joined_at) VALUES (?, ?, ?)"
                " ON CONFLICT (team_id, user_id) DO UPDATE SET active = 1 WHERE ?",
                (team_id, person.id, utc_iso(now), int(rejoin)),
            )

    async def ensure_person(self, person: Person, now: datetime) -> Person:
        async with self._changing() as conn:
            await _upsert_person(conn, person, now)
        stored = await self.person(person.id)
        assert stored is not None
        return stored

    async def person(self, user_id: int) -> Person | None:
        row = await self._db.fetch_one(_PERSON, (user_id,))
        return _person(row) if row else None

    async def people(self, team_id: int, *, active_only: bool = True) -> list[Person]:
        sql = (
            "SELECT u.* FROM users u JOIN members m ON m.user_id = u.id"
            " WHERE m.team_id = ? AND (m.active = 1 OR ? = 0) ORDER BY u.full_name, u.id"
        )
        rows = await self._db.fetch(sql, (team_id, int(active_only)))
        return [_person(row) for row in rows]

    async def set_member_active(self, team_id: int, user_id: int, active: bool) -> None:
        async with self._changing() as conn:
            await conn.execute(
                "UPDATE members SET active = ? WHERE team_id = ? AND user_id = ?",
                (int(active), team_id, user_id),
            )

    async def set_role(self, team_id: int, user_id: int, role: str) -> None:
        async with self._changing() as conn:
            await conn.execute(
                "UPDATE members SET role = ? WHERE team_id = ? AND user_id = ?",
                (role, team_id, user_id),
            )

    async def membership(self, team_id: int, user_id: int) -> tuple[bool, str] | None:
        """(active, role) of a person in a team, or None if they never were a member."""
        row = await self._db.fetch_one(
            "SELECT active, role FROM members WHERE team_id = ? AND user_id = ?",
            (team_id, user_id),
        )
        return (bool(row["active"]), row["role"]) if row else None

    async def teams_of(self, user_id: int) -> list[Team]:
        """Active teams where the person is an active member: what a private chat may show."""
        rows = await self._db.fetch(_TEAMS_OF, (user_id,))
        return [_team(row) for row in rows]

    async def person_and_teams(self, user_id: int) -> tuple[Person | None, list[Team]]:
        """`person` and `teams_of` in one trip to the reader: every private update asks."""

        def work(conn: sqlite3.Connection) -> tuple[Person | None, list[Team]]:
            row = conn.execute(_PERSON, (user_id,)).fetchone()
            rows = conn.execute(_TEAMS_OF, (user_id,)).fetchall()
            return (_person(row) if row else None), [_team(r) for r in rows]

        return await self._db.read(work)

    async def select_team(self, user_id: int, team_id: int | None) -> None:
        async with self._changing() as conn:
            await conn.execute(
                "UPDATE users SET selected_team_id = ? WHERE id = ?", (team_id, user_id)
            )

    async def active_teams(self) -> list[Team]:
        rows = await self._db.fetch("SELECT * FROM teams WHERE active = 1")
        return [_team(row) for row in rows]

    async def set_remind(self, user_id: int, on: bool, at: str | None = None) -> None:
        async with self._changing() as conn:
            await conn.execute(
                "UPDATE users SET remind = ?, remind_time = COALESCE(?, remind_time) WHERE id = ?",
                (int(on), at, user_id),
            )

    async def silent_members(self, team_id: int, first: date, end: date) -> list[Person]:
        """Active members who logged nothing in the team in [first, end)."""
        sql = (
            "SELECT u.* FROM users u JOIN members m ON m.user_id = u.id"
            " WHERE m.team_id = ? AND m.active = 1 AND NOT EXISTS (SELECT 1 FROM entries e"
            " WHERE e.team_id = m.team_id AND e.user_id = u.id AND e.day >= ? AND e.day < ?"
            " AND e.deleted_at IS NULL) ORDER BY u.full_name, u.id"
        )
        rows = await self._db.fetch(
            sql, (team_id, first.isoformat(), end.isoformat())
        )
        return [_person(row) for row in rows]

    async def find_person(self, team_id: int, username: str) -> Person | None:
        """A team member by @username (case-insensitive)."""
        sql = (
            "SELECT u.* FROM users u JOIN members m ON m.user_id = u.id"
            " WHERE m.team_id = ? AND lower(u.username) = lower(?)"
        )
        row = await self._db.fetch_one(sql, (team_id, username.lstrip("@")))
        return _person(row) if row else None


async def _upsert_person(conn: aiosqlite.Connection, person: Person, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO users (id, username, full_name, language, created_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET username = excluded.username,"
        " full_name = excluded.full_name, language = excluded.language",
        (person.id, person.username, person.full_name, person.language, utc_iso(now)),
    )
