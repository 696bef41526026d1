"""Online backups: SQLite's backup API copies a consistent snapshot while the bot writes."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from storage.files import private_dir, private_file

PREFIX = "kpi-"
SUFFIX = ".sqlite3"
STAMP = "%Y%m%d-%H%M%S"  # UTC: names sort in time order
# Exactly the names backup() writes: pruning never touches a file someone else put there.
NAME = re.compile(rf"^{re.escape(PREFIX)}(\d{{8}}-\d{{6}}){re.escape(SUFFIX)}$")


def _copy(source: Path, target: Path) -> None:
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)  # left by a crash: start from a fresh file
    src = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        private_file(partial)  # owner-only before a byte of data is in it
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # one step: a snapshot of one moment; WAL writers are not blocked
            dst.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
            (check,) = dst.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise sqlite3.DatabaseError(f"the copy of {source} fails quick_check: {check}")
        finally:
            dst.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    partial.replace(target)  # atomic: a half-written backup never carries the final name


def _backups(directory: Path) -> list[tuple[datetime, Path]]:
    """The bot's own backups in `directory`, oldest first."""
    found = []
    for path in directory.iterdir():
        match = NAME.match(path.name)
        if not match or not path.is_file():
            continue
        try:
            found.append((datetime.strptime(match.group(1), STAMP).replace(tzinfo=UTC), path))
        except ValueError:  # kpi-20261399-…: not a moment, so not ours
            continue
    return sorted(found)


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups; returns what was deleted."""
    backups = [path for _, path in _backups(directory)]
    doomed = backups[:-keep] if keep > 0 else []
    for path in doomed:
        path.unlink()
    return doomed


def newest(directory: Path) -> datetime | None:
    """When the newest backup in `directory` was taken (from its name), or None."""
    backups = _backups(directory)
    return backups[-1][0] if backups else None


async def backup(database: Path, directory: Path, now: datetime, keep: int = 14) -> Path:
    """Write kpi-YYYYMMDD-HHMMSS.sqlite3 (UTC) into `directory` and keep the newest `keep`."""
    private_dir(directory)
    target = directory / f"{PREFIX}{now.astimezone(UTC):{STAMP}}{SUFFIX}"
    await asyncio.to_thread(_copy, Path(database), target)
    await asyncio.to_thread(prune, directory, keep)
    return target
