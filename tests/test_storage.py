"""Storage against a real SQLite file: migrations, idempotent saves, aggregates, soft delete."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime

import aiosqlite
import pytest

from kpi.metrics import BUILTIN_METRICS
from kpi.models import Period, PeriodKind, TeamSettings
from storage import db, steps
from storage.db import migrations
from storage.records import Person, Source
from storage.repository import Repository

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
NOV = Period(PeriodKind.MONTH, date(2026, 11, 1), date(2026, 12, 1))


@pytest.fixture
async def repo(tmp_path):
    repo = await Repository.open(tmp_path / "kpi.sqlite3")
    await repo.teams.ensure_team(-100, "SMM", TeamSettings(), NOW)
    await repo.teams.ensure_member(-100, Person(1, "Аня", "anya"), NOW)
    await repo.teams.ensure_member(-100, Person(2, "Boris", "boris"), NOW)
    yield repo
    await repo.close()


async def test_schema_is_versioned_and_wal(tmp_path):
    repo = await Repository.open(tmp_path / "db.sqlite3")
    await repo.close()
    async with aiosqlite.connect(tmp_path / "db.sqlite3") as conn:
        version = (await (await conn.execute("PRAGMA user_version")).fetchone())[0]
        mode = (await (await conn.execute("PRAGMA journal_mode")).fetchone())[0]
    assert version == len(migrations()) and mode == "wal"
    # opening again applies nothing and keeps the version
    repo = await Repository.open(tmp_path / "db.sqlite3")
    await repo.close()


async def test_same_message_twice_stores_once(repo):
    source = Source(-100, 7)
    first = await repo.entries.save(-100, 1, [("leads", 3)], date(2026, 11, 20), NOW, source=source)
    again = await repo.entries.save(-100, 1, [("leads", 3)], date(2026, 11, 20), NOW, source=source)
    assert not first.duplicate and again.duplicate
    assert [e.id for e in again.entries] == [e.id for e in first.entries]
    assert await repo.entries.total(-100, "leads", NOV) == 3


async def test_edit_replaces_entries_and_late_older_edit_is_ignored(repo):
    day = date(2026, 11, 20)
    await repo.entries.save(-100, 1, [("leads", 3)], day, NOW, source=Source(-100, 8))
    edited = await repo.entries.save(-100, 1, [("leads", 5)], day, NOW, source=Source(-100, 8, 50))
    stale = await repo.entries.save(-100, 1, [("leads", 4)], day, NOW, source=Source(-100, 8, 40))
    assert edited.replaced == 1 and stale.duplicate
    assert await repo.entries.total(-100, "leads", NOV) == 5
    assert await repo.entries.count(-100, include_deleted=True) == 2


async def test_undo_and_delete_take_one_command_whole(repo):
    day = date(2026, 11, 20)
    sale = await repo.entries.save(
        -100, 1, [("sales", 1), ("revenue", 15000)], day, NOW, source=Source(-100, 9)
    )
    await repo.entries.save(-100, 2, [("leads", 4)], day, NOW, source=Source(-100, 10))
    await repo.entries.save(-100, 1, [("leads", 2)], day, NOW, source=Source(-100, 11))
    loose = await repo.entries.save(-100, 1, [("posts", 1), ("posts", 2)], day, NOW)  # no message
    # A manager's delete button on one entry with no message behind it: that entry alone.
    assert [e.value for e in await repo.entries.delete_unit(loose.entries[1].id, 2, NOW)] == [2]
    units = await repo.entries.recent_units(-100, 1)
    assert [[e.metric for e in u] for u in units] == [["posts"], ["leads"], ["sales", "revenue"]]
    await repo.entries.delete_unit(loose.entries[0].id, 1, NOW)
    # Two /undo at once take two commands, each whole; Boris's lead stays.
    first, second = await asyncio.gather(
        repo.entries.undo_last(-100, 1, NOW), repo.entries.undo_last(-100, 1, NOW)
    )
    assert sorted([[e.metric for e in first], [e.metric for e in second]]) == [
        ["leads"], ["sales", "revenue"]]  # fmt: skip
    assert await repo.entries.undo_last(-100, 1, NOW) == ()
    assert await repo.entries.delete_unit(sale.entries[1].id, 1, NOW) == ()  # already gone
    data = await repo.entries.period_data(-100, NOV, BUILTIN_METRICS)
    assert data.sums == {"leads": {2: 4}}


async def test_period_data_and_soft_delete(repo):
    save = repo.entries.save
    await save(-100, 1, [("leads", 2)], date(2026, 11, 3), NOW)
    await save(-100, 2, [("leads", 5)], date(2026, 11, 4), NOW)
    gone = await save(-100, 2, [("leads", 100)], date(2026, 11, 4), NOW)
    await save(-100, 1, [("leads", 9)], date(2026, 10, 31), NOW)  # previous month
    await save(-100, 1, [("response_time", 30), ("response_time", 90)], date(2026, 11, 5), NOW)
    await save(-100, 1, [("followers", 1000)], date(2026, 10, 20), NOW)
    await save(-100, 2, [("followers", 1100)], date(2026, 11, 10), NOW)
    await save(-100, 1, [("followers", 1150)], date(2026, 11, 10), NOW)  # same day, later wins
    assert await repo.entries.delete(gone.entries[0].id, 2, NOW)
    assert not await repo.entries.delete(gone.entries[0].id, 2, NOW)

    data = await repo.entries.period_data(-100, NOV, BUILTIN_METRICS)
    assert data.sums["leads"] == {1: 2, 2: 5}
    assert data.durations["response_time"] == {1: [30, 90]}
    assert data.gauge_last == {"followers": 1150}
    assert data.gauge_before == {"followers": 1000}
    assert [e.value for e in await repo.entries.recent(-100, 2)] == [1100, 5]


async def test_private_chat_sees_only_own_active_teams(repo):
    await repo.teams.ensure_team(-200, "Other", TeamSettings(), NOW)
    await repo.teams.ensure_member(-200, Person(3, "Stranger"), NOW)
    assert [t.id for t in await repo.teams.teams_of(1)] == [-100]
    assert [t.id for t in await repo.teams.teams_of(3)] == [-200]
    person, teams = await repo.teams.person_and_teams(3)  # what a private update reads
    assert person == await repo.teams.person(3) and teams == await repo.teams.teams_of(3)
    assert await repo.teams.person_and_teams(99) == (None, [])
    await repo.teams.set_member_active(-100, 1, False)
    assert await repo.teams.teams_of(1) == []
    assert (await repo.teams.person_and_teams(1))[1] == []
    assert (await repo.teams.find_person(-100, "@BORIS")).id == 2


async def test_writes_queued_together_commit_together_and_fail_alone(repo):
    """Group commit (Database.write): a failing unit rolls back alone; the others are stored."""
    commits: list[str] = []

    def traced(conn):  # count the transactions the writer thread runs
        conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)

    await repo.db.write(traced)
    commits.clear()

    def insert(message_id: int):
        def work(conn):
            conn.execute(
                "INSERT INTO entries (team_id, user_id, metric, value, day, created_at,"
                " source_chat_id, source_message_id) VALUES (-100, 1, 'leads', 1, '2026-11-20',"
                " '2026-11-20', -100, ?)",
                (message_id,),
            )
            if message_id == 3:
                raise ValueError("this one is refused")
            return message_id

        return work

    results = await asyncio.gather(
        *(repo.db.write(insert(i)) for i in range(1, 6)), return_exceptions=True
    )
    assert results[:2] == [1, 2] and results[3:] == [4, 5]
    assert isinstance(results[2], ValueError)
    assert await repo.entries.count(-100) == 4  # message 3's row went with its savepoint
    assert len(commits) == 1  # five writes, one transaction


async def test_a_failed_commit_stores_nothing_and_the_writer_goes_on(repo):
    """A COMMIT that fails (here: a deferred foreign key) fails every write of its group,
    leaves no transaction open, and the next write works."""

    def orphan(conn):
        conn.execute("PRAGMA defer_foreign_keys = ON")  # checked at COMMIT
        conn.execute(
            "INSERT INTO entries (team_id, user_id, metric, value, day, created_at)"
            " VALUES (-999, 1, 'leads', 1, '2026-11-20', '2026-11-20')"
        )

    with pytest.raises(sqlite3.IntegrityError):
        await repo.db.write(orphan)
    await repo.entries.save(-100, 1, [("leads", 2.0)], date(2026, 11, 20), NOW)
    assert await repo.entries.count() == 1


async def test_only_a_group_of_lazy_writes_skips_the_fsync(repo):
    """Database.write(durable=False): a group holding only such works commits with
    synchronous=NORMAL; one durable work in the group makes it FULL; FULL is restored."""
    modes: list[int] = []

    def mode(conn):
        modes.append(conn.execute("PRAGMA synchronous").fetchone()[0])

    await repo.db.write(mode, durable=False)
    await asyncio.gather(repo.db.write(mode, durable=False), repo.db.write(mode))
    await repo.db.write(mode)
    assert modes == [1, 2, 2, 2]  # NORMAL alone; FULL with a durable one; FULL after


async def test_a_write_waiting_for_another_process_does_not_stop_the_bot(repo):
    """BEGIN waits for a lock held elsewhere (`kpibot import`, another tool) in the writer's
    thread: meanwhile the event loop goes on answering."""
    other = sqlite3.connect(repo.db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's write under way
    try:
        write = asyncio.ensure_future(
            repo.entries.save(-100, 1, [("leads", 1.0)], date(2026, 11, 20), NOW)
        )
        ticks = 0
        for _ in range(20):  # 0.2 s of a loop that must keep running
            await asyncio.sleep(0.01)
            ticks += 1
        assert ticks == 20 and not write.done()
    finally:
        other.execute("COMMIT")
        other.close()
    await write
    assert await repo.entries.count(-100) == 1


async def test_a_write_no_one_else_holds_the_lock_for_goes_to_the_thread_once(repo, monkeypatch):
    """BEGIN is made on the loop's thread when it need not wait; only COMMIT (the fsync) is
    handed to the writer's thread. With another process writing, BEGIN waits there too."""
    trips: list[str] = []
    run_in = db.run_in

    async def counted(conn, work):
        trips.append("trip")
        return await run_in(conn, work)

    monkeypatch.setattr(db, "run_in", counted)
    await repo.entries.save(-100, 1, [("leads", 1.0)], date(2026, 11, 20), NOW)
    assert len(trips) == 1
    other = sqlite3.connect(repo.db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    write = asyncio.ensure_future(
        repo.entries.save(-100, 2, [("leads", 1.0)], date(2026, 11, 20), NOW)
    )
    await asyncio.sleep(0.1)
    other.execute("COMMIT")
    other.close()
    await write
    assert len(trips) == 3 and await repo.entries.count(-100) == 2
    timeout = repo.db._writer._conn.execute("PRAGMA busy_timeout").fetchone()[0]
    assert timeout == steps.BUSY_TIMEOUT_MS  # restored after the attempt that could not wait


async def test_a_group_finishes_even_if_its_caller_is_cancelled(repo):
    """A shutdown that cancels the task waiting for a commit: the group still commits (its
    callers see the cancellation), and the next write works."""
    write = asyncio.ensure_future(
        repo.entries.save(-100, 1, [("leads", 1.0)], date(2026, 11, 20), NOW)
    )
    for _ in range(100):  # until the group is under way (internal: the committers' tasks)
        await asyncio.sleep(0)
        names = {t.get_coro().__name__: t for t in repo.db._committers}
        if "_group" in names:
            break
    names["_commit_queued"].cancel()  # the task waiting for the group, not the group's own
    with pytest.raises(asyncio.CancelledError):
        await write
    await repo.entries.save(-100, 2, [("leads", 2.0)], date(2026, 11, 20), NOW)
    assert await repo.entries.count(-100) == 2


async def test_writes_whose_committer_was_cancelled_before_it_began_are_not_waited_for(repo):
    write = asyncio.ensure_future(repo.db.write(lambda conn: 1))
    await asyncio.sleep(0)  # queued; its committer not yet started
    for task in list(repo.db._committers):
        task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(write, 5)
    assert await repo.db.write(lambda conn: 2) == 2


async def test_a_group_cancelled_while_it_waits_to_begin_leaves_the_writer_usable(repo):
    """Cancelled whole (both tasks, as asyncio.run does at exit) while BEGIN waits for another
    process's lock: that BEGIN still happens in the writer's thread; the next write ends it
    and goes on, and nothing of the cancelled group is stored."""
    other = sqlite3.connect(repo.db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        write = asyncio.ensure_future(
            repo.entries.save(-100, 1, [("leads", 1.0)], date(2026, 11, 20), NOW)
        )
        await asyncio.sleep(0.05)  # BEGIN waiting in the writer's thread
        for task in list(repo.db._committers):
            task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await write
    finally:
        other.execute("COMMIT")
        other.close()
    await repo.entries.save(-100, 2, [("leads", 2.0)], date(2026, 11, 20), NOW)
    assert await repo.entries.count(-100) == 1
