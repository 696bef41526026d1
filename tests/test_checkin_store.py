"""Check-ins kept in memory as last written: a press reads no row, and SQLite stays the judge."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from kpi.models import TeamSettings
from storage.records import Person
from storage.repository import Repository

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAY = date(2026, 11, 20)


@pytest.fixture
async def repo(tmp_path):
    repo = await Repository.open(tmp_path / "kpi.sqlite3")
    team = await repo.teams.ensure_team(-100, "SMM", TeamSettings(), NOW)
    await repo.teams.ensure_member(-100, Person(1, "Аня", "anya"), NOW)
    repo.test_team_id = team.id  # type: ignore[attr-defined]
    yield repo
    await repo.close()


def _count_reads(repo: Repository, monkeypatch) -> list[str]:
    reads: list[str] = []
    fetch_one = repo.db.fetch_one

    async def spy(sql, params=()):
        reads.append(sql)
        return await fetch_one(sql, params)

    monkeypatch.setattr(repo.db, "fetch_one", spy)
    return reads


async def test_a_checkin_is_found_as_last_written_without_a_read(repo, monkeypatch):
    checkins = repo.checkins
    ci = await checkins.open(1, repo.test_team_id, 1, DAY, NOW)
    await checkins.set_message(ci.id, 77)
    reads = _count_reads(repo, monkeypatch)
    moved = await checkins.advance(ci.id, ci.version, NOW, metric="leads", durable=False)
    assert moved is not None
    assert await checkins.get(ci.id) == moved
    assert moved.message_id == 77 and moved.metric == "leads"
    assert reads == []
    # a stale version is refused by SQLite, and the check-in is read again afterwards
    assert await checkins.advance(ci.id, ci.version, NOW, metric="posts") is None
    assert await checkins.get(ci.id) == moved
    assert len(reads) == 1


async def test_a_newer_checkin_closes_the_remembered_one(repo):
    checkins = repo.checkins
    old = await checkins.open(1, repo.test_team_id, 1, DAY, NOW)
    assert await checkins.get(old.id) == old
    new = await checkins.open(1, repo.test_team_id, 1, DAY, NOW)
    now_old = await checkins.get(old.id)
    assert now_old is not None and now_old.closed and now_old.version == old.version + 1
    assert (await checkins.get(new.id)) == new


async def test_a_cancelled_move_is_read_again_not_trusted(repo, monkeypatch):
    """A write whose caller gave up may have committed: the check-in is read from SQLite."""
    checkins = repo.checkins
    ci = await checkins.open(1, repo.test_team_id, 1, DAY, NOW)
    moving = asyncio.ensure_future(checkins.advance(ci.id, ci.version, NOW, metric="leads"))
    await asyncio.sleep(0)  # queued in the writer's group
    moving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await moving
    await asyncio.sleep(0.2)  # the group commits anyway
    reads = _count_reads(repo, monkeypatch)
    stored = await checkins.get(ci.id)
    assert stored is not None and stored.metric == "leads" and stored.version == ci.version + 1
    assert len(reads) == 1


async def test_a_row_read_while_a_move_runs_is_not_remembered(repo, monkeypatch):
    checkins = repo.checkins
    ci = await checkins.open(1, repo.test_team_id, 1, DAY, NOW)
    checkins._known.clear()  # as after a restart
    fetch_one = repo.db.fetch_one
    moved: list[object] = []

    async def slow_read(sql, params=()):
        row = await fetch_one(sql, params)  # the row before the move
        moved.append(await checkins.advance(ci.id, ci.version, NOW, metric="leads"))
        return row

    monkeypatch.setattr(repo.db, "fetch_one", slow_read)
    before = await checkins.get(ci.id)
    assert before is not None and before.metric is None and moved[0] is not None
    monkeypatch.setattr(repo.db, "fetch_one", fetch_one)
    assert await checkins.get(ci.id) == moved[0]  # the move's row, not the older read
