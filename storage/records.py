"""What storage returns besides the kpi models: teams, people, stored entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from kpi.models import Entry, TeamSettings


@dataclass(frozen=True)
class Schedule:
    """When a team hears from the bot, in its own time zone."""

    digest_weekday: int = 0  # Monday
    digest_time: str = "10:00"  # HH:MM, weekly/monthly/quarterly digests
    reminder_time: str = "18:00"  # HH:MM, workdays


@dataclass(frozen=True)
class Team:
    id: int
    title: str
    settings: TeamSettings
    active: bool = True
    schedule: Schedule = Schedule()
    created_at: datetime | None = None


@dataclass(frozen=True)
class Person:
    id: int
    full_name: str
    username: str | None = None
    language: str | None = None
    selected_team_id: int | None = None
    remind: bool = True
    remind_time: str | None = None  # personal HH:MM, else the team's

    @property
    def display(self) -> str:
        return self.full_name or (f"@{self.username}" if self.username else str(self.id))


@dataclass(frozen=True)
class Source:
    """The Telegram message an entry came from: makes redelivery and edits idempotent."""

    chat_id: int
    message_id: int
    revision: int = 0  # 0 for the original message, its edit_date for an edited one


@dataclass(frozen=True)
class SaveResult:
    entries: tuple[Entry, ...]
    duplicate: bool  # this exact message revision was stored before: nothing new written
    replaced: int = 0  # entries of an earlier revision soft-deleted by an edit


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_day(text: str) -> date:
    return date.fromisoformat(text)
