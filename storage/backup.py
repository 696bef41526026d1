"""Online backups: SQLite's backup API copies a consistent snapshot while the bot writes."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

PREFIX = "kpi-"
SUFFIX = ".sqlite3"
STAMP = "%Y%m%d-%H%M%S"  # UTC: names sort in time order


def _copy(source: Path, target: Path) -> None:
    partial = target.with_suffix(".partial")
    src = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
    try:
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


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups; returns what was deleted."""
    backups = sorted(directory.glob(f"{PREFIX}*{SUFFIX}"))
    doomed = backups[:-keep] if keep > 0 else []
    for path in doomed:
        path.unlink()
    return doomed


def newest(directory: Path) -> datetime | None:
    """When the newest backup in `directory` was taken (from its name), or None."""
    taken = []
    for path in directory.glob(f"{PREFIX}*{SUFFIX}"):
        stamp = path.name.removeprefix(PREFIX).removesuffix(SUFFIX)
        try:
            taken.append(datetime.strptime(stamp, STAMP).replace(tzinfo=UTC))
        except ValueError:
            continue  # someone else's file
    return max(taken, default=None)


async def backup(database: Path, directory: Path, now: datetime, keep: int = 14) -> Path:
    """Write kpi-YYYYMMDD-HHMMSS.sqlite3 (UTC) into `directory` and keep the newest `keep`."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{PREFIX}{now.astimezone(UTC):{STAMP}}{SUFFIX}"
    await asyncio.to_thread(_copy, Path(database), target)
    await asyncio.to_thread(prune, directory, keep)
    return target
