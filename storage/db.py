"""SQLite connections (WAL, foreign keys, busy timeout) and forward-only migrations."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import TypeVar

import aiosqlite

from storage.files import private_dir, private_file

T = TypeVar("T")
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str]]:
    """(version, sql) for every file in storage/migrations, in order."""
    found = []
    for item in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(item.name)
        if match:
            found.append((int(match.group(1)), item.read_text(encoding="utf-8")))
    found.sort()
    if [v for v, _ in found] != list(range(1, len(found) + 1)):
        raise RuntimeError("storage/migrations must be numbered 0001, 0002, … without gaps")
    return found


async def _connect(path: str) -> aiosqlite.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction is exactly
    # what Database.transaction() wraps.
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute("PRAGMA busy_timeout = 5000")
    await conn.execute("PRAGMA foreign_keys = ON")
    # FULL: a confirmed entry survives power loss too, not only a crash of the process.
    await conn.execute("PRAGMA synchronous = FULL")
    return conn


async def fetch(
    conn: aiosqlite.Connection, sql: str, params: Sequence[object] = ()
) -> list[aiosqlite.Row]:
    """All rows of a query in ONE trip to the connection's thread.

    `async with conn.execute() as cur: await cur.fetchall()` takes three (execute, fetch,
    close), each a thread hand-off of ~25 us; on the /lead path that was most of the bot's
    own cost (bench/bench_updates.py).
    """
    return list(await conn.execute_fetchall(sql, params))  # type: ignore[arg-type]


async def fetch_one(
    conn: aiosqlite.Connection, sql: str, params: Sequence[object] = ()
) -> aiosqlite.Row | None:
    """The first row (for queries that return at most one), in one trip."""
    rows = await fetch(conn, sql, params)
    return rows[0] if rows else None


async def run_in(conn: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """`work(connection)` in the connection's own thread: ONE hand-off for several statements.

    aiosqlite's public calls hand over one statement at a time; on the /lead path the
    hand-offs, not SQLite, were the cost. `_execute` and `_conn` are aiosqlite internals
    (pinned to 0.22.x in pyproject.toml): the thread is what makes the connection safe to
    use, and this is the only way into it.
    """
    return await conn._execute(lambda: work(conn._conn))


def _commit_group(
    works: list[Callable[[sqlite3.Connection], object]], conn: sqlite3.Connection,
    durable: bool = True,
) -> list[tuple[bool, object]]:
    """One transaction for several units of work, each in a SAVEPOINT of its own: one that
    raises is rolled back alone. (True, result) or (False, exception) for each. Not
    `durable`: committed without waiting for the disk (see Database.write)."""
    if not durable:
        conn.execute("PRAGMA synchronous = NORMAL")
        try:
            return _commit_group(works, conn)
        finally:
            conn.execute("PRAGMA synchronous = FULL")
    outcomes: list[tuple[bool, object]] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for work in works:
            conn.execute("SAVEPOINT work")
            try:
                outcomes.append((True, work(conn)))
            except Exception as exc:  # handed to that work's caller
                conn.execute("ROLLBACK TO work")
                outcomes.append((False, exc))
            conn.execute("RELEASE work")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # a failed COMMIT leaves it open; the next BEGIN would fail
            conn.execute("ROLLBACK")
        raise
    return outcomes


async def migrate(conn: aiosqlite.Connection) -> int:
    """Apply the migrations newer than PRAGMA user_version, each in its own transaction."""
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    current = int(row[0]) if row else 0
    known = migrations()
    if current > len(known):
        raise RuntimeError(
            f"database schema version {current} is newer than this kpibot ({len(known)})"
        )
    for version, sql in known[current:]:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            # executescript would COMMIT first; run the statements one by one instead.
            for statement in _split_sql(sql):
                await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {version}")
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
    return len(known)


def _split_sql(script: str) -> list[str]:
    """Statements one by one; a trigger's body (with its own `;`) stays one statement."""
    statements, pending = [], ""
    for line in script.splitlines():
        pending += line.split("--", 1)[0] + "\n"
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip().rstrip(";").strip())
            pending = ""
    if pending.strip():
        raise RuntimeError(f"incomplete SQL statement in a migration: {pending.strip()[:60]}")
    return [s for s in statements if s]


