"""The statements of one write group on the writer connection: BEGIN IMMEDIATE, each work
in a savepoint of its own, COMMIT or ROLLBACK. Plain functions of a sqlite3 connection,
called on whichever thread storage/db.py hands them to."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

BUSY_TIMEOUT_MS = 5000  # how long a write waits for another process's (kpibot import)


def begin(conn: sqlite3.Connection, durable: bool) -> None:
    """BEGIN IMMEDIATE: it may wait for another process's write (busy_timeout), so it runs in
    the connection's thread unless `begin_now` found no wait. Not `durable`: the group
    commits without waiting for the disk."""
    if conn.in_transaction:  # a group cancelled while its BEGIN was on its way (a shutdown)
        conn.execute("ROLLBACK")
        conn.execute("PRAGMA synchronous = FULL")
    if not durable:
        conn.execute("PRAGMA synchronous = NORMAL")
    try:
        conn.execute("BEGIN IMMEDIATE")
    except BaseException:
        end(conn, durable, commit=False)
        raise


def begin_now(conn: sqlite3.Connection, durable: bool) -> bool:
    """`begin` on the calling thread if it need not wait: False (nothing begun) if another
    process holds the write lock, for the writer's thread to wait for it."""
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        begin(conn, durable)
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
            raise
        return False
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return True


def run_works(
    works: list[Callable[[sqlite3.Connection], object]], conn: sqlite3.Connection
) -> list[tuple[bool, object]]:
    """Each unit of work in a SAVEPOINT of its own: one that raises is rolled back alone.
    (True, result) or (False, exception) for each."""
    outcomes: list[tuple[bool, object]] = []
    for work in works:
        conn.execute("SAVEPOINT work")
        try:
            outcomes.append((True, work(conn)))
        except Exception as exc:  # handed to that work's caller
            conn.execute("ROLLBACK TO work")
            outcomes.append((False, exc))
        conn.execute("RELEASE work")
    return outcomes


def end(conn: sqlite3.Connection, durable: bool, *, commit: bool = True) -> None:
    """COMMIT (the fsync), in the connection's thread; or ROLLBACK, also after a COMMIT
    that failed (it leaves the transaction open, and the next BEGIN would fail)."""
    try:
        if commit:
            conn.execute("COMMIT")
    finally:
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        finally:
            if not durable:
                conn.execute("PRAGMA synchronous = FULL")
