"""A group upgraded to a supergroup gets a new chat id: the team moves there whole.

Every table with a `team_id` column is moved, found in the schema rather than listed here, so
a table added later moves too. Runs inside the caller's transaction: all or nothing.
"""

from __future__ import annotations

import aiosqlite

# Moved with their own rules below; every other table with a team_id column moves generically.
_SPECIAL = frozenset({"teams", "members", "entries", "month_totals"})


async def _columns(conn: aiosqlite.Connection, table: str) -> list[str]:
    async with conn.execute(f'PRAGMA table_info("{table}")') as cursor:
        return [row[1] for row in await cursor.fetchall()]


async def _team_tables(conn: aiosqlite.Connection) -> list[str]:
    async with conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ) as cursor:
        names = [row[0] for row in await cursor.fetchall()]
    return [n for n in names if n not in _SPECIAL and "team_id" in await _columns(conn, n)]


async def move_team(conn: aiosqlite.Connection, old_id: int, new_id: int) -> bool:
    """The team of chat `old_id`, with everything keyed by it, under `new_id`.

    False when there is nothing to move (already moved, or never a team), so both migration
    notices, or one delivered twice, move it once. The new chat may already be a team (a
    message there was handled before the notice): the old team's settings win, the new chat's
    title stays, members merge (a manager in either stays one), entries join it.
    """
    if old_id == new_id:
        return False
    async with conn.execute("SELECT 1 FROM teams WHERE id = ?", (old_id,)) as cursor:
        if await cursor.fetchone() is None:
            return False
    team_columns = [c for c in await _columns(conn, "teams") if c != "id"]
    listed = ", ".join(team_columns)
    kept = ", ".join(f"{c} = excluded.{c}" for c in team_columns if c != "title")
    await conn.execute(
        f"INSERT INTO teams (id, {listed}) SELECT ?, {listed} FROM teams WHERE id = ?"
        f" ON CONFLICT (id) DO UPDATE SET {kept}",
        (new_id, old_id),
    )
    member_columns = [c for c in await _columns(conn, "members") if c != "team_id"]
    listed = ", ".join(member_columns)
    await conn.execute(
        f"INSERT INTO members (team_id, {listed}) SELECT ?, {listed} FROM members"
        " WHERE team_id = ? ON CONFLICT (team_id, user_id) DO UPDATE SET"
        " role = CASE WHEN excluded.role = 'manager' THEN 'manager' ELSE members.role END,"
        " active = max(members.active, excluded.active),"
        " joined_at = min(members.joined_at, excluded.joined_at)",
        (new_id, old_id),
    )
    await conn.execute("DELETE FROM members WHERE team_id = ?", (old_id,))
    # The month_totals triggers move each entry's total with it; what stays behind is zeros.
    await conn.execute("UPDATE entries SET team_id = ? WHERE team_id = ?", (new_id, old_id))
    await conn.execute("DELETE FROM month_totals WHERE team_id = ?", (old_id,))
    for table in await _team_tables(conn):
        # A row the new chat already has (the same key) wins: it is the newer one.
        await conn.execute(
            f'UPDATE OR IGNORE "{table}" SET team_id = ? WHERE team_id = ?', (new_id, old_id)
        )
        await conn.execute(f'DELETE FROM "{table}" WHERE team_id = ?', (old_id,))
    await conn.execute(
        "UPDATE users SET selected_team_id = ? WHERE selected_team_id = ?", (new_id, old_id)
    )
    await conn.execute("DELETE FROM teams WHERE id = ?", (old_id,))
    return True