class Database:
    """One writer connection behind a lock, one reader: readers only ever see committed data."""

    def __init__(self, path: str, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = writer
        self.reader = reader
        self._write_lock = asyncio.Lock()
        self._queued: list[tuple[Callable[[sqlite3.Connection], object], asyncio.Future]] = []
        self._durable = False  # some work queued now must reach the disk
        self._committers: set[asyncio.Task[None]] = set()

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        path = str(path)
        if path != ":memory:":  # created owner-only; SQLite's -wal and -shm follow its mode
            private_dir(Path(path).parent)
            private_file(Path(path))
        writer = await _connect(path)
        try:
            await writer.execute("PRAGMA journal_mode = WAL")
            await migrate(writer)
            reader = await _connect(path)
        except BaseException:
            await writer.close()
            raise
        return cls(path, writer, reader)

    async def fetch(self, sql: str, params: Sequence[object] = ()) -> list[aiosqlite.Row]:
        """A read of committed data (the reader connection)."""
        return await fetch(self.reader, sql, params)

    async def fetch_one(self, sql: str, params: Sequence[object] = ()) -> aiosqlite.Row | None:
        return await fetch_one(self.reader, sql, params)

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Several reads of committed data in one trip to the reader's thread."""
        return await run_in(self.reader, work)

    async def write(self, work: Callable[[sqlite3.Connection], T], *, durable: bool = True) -> T:
        """`work` in a transaction in the writer's thread; committed once this returns, or
        rolled back (and its error raised here) if it raised.

        Group commit: works queued while the writer is busy are committed together, each in
        its own savepoint, in one trip to the thread and one fsync, which keeps the cost of
        a confirmed entry flat when many people log at once.

        `durable=False` is for what may be lost with the machine's power but not with a crash
        of the process (the outbox's marks): a group of only such works commits without an
        fsync (synchronous=NORMAL; WAL keeps it consistent), and the next durable commit
        makes it durable too."""
        return await self.queue(work, durable=durable)

    def queue(
        self, work: Callable[[sqlite3.Connection], T], *, durable: bool = True
    ) -> asyncio.Future[T]:
        """`write`, queued now, in order after every work queued before it; the future is
        done once it committed (or with its error)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queued.append((work, future))
        self._durable = self._durable or durable
        if len(self._queued) == 1:  # the first since the last group was taken: commit it
            task = loop.create_task(self._commit_queued())
            self._committers.add(task)
            task.add_done_callback(self._committers.discard)
        return future

    async def _commit_queued(self) -> None:
        async with self._write_lock:
            group, self._queued = self._queued, []
            durable, self._durable = self._durable, False
            if not group:
                return
            works = [work for work, _ in group]

            def commit(conn: sqlite3.Connection) -> list[tuple[bool, object]]:
                return _commit_group(works, conn, durable)

            try:
                outcomes = await run_in(self._writer, commit)
            except asyncio.CancelledError:  # shutting down: the thread still finishes it
                for _, future in group:
                    future.cancel()
                raise
            except Exception as exc:  # the COMMIT failed: nothing of the group is stored
                for _, future in group:
                    if not future.done():
                        future.set_exception(exc)
                return  # each caller raises it; the task itself ends quietly
            for (_, future), (ok, value) in zip(group, outcomes, strict=True):
                if future.done():  # the caller gave up waiting; the work is committed anyway
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)  # type: ignore[arg-type]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE … COMMIT on the writer; rolled back on any error."""
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                yield self._writer
                await self._writer.execute("COMMIT")
            except BaseException:
                if self._writer.in_transaction:  # also after a failed COMMIT
                    await self._writer.execute("ROLLBACK")
                raise

    async def close(self) -> None:
        while self._committers:  # queued writes are committed (or fail) first
            await asyncio.wait(set(self._committers))
        await self.reader.close()
        await self._writer.close()
