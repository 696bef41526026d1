"""Digest and reminder bookkeeping: claim before sending, record after Telegram accepted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from kpi.models import Period
from storage.db import Database
from storage.records import utc_iso


@dataclass(frozen=True)
class DigestState:
    state: str  # sending | sent | uncertain | failed
    attempts: int
    retry: bool = True  # False: failed for good (Telegram refused it), never claimed again


class DigestRepo:
    def __init__(self, db: Database):
        self._db = db

    async def state(self, team_id: int, period: Period) -> DigestState | None:
        row = await self._db.fetch_one(
            "SELECT state, attempts, retry FROM digests WHERE team_id = ? AND kind = ?"
            " AND period_start = ?",
            (team_id, period.kind.value, period.start.isoformat()),
        )
        return DigestState(row["state"], row["attempts"], bool(row["retry"])) if row else None

    async def claim(self, team_id: int, period: Period, now: datetime) -> bool:
        """Take the right to send this digest; False if it was sent or is in flight.

        A 'failed' row (Telegram answered with an error, so nothing was delivered) may be
        claimed again unless it failed for good; 'sending' (a crash mid-send) and
        'uncertain' (a timeout) may not.
        """
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO digests (team_id, kind, period_start, state, claimed_at)"
                " VALUES (?, ?, ?, 'sending', ?) ON CONFLICT (team_id, kind, period_start)"
                " DO UPDATE SET state = 'sending', attempts = attempts + 1,"
                " claimed_at = excluded.claimed_at"
                " WHERE digests.state = 'failed' AND digests.retry",
                (team_id, period.kind.value, period.start.isoformat(), utc_iso(now)),
            )
            return cur.rowcount == 1

    async def finish(
        self,
        team_id: int,
        period: Period,
        state: str,
        now: datetime,
        *,
        message_ids: list[int] | None = None,
        error: str | None = None,
        retry: bool = True,
    ) -> None:
        """Record how a claimed digest ended; `retry=False` with 'failed': for good."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE digests SET state = ?, sent_at = ?, message_ids = ?, error = ?,"
                " retry = ? WHERE team_id = ? AND kind = ? AND period_start = ?",
                (
                    state, utc_iso(now) if state == "sent" else None,
                    json.dumps(message_ids) if message_ids else None, error, int(retry),
                    team_id, period.kind.value, period.start.isoformat(),
                ),
            )  # fmt: skip

    async def claim_reminder(self, team_id: int, user_id: int, day: date) -> bool:
        """At most one reminder per person, team and day."""
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "INSERT OR IGNORE INTO reminders (team_id, user_id, day) VALUES (?, ?, ?)",
                (team_id, user_id, day.isoformat()),
            )
            return cur.rowcount == 1
