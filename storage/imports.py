"""`kpibot import`: checked rows -> entries, idempotently, in one transaction or not at all.

A row is identified by its `entry_id` when it has one (this team's entry of that id, or the
entry an earlier import copied from that id), else by its content. A row found already in the
team with the same values is skipped; with other values it is refused (an import never
changes or deletes what is stored). So importing a file twice, or a team's own export back
into it, changes nothing.

Access is not the file's to give: a person new to the bot is added under the file's name and
joins the team only if their rows say `member`; a person the bot already knows is never
renamed, and never made a member (of this team or again) by a file.
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from kpi.models import Entry
from storage.entry_units import ENTRY_COLUMNS, entry
from storage.records import utc_iso


@dataclass(frozen=True)
class ImportRow:
    line: int
    user_id: int
    metric: str
    value: float
    day: date
    platform: str | None = None
    note: str | None = None
    created_at: datetime | None = None
    entry_id: int | None = None  # as the file gives it
    person: str = ""
    username: str | None = None
    member: bool = False  # the file asks for this person to join the team


@dataclass(frozen=True)
class Conflict:
    line: int
    kind: str  # "changed": the row's entry is stored with other values; "member": see below
    stored: Entry | None = None  # "changed": what the team has under that entry


@dataclass
class ImportReport:
    imported: list[ImportRow] = field(default_factory=list)
    already: int = 0  # rows found in the team as they are (skipped)
    deleted: int = 0  # of those, entries deleted in the bot: they stay deleted
    conflicts: list[Conflict] = field(default_factory=list)  # any: nothing was written


def import_rows(
    conn: sqlite3.Connection, team_id: int, rows: Sequence[ImportRow], now: datetime
) -> ImportReport:
    """Check every row against the team, then write all new ones, or nothing on a conflict."""
    report = ImportReport()
    own = _own_entries(conn, team_id, [r.entry_id for r in rows if r.entry_id])
    keyed = [(row, None if row.entry_id in own else import_key(row)) for row in rows]
    copied = _by_key(conn, team_id, [key for _, key in keyed if key])
    new: list[tuple[ImportRow, str]] = []
    for row, key in keyed:
        found = own.get(row.entry_id) if key is None else copied.get(key)
        if found is None:
            assert key is not None
            new.append((row, key))
        elif _same(row, found[0]):
            report.already += 1
            report.deleted += found[1]
        else:
            report.conflicts.append(Conflict(row.line, "changed", found[0]))
    known = _known_people(conn, team_id, {r.user_id for r in rows})
    asked: set[int] = set()
    for row in rows:  # "member" for someone the bot knows: refused (first line per person)
        if row.member and row.user_id in known and not known[row.user_id]:
            if row.user_id not in asked:
                report.conflicts.append(Conflict(row.line, "member"))
            asked.add(row.user_id)
    if report.conflicts:
        report.conflicts.sort(key=lambda c: c.line)
        return report
    _add_people(conn, team_id, [row for row, _ in new if row.user_id not in known], now)
    stamp = utc_iso(now)
    conn.executemany(
        "INSERT INTO entries (team_id, user_id, metric, value, day, created_at, platform, note,"
        " import_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (team_id, r.user_id, r.metric, r.value, r.day.isoformat(),
             utc_iso(r.created_at) if r.created_at else stamp, r.platform, r.note, key)
            for r, key in new
        ],
    )  # fmt: skip
    report.imported = [row for row, _ in new]
    return report


def import_key(row: ImportRow) -> str:
    """The identity of a row that is not one of this team's own entries."""
    if row.entry_id:
        return f"entry:{row.entry_id}"
    content = [
        row.day.isoformat(), row.user_id, row.metric, repr(float(row.value)), row.platform,
        row.note, utc_iso(row.created_at) if row.created_at else None,
    ]  # fmt: skip
    digest = hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()
    return f"row:{digest[:32]}"


def _same(row: ImportRow, stored: Entry) -> bool:
    """The facts an entry states; who typed the name or when does not make it another one."""
    return (row.user_id, row.metric, row.day, row.platform, row.note) == (
        stored.user_id, stored.metric, stored.day, stored.platform, stored.note,
    ) and math.isclose(row.value, stored.value, rel_tol=1e-12, abs_tol=1e-9)  # fmt: skip


def _json(items: Iterable[object]) -> str:
    return json.dumps(sorted(set(items), key=str))  # one parameter, however many rows


def _own_entries(
    conn: sqlite3.Connection, team_id: int, ids: list[int | None]
) -> dict[int | None, tuple[Entry, bool]]:
    rows = conn.execute(
        f"SELECT {ENTRY_COLUMNS}, deleted_at FROM entries WHERE team_id = ?"
        " AND id IN (SELECT value FROM json_each(?))",
        (team_id, _json(ids)),
    )
    return {r["id"]: (entry(r), r["deleted_at"] is not None) for r in rows}


def _by_key(conn: sqlite3.Connection, team_id: int, keys: list[str]) -> dict[str, tuple]:
    rows = conn.execute(
        f"SELECT {ENTRY_COLUMNS}, deleted_at, import_key FROM entries WHERE team_id = ?"
        " AND import_key IN (SELECT value FROM json_each(?))",
        (team_id, _json(keys)),
    )
    return {r["import_key"]: (entry(r), r["deleted_at"] is not None) for r in rows}


def _known_people(conn: sqlite3.Connection, team_id: int, ids: set[int]) -> dict[int, bool]:
    """People the bot already knows among `ids`: are they active members of the team?"""
    rows = conn.execute(
        "SELECT u.id, COALESCE(m.active, 0) FROM users u LEFT JOIN members m"
        " ON m.team_id = ? AND m.user_id = u.id WHERE u.id IN (SELECT value FROM json_each(?))",
        (team_id, _json(ids)),
    )
    return {user_id: bool(active) for user_id, active in rows}


def _add_people(
    conn: sqlite3.Connection, team_id: int, rows: list[ImportRow], now: datetime
) -> None:
    """People new to the bot, under the name their last row gives; members if asked."""
    people = {r.user_id: r for r in rows}
    stamp = utc_iso(now)
    conn.executemany(
        "INSERT INTO users (id, username, full_name, created_at) VALUES (?, ?, ?, ?)",
        [(r.user_id, r.username, r.person, stamp) for r in people.values()],
    )
    joining = {r.user_id for r in rows if r.member}
    conn.executemany(
        "INSERT INTO members (team_id, user_id, joined_at) VALUES (?, ?, ?)",
        [(team_id, user_id, stamp) for user_id in sorted(joining)],
    )
