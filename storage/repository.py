"""The one object handlers get for storage: its parts share one Database."""

from __future__ import annotations

from pathlib import Path

from storage.capture import CaptureRepo
from storage.checkin import CheckinRepo
from storage.db import Database
from storage.digests import DigestRepo
from storage.entries import EntryRepo
from storage.inbox import InboxRepo
from storage.outbox import OutboxRepo
from storage.scoreboards import ScoreboardRepo
from storage.targets import TargetRepo
from storage.teams import TeamRepo


class Repository:
    def __init__(self, db: Database):
        self.db = db
        self.teams = TeamRepo(db)
        self.entries = EntryRepo(db)
        self.targets = TargetRepo(db)
        self.digests = DigestRepo(db)
        self.checkins = CheckinRepo(db)
        self.scoreboards = ScoreboardRepo(db)
        self.outbox = OutboxRepo(db)
        self.capture = CaptureRepo(db)
        self.inbox = InboxRepo(db)

    @classmethod
    async def open(cls, path: str | Path) -> Repository:
        return cls(await Database.open(path))

    async def close(self) -> None:
        await self.db.close()
