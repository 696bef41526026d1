"""Units of work of Telegram capture: plain sqlite3 functions, each run whole in one write.

Captured numbers go into `entries` like typed ones (so /kpi, ER, SLA and digests use them
unchanged), marked by `captured` and keyed by (source chat, source message, -1, seq) where
seq names the kind of number. That key is unique, so a redelivered or reordered update
updates the same row instead of adding one. Revision -1 keeps the keys apart from typed
commands' (0 or an edit date): a command whose chat and message ids happen to match is
neither taken for a duplicate nor replaces a captured number.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from kpi.capture import missed_moves
from storage.records import utc_iso

# entries.seq of captured numbers; typed commands use 0, 1, 2… per message.
SEQ_POST, SEQ_LIKES, SEQ_COMMENT, SEQ_RESPONSE, SEQ_INBOUND = 1000, 1001, 1002, 1003, 1004
SEQ_FOLLOWERS, SEQ_JOINS, SEQ_LEAVES, SEQ_MISSED_JOINS, SEQ_MISSED_LEAVES = (
    1005, 1006, 1007, 1008, 1009,
)  # fmt: skip


@dataclass(frozen=True)
class Put:
    """One captured number, written or updated in place under its unique source key."""

    team_id: int
    user_id: int
    metric: str
    value: float
    day: date
    captured: str
    chat_id: int
    message_id: int
    seq: int

    def write(self, conn: sqlite3.Connection, now: datetime) -> None:
        # An entry a manager excluded stays excluded: the update skips deleted rows.
        conn.execute(
            "INSERT INTO entries (team_id, user_id, metric, value, day, created_at,"
            " source_chat_id, source_message_id, source_revision, seq, captured)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, -1, ?, ?)"
            " ON CONFLICT (source_chat_id, source_message_id, source_revision, seq)"
            " WHERE source_chat_id IS NOT NULL DO UPDATE SET value = excluded.value,"
            " user_id = excluded.user_id, day = excluded.day WHERE entries.deleted_at IS NULL"
            " AND (entries.value, entries.user_id, entries.day)"
            " IS NOT (excluded.value, excluded.user_id, excluded.day)",
            (self.team_id, self.user_id, self.metric, self.value, self.day.isoformat(),
             utc_iso(now), self.chat_id, self.message_id, self.seq, self.captured),
        )  # fmt: skip


def credited(conn: sqlite3.Connection, team_id: int, channel_id: int, sign: str | None) -> int:
    """The member a channel signature names (/iam first, then a member's Telegram name);
    else the channel itself, which stands for the team."""
    if sign:
        key = sign.strip().lower()
        row = conn.execute(
            "SELECT user_id FROM signatures WHERE team_id = ? AND signature = ?", (team_id, key)
        ).fetchone()
        if row is not None:
            return int(row[0])
        # SQLite's lower() knows only ASCII: names are compared here ("Борис" = "борис").
        for user_id, name in conn.execute(
            "SELECT u.id, u.full_name FROM members m JOIN users u ON u.id = m.user_id"
            " WHERE m.team_id = ? AND m.active = 1 ORDER BY u.id",
            (team_id,),
        ):
            if name.strip().lower() == key:
                return int(user_id)
    return channel_id


@dataclass(frozen=True)
class NewPost:
    team_id: int
    channel_id: int
    message_id: int
    media_group_id: str | None
    day: date
    signature: str | None
    now: datetime

    def save(self, conn: sqlite3.Connection) -> None:
        """Store the message; an album's parts (in any order) make one post, its first id."""
        user = credited(conn, self.team_id, self.channel_id, self.signature)
        post_id = self.message_id
        if self.media_group_id is not None:
            row = conn.execute(
                "SELECT post_id FROM channel_posts WHERE channel_id = ? AND media_group_id = ?"
                " ORDER BY message_id LIMIT 1",
                (self.channel_id, self.media_group_id),
            ).fetchone()
            post_id = min(row[0], self.message_id) if row else self.message_id
        early = conn.execute(
            "DELETE FROM early_reactions WHERE channel_id = ? AND message_id = ?"
            " RETURNING total, at",
            (self.channel_id, self.message_id),
        ).fetchone()
        added = conn.execute(
            "INSERT OR IGNORE INTO channel_posts (channel_id, message_id, post_id, media_group_id,"
            " day, user_id, reactions, reactions_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (self.channel_id, self.message_id, post_id, self.media_group_id,
             self.day.isoformat(), user, early[0] if early else 0, early[1] if early else 0),
        ).rowcount  # fmt: skip
        if not added:
            return  # delivered again, or an edit: nothing changes
        if self.media_group_id is not None:  # an album part arriving first: one post id
            conn.execute(
                "UPDATE channel_posts SET post_id = ? WHERE channel_id = ? AND media_group_id = ?",
                (post_id, self.channel_id, self.media_group_id),
            )
            conn.execute(
                "DELETE FROM entries WHERE source_chat_id = ? AND seq IN (?, ?)"
                " AND source_message_id IN (SELECT message_id FROM channel_posts"
                " WHERE channel_id = ? AND media_group_id = ? AND message_id != ?)",
                (self.channel_id, SEQ_POST, SEQ_LIKES, self.channel_id, self.media_group_id,
                 post_id),
            )  # fmt: skip
        Put(self.team_id, user, "posts", 1, self.day, "channel", self.channel_id, post_id,
            SEQ_POST).write(conn, self.now)  # fmt: skip
        refresh_likes(conn, self.team_id, self.channel_id, post_id, self.now)


