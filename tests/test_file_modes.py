"""The database, its -wal/-shm files and its backups are the owner's alone, whatever the
umask; pruning old backups deletes nothing but the bot's own backups."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kpi.models import TeamSettings
from storage.backup import backup, newest
from storage.repository import Repository

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


@pytest.fixture(params=[0o000, 0o022], ids=["umask000", "umask022"])
def umask(request) -> Iterator[int]:
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def _modes(top: Path) -> dict[str, int]:
    """Every file and folder under `top`, itself included, with its permission bits."""
    paths = [top, *top.rglob("*")]
    return {str(p.relative_to(top.parent)): stat.S_IMODE(p.stat().st_mode) for p in paths}


async def test_database_wal_shm_and_backups_are_owner_only(tmp_path, umask):
    before = stat.S_IMODE(tmp_path.stat().st_mode)
    repo = await Repository.open(tmp_path / "data" / "live" / "kpi.sqlite3")
    try:
        await repo.teams.ensure_team(-100, "SMM", TeamSettings(), NOW)  # the -wal has data
        assert _modes(tmp_path / "data") == {
            "data": 0o700, "data/live": 0o700, "data/live/kpi.sqlite3": 0o600,
            "data/live/kpi.sqlite3-wal": 0o600, "data/live/kpi.sqlite3-shm": 0o600,
        }  # fmt: skip
        copy = await backup(repo.db.path, tmp_path / "backups" / "daily", NOW)  # bot running
    finally:
        await repo.close()
    assert _modes(tmp_path / "backups") == {
        "backups": 0o700, "backups/daily": 0o700, f"backups/daily/{copy.name}": 0o600,
    }  # fmt: skip
    assert stat.S_IMODE(tmp_path.stat().st_mode) == before  # a folder it did not create


async def test_an_existing_folder_keeps_its_mode(tmp_path, umask):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o750)  # the operator's choice, e.g. for a backup agent's group
    repo = await Repository.open(shared / "kpi.sqlite3")
    await repo.close()
    copy = await backup(shared / "kpi.sqlite3", shared, NOW)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o750
    assert stat.S_IMODE((shared / "kpi.sqlite3").stat().st_mode) == 0o600
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600


async def test_pruning_deletes_only_the_bots_own_backups(tmp_path):
    db = tmp_path / "kpi.sqlite3"
    await (await Repository.open(db)).close()
    folder = tmp_path / "backups"
    folder.mkdir()
    theirs = ["notes.sqlite3", "kpi-backup-important.txt", "kpi-2025-final.sqlite3",
              "kpi-20250101-000000.sqlite3.bak", "kpi-20259999-000000.sqlite3",
              "KPI-20250101-000000.sqlite3", "kpi-20250101-000000-copy.sqlite3"]  # fmt: skip
    for name in theirs:
        (folder / name).write_text(f"the operator's own {name}")
    (folder / "kpi-20250101-000000.sqlite3").mkdir()  # a folder named like a backup
    ours = [await backup(db, folder, NOW + timedelta(hours=h), keep=2) for h in range(4)]
    assert sorted(p.name for p in folder.iterdir() if p.name not in theirs) == sorted(
        ["kpi-20250101-000000.sqlite3", ours[2].name, ours[3].name]
    )
    for name in theirs:
        assert (folder / name).read_text() == f"the operator's own {name}"
    assert newest(folder) == NOW + timedelta(hours=3)
