"""Online backups: SQLite's backup API copies a consistent snapshot while the bot writes."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime
from pathlib import Path

PREFIX = "kpi-"
SUFFIX = ".sqlite3"


def _copy(source: Path, target: Path) -> None:
    partial = target.with_suffix(".partial")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
        finally:
            dst.close()
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


async def backup(database: Path, directory: Path, now: datetime, keep: int = 14) -> Path:
    """Write kpi-YYYYMMDD-HHMMSS.sqlite3 into `directory` and keep the newest `keep`."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{PREFIX}{now:%Y%m%d-%H%M%S}{SUFFIX}"
    await asyncio.to_thread(_copy, database, target)
    await asyncio.to_thread(prune, directory, keep)
    return target
