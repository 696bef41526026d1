"""SQLite connections (WAL, foreign keys, busy timeout) and forward-only migrations."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TypeVar

import aiosqlite

from storage import steps
from storage.files import private_dir, private_file
from storage.steps import BUSY_TIMEOUT_MS

T = TypeVar("T")
_Queued = tuple[Callable[[sqlite3.Connection], object], asyncio.Future]  # a write and its caller
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


async def _connect(path: str, *, shared: bool = False) -> aiosqlite.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction is exactly
    # what Database.transaction() wraps. `shared`: the loop thread may use it too, in turns
    # with the connection's own thread (the writer's groups, see Database._commit_queued).
    conn = await aiosqlite.connect(path, isolation_level=None, check_same_thread=not shared)
    conn.row_factory = aiosqlite.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
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
    """One writer connection behind a lock, one reader: readers only ever see committed data.
    The writer is used by its own thread and by the loop's, in turns (see `_group`)."""

    def __init__(self, path: str, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = writer
        self.reader = reader
        self._write_lock = asyncio.Lock()
        self._queued: list[_Queued] = []
        self._durable = False  # some work queued now must reach the disk
        self._committers: set[asyncio.Task[None]] = set()
        # A step handed to the writer's thread was cancelled (a shutdown): the thread may
        # still run it, so the loop's thread leaves the connection alone until a step queued
        # behind it has ended.
        self._thread_unsure = False

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        path = str(path)
        if path != ":memory:":  # created owner-only; SQLite's -wal and -shm follow its mode
            private_dir(Path(path).parent)
            private_file(Path(path))
        writer = await _connect(path, shared=True)
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
        """`work` in a transaction on the writer connection; committed once this returns, or
        rolled back (and its error raised here) if it raised. `work` runs on the event loop's
        thread (see `_group`): it must be a short unit of statements, never a bulk job (those
        take `transaction()`, in the writer's thread).

        Group commit: works queued while the writer is busy are committed together, each in
        its own savepoint, between one BEGIN and one COMMIT (one fsync), which keeps the cost
        of a confirmed entry flat when many people log at once.

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
            task.add_done_callback(partial(self._orphaned, self._queued))
        return future

    def _orphaned(self, group: list[_Queued], task: asyncio.Task[None]) -> None:
        """A committer cancelled before it took its group (a shutdown): its writes will not
        be made, and whoever waits for them is told so instead of waiting forever."""
        if task.cancelled() and self._queued is group:
            self._queued = []
            for _, future in group:
                future.cancel()

    async def _commit_queued(self) -> None:
        # One turn of the loop before taking the group: the tasks ready now queue their writes
        # into it. A batch's inbox row starts a group before aiogram starts its handlers; this
        # way a /lead's entry commits with it (one fsync) instead of in the next group.
        await asyncio.sleep(0)
        await self._write_lock.acquire()
        group, self._queued = self._queued, []
        durable, self._durable = self._durable, False
        if not group:
            self._write_lock.release()
            return
        # The group runs to its COMMIT (or ROLLBACK) even if this task is cancelled (a
        # shutdown): the connection is left out of any transaction; the lock is held till then.
        inner = asyncio.get_running_loop().create_task(
            self._group([work for work, _ in group], durable)
        )
        inner.add_done_callback(lambda _: self._write_lock.release())
        self._committers.add(inner)
        inner.add_done_callback(self._committers.discard)
        try:
            outcomes = await asyncio.shield(inner)
        except asyncio.CancelledError:  # shutting down: the group still finishes
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

    async def _group(
        self, works: list[Callable[[sqlite3.Connection], object]], durable: bool
    ) -> list[tuple[bool, object]]:
        """The works on the event loop's thread, between a BEGIN and a COMMIT. Handed to the
        writer's thread, each statement waited there for the GIL behind the busy loop: ~2.5
        thread switches a /lead (bench_updates), and a slow host left the bot idle for a third
        of its time, between threads. COMMIT (the fsync) is made in the writer's thread, and
        so is BEGIN when it must wait for another process's write lock; a BEGIN that need not
        wait is made here: a round trip to the thread was ~0.7 ms of each write's latency."""
        conn = self._writer._conn
        if self._thread_unsure or not steps.begin_now(conn, durable):
            # Cancelled while this BEGIN is on its way, the thread still runs it: the next
            # steps.begin (or close) ends that transaction. Cancelled while COMMIT is, the thread
            # still commits.
            await self._in_thread(lambda c: steps.begin(c, durable))
        try:
            outcomes = steps.run_works(works, conn)
        except BaseException:
            await self._in_thread(lambda c: steps.end(c, durable, commit=False))
            raise
        await self._in_thread(lambda c: steps.end(c, durable))
        return outcomes

    async def _in_thread(self, step: Callable[[sqlite3.Connection], T]) -> T:
        """`step` in the writer's thread. Once it has ended, so has all handed there before
        it; cancelled, it may still run there (`_thread_unsure`)."""
        cancelled = False
        try:
            return await run_in(self._writer, step)
        except asyncio.CancelledError:
            cancelled = True
            raise
        finally:
            self._thread_unsure = cancelled

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE … COMMIT on the writer; rolled back on any error."""
        async with self._write_lock:
            await self._in_thread(lambda conn: steps.begin(conn, durable=True))
            try:
                yield self._writer
                await self._writer.execute("COMMIT")
            except BaseException as exc:
                if isinstance(exc, asyncio.CancelledError):  # a statement may still run there
                    self._thread_unsure = True
                if self._writer.in_transaction:  # also after a failed COMMIT
                    await self._writer.execute("ROLLBACK")
                raise

    async def close(self) -> None:
        while self._committers:  # queued writes are committed (or fail) first
            await asyncio.wait(set(self._committers))
        await self.reader.close()
        await self._writer.close()