def refresh_likes(
    conn: sqlite3.Connection, team_id: int, channel_id: int, post_id: int, now: datetime
) -> None:
    """A post's likes = the sum of the latest totals of its messages (never added up twice)."""
    row = conn.execute(
        "SELECT SUM(reactions), MIN(day), MIN(user_id) FROM channel_posts"
        " WHERE channel_id = ? AND post_id = ?",
        (channel_id, post_id),
    ).fetchone()
    if row is None or row[1] is None:
        return
    user = conn.execute(
        "SELECT user_id FROM channel_posts WHERE channel_id = ? AND message_id = ?",
        (channel_id, post_id),
    ).fetchone()
    total, day = row[0] or 0, date.fromisoformat(row[1])
    exists = conn.execute(
        "SELECT 1 FROM entries WHERE source_chat_id = ? AND source_message_id = ? AND seq = ?",
        (channel_id, post_id, SEQ_LIKES),
    ).fetchone()
    if total or exists:
        Put(team_id, user[0] if user else row[2], "likes", total, day, "channel", channel_id,
            post_id, SEQ_LIKES).write(conn, now)  # fmt: skip


def reactions(
    conn: sqlite3.Connection, team_id: int, channel_id: int, message_id: int, total: int,
    at: int, now: datetime,
) -> None:  # fmt: skip
    """A reaction count: kept only if newer than the one kept (counts arrive late, reordered)."""
    row = conn.execute(
        "UPDATE channel_posts SET reactions = ?, reactions_at = ? WHERE channel_id = ?"
        " AND message_id = ? AND reactions_at <= ? RETURNING post_id",
        (total, at, channel_id, message_id, at),
    ).fetchone()
    if row is not None:
        refresh_likes(conn, team_id, channel_id, row[0], now)
        return
    known = conn.execute(
        "SELECT 1 FROM channel_posts WHERE channel_id = ? AND message_id = ?",
        (channel_id, message_id),
    ).fetchone()
    if known is None:  # the post itself is still on its way
        conn.execute(
            "INSERT INTO early_reactions (channel_id, message_id, total, at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (channel_id, message_id) DO UPDATE SET total = excluded.total,"
            " at = excluded.at WHERE excluded.at >= early_reactions.at",
            (channel_id, message_id, total, at),
        )


def _ordinal_key(day: date) -> int:
    return day.toordinal()  # a day's stand-in for a message id in the source key


def move(
    conn: sqlite3.Connection, team_id: int, channel_id: int, user_id: int, at: int, step: int,
    link: str | None, day: date, now: datetime,
) -> bool:  # fmt: skip
    """A join (+1) or leave (-1): the day's joins and leaves recounted from the events."""
    added = conn.execute(
        "INSERT OR IGNORE INTO channel_moves (channel_id, user_id, at, move, link, day)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (channel_id, user_id, at, step, link, day.isoformat()),
    ).rowcount
    if added:
        _day_moves(conn, team_id, channel_id, day, now)
    return bool(added)


def _day_moves(
    conn: sqlite3.Connection, team_id: int, channel_id: int, day: date, now: datetime
) -> None:
    joins, leaves = conn.execute(
        "SELECT COALESCE(SUM(move = 1), 0), COALESCE(SUM(move = -1), 0) FROM channel_moves"
        " WHERE channel_id = ? AND day = ?",
        (channel_id, day.isoformat()),
    ).fetchone()
    key = _ordinal_key(day)
    for metric, value, seq in (("new_followers", joins, SEQ_JOINS),
                               ("unsubscribes", leaves, SEQ_LEAVES)):  # fmt: skip
        if value:
            Put(team_id, channel_id, metric, value, day, "subscribers", channel_id, key,
                seq).write(conn, now)  # fmt: skip


def count(
    conn: sqlite3.Connection, team_id: int, channel_id: int, day: date, members: int,
    now: datetime, final: bool,
) -> None:  # fmt: skip
    """getChatMemberCount on `day`: the team's followers gauge, and the joins and leaves the
    updates missed since the previous day's count."""
    conn.execute(
        "INSERT INTO channel_counts (channel_id, day, count, final) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (channel_id, day) DO UPDATE SET count = excluded.count,"
        " final = max(final, excluded.final)",
        (channel_id, day.isoformat(), members, int(final)),
    )
    key = _ordinal_key(day)
    before = conn.execute(
        "SELECT day, count FROM channel_counts WHERE channel_id = ? AND day < ?"
        " ORDER BY day DESC LIMIT 1",
        (channel_id, day.isoformat()),
    ).fetchone()
    if before is not None:
        joins, leaves = conn.execute(
            "SELECT COALESCE(SUM(move = 1), 0), COALESCE(SUM(move = -1), 0) FROM channel_moves"
            " WHERE channel_id = ? AND day > ? AND day <= ?",
            (channel_id, before[0], day.isoformat()),
        ).fetchone()
        extra_joins, extra_leaves = missed_moves(before[1], members, joins, leaves)
        for metric, value, seq in (("new_followers", extra_joins, SEQ_MISSED_JOINS),
                                   ("unsubscribes", extra_leaves, SEQ_MISSED_LEAVES)):  # fmt: skip
            Put(team_id, channel_id, metric, value, day, "subscribers", channel_id, key,
                seq).write(conn, now)  # fmt: skip
    total = conn.execute(
        "SELECT SUM((SELECT count FROM channel_counts k WHERE k.channel_id = c.id"
        " AND k.day <= ? ORDER BY k.day DESC LIMIT 1)), MIN(c.id) FROM channels c"
        " WHERE c.team_id = ? AND c.active = 1",
        (day.isoformat(), team_id),
    ).fetchone()
    if total[0] is not None:  # one gauge per team: its linked channels together
        Put(team_id, total[1], "followers", total[0], day, "subscribers", total[1], key,
            SEQ_FOLLOWERS).write(conn, now)  # fmt: skip
