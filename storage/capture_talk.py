"""Discussion threads and customer chats: who wrote when, turned into comments, reply times
and new conversations (the pairing itself is kpi/capture.py). Never the text."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, datetime

from kpi.capture import Said, answer_comments, answer_customers, new_conversations
from storage.capture_units import SEQ_COMMENT, SEQ_INBOUND, SEQ_RESPONSE, Put


def talk(
    conn: sqlite3.Connection, said: Said, chat_id: int, thread_id: int, kind: str, team_id: int,
    owner: int, now: datetime, tz_day: Callable[[int], date],
) -> None:  # fmt: skip
    """One discussion comment/reply or customer chat message; the thread's (or chat's)
    comments, reply times and new conversations recomputed from what is stored. `owner` is
    who a comment or a new conversation is credited to when nothing better is known (the
    channel for the team; the member whose Business account it is)."""
    added = conn.execute(
        "INSERT OR IGNORE INTO talk (chat_id, message_id, thread_id, kind, team_id, at, role,"
        " user_id, reply_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (chat_id, said.message_id, thread_id, kind, team_id, said.at, said.role, said.user_id,
         said.reply_to),
    ).rowcount  # fmt: skip
    if not added:
        return
    thread = [
        Said(r[0], r[1], r[2], r[3], r[4])
        for r in conn.execute(
            "SELECT message_id, at, role, user_id, reply_to FROM talk WHERE chat_id = ?"
            " AND thread_id = ?",
            (chat_id, thread_id),
        )
    ]
    if kind == "discussion":
        post = conn.execute(
            "SELECT p.day, p.user_id FROM threads t JOIN channel_posts p"
            " ON p.channel_id = t.channel_id AND p.message_id = t.post_id"
            " WHERE t.chat_id = ? AND t.thread_id = ?",
            (chat_id, thread_id),
        ).fetchone()
        if said.role == "in":  # a comment counts on its post's day, for the post's author
            day, author = (date.fromisoformat(post[0]), post[1]) if post else (
                tz_day(said.at), owner)  # fmt: skip
            Put(team_id, author, "comments", 1, day, kind, chat_id, said.message_id,
                SEQ_COMMENT).write(conn, now)  # fmt: skip
        answers = answer_comments(thread)
    else:
        answers = answer_customers(thread)
        for opened in new_conversations(thread):
            Put(team_id, owner, "inbound_chats", 1,
                tz_day(opened.at), kind, chat_id, opened.message_id, SEQ_INBOUND).write(conn, now)
    for answer in answers:
        Put(team_id, answer.answered.user_id, "response_time", round(answer.minutes, 2),
            tz_day(answer.asked.at), kind, chat_id, answer.asked.message_id,
            SEQ_RESPONSE).write(conn, now)  # fmt: skip
