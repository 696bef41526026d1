"""Issue 4: scheduled digests with an injected clock, delivery faults, /report, reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.scheduler import due_digest
from kpi.models import PeriodKind, TeamSettings
from storage.records import Schedule, Team
from tests.harness import BotHarness

GROUP = -1004242
PNG = b"\x89PNG\r\n\x1a\n"
# Monday 23 Nov 2026, 10:01 in Moscow (UTC+3)
MONDAY_10_01 = datetime(2026, 11, 23, 7, 1, tzinfo=UTC)


class Crash(Exception):
    """Stands for the process dying at that very point."""


def _team(tz: str = "Europe/Moscow", created: datetime | None = None) -> Team:
    created = created or datetime(2026, 1, 1, tzinfo=UTC)
    return Team(GROUP, "T", TeamSettings(timezone=tz), True, Schedule(), created)


@pytest.mark.parametrize(
    ("now", "tz", "kind", "expected"),
    [
        (datetime(2026, 11, 23, 6, 59, tzinfo=UTC), "Europe/Moscow", PeriodKind.WEEK, None),
        (MONDAY_10_01, "Europe/Moscow", PeriodKind.WEEK, date(2026, 11, 16)),
        # 10:00 in Vladivostok (UTC+10) is midnight UTC
        (
            datetime(2026, 11, 23, 0, 0, tzinfo=UTC),
            "Asia/Vladivostok",
            PeriodKind.WEEK,
            date(2026, 11, 16),
        ),
        (
            datetime(2026, 12, 1, 7, 0, tzinfo=UTC),
            "Europe/Moscow",
            PeriodKind.MONTH,
            date(2026, 11, 1),
        ),
        (
            datetime(2026, 10, 1, 7, 0, tzinfo=UTC),
            "Europe/Moscow",
            PeriodKind.QUARTER,
            date(2026, 7, 1),
        ),
        # after a downtime: Wednesday still owes the week that ended on Sunday, only that one
        (
            datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
            "Europe/Moscow",
            PeriodKind.WEEK,
            date(2026, 11, 16),
        ),
    ],
)
def test_due_digest_in_the_team_time_zone(now, tz, kind, expected):
    period = due_digest(kind, _team(tz), now)
    assert (period.start if period else None) == expected


def test_no_digest_for_a_period_before_the_team_existed():
    team = _team(created=datetime(2026, 11, 23, 5, 0, tzinfo=UTC))  # Monday 08:00 MSK
    assert due_digest(PeriodKind.WEEK, team, MONDAY_10_01) is None


async def _team_with_entries(harness: BotHarness) -> tuple[dict, dict]:
    fake = harness.fake
    anya = fake.user(31, "Аня", username="anya", language_code="ru")
    group = fake.group(GROUP, "Команда")
    fake.set_admins(GROUP, [31])
    harness.clock.moment = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)  # Wednesday of that week
    await harness.say(group, anya, "/lead 12")
    await harness.say(group, anya, "/target leads 30 week")
    return group, anya


def _album(harness: BotHarness, since: int = 0):
    return [s for s in harness.fake.sent[since:] if "photo" in s.message]


async def test_weekly_digest_sent_once_even_across_restart(harness: BotHarness):
    await _team_with_entries(harness)
    harness.clock.moment = MONDAY_10_01
    mark = harness.fake.mark()
    await harness.digests.tick()
    sent = harness.fake.sent[mark:]
    photos = [s for s in sent if "photo" in s.message]
    assert len(photos) == 3 and all(s.chat_id == GROUP for s in photos)
    group_call = next(c for c in harness.fake.calls if c.method == "sendMediaGroup")
    assert all(data.startswith(PNG) for data in group_call.files.values())
    text = next(s.message["text"] for s in sent if "text" in s.message)
    assert "Итоги: неделя 16 нояб. – 22 нояб." in text or "Итоги: неделя 16" in text
    assert "Лиды: <b>12</b>" in text and "12 / 30" in text
    mark = harness.fake.mark()
    await harness.digests.tick()
    await harness.restart()
    await harness.digests.tick()
    assert harness.fake.sent[mark:] == []


async def test_crash_between_sent_and_recorded_sends_no_duplicate(harness: BotHarness):
    await _team_with_entries(harness)
    harness.clock.moment = MONDAY_10_01
    real_finish = harness.repo.digests.finish

    async def crash(*args, **kwargs):
        raise Crash("killed after Telegram accepted, before the commit")

    harness.repo.digests.finish = crash  # type: ignore[method-assign]
    with pytest.raises(Crash):
        await harness.digests.tick()
    harness.repo.digests.finish = real_finish  # type: ignore[method-assign]
    assert len([c for c in harness.fake.calls if c.method == "sendMediaGroup"]) == 1
    await harness.restart()
    await harness.digests.tick()
    assert len([c for c in harness.fake.calls if c.method == "sendMediaGroup"]) == 1


async def test_429_is_waited_out_and_403_stops_delivery(harness: BotHarness):
    await _team_with_entries(harness)
    harness.clock.moment = MONDAY_10_01
    harness.fake.fail_next("sendMediaGroup", status=429, retry_after=1)
    await harness.digests.tick()
    media = [c for c in harness.fake.calls if c.method == "sendMediaGroup"]
    assert [c.status for c in media] == [429, 200]
    state = await harness.repo.digests.state(GROUP, due_digest(
        PeriodKind.WEEK, await harness.repo.teams.get(GROUP), MONDAY_10_01))  # fmt: skip
    assert state is not None and state.state == "sent"

    harness.clock.moment = datetime(2026, 12, 1, 7, 1, tzinfo=UTC)  # the monthly digest is due
    harness.fake.fail_next(
        "sendMediaGroup", status=403, description="Forbidden: bot was kicked from the group chat"
    )
    await harness.digests.tick()
    team = await harness.repo.teams.get(GROUP)
    assert team is not None and not team.active
    calls = len(harness.fake.calls)
    await harness.digests.tick()
    assert len(harness.fake.calls) == calls  # nothing more is tried for that chat


async def test_report_on_demand_through_the_dispatcher(harness: BotHarness):
    group, anya = await _team_with_entries(harness)
    mark = harness.fake.mark()
    harness.fake.send_message(group, anya, "/report week")
    sent = await harness.fake.wait_sent(4, since=mark, chat_id=GROUP, timeout=15)
    assert len(_album(harness, mark)) == 3
    text = next(s.message["text"] for s in sent if "text" in s.message)
    assert "Лиды: <b>12</b>" in text and "😶" not in text


async def test_reminder_only_to_silent_people_and_respecting_off(harness: BotHarness):
    fake = harness.fake
    group = fake.group(GROUP, "Команда")
    busy = fake.user(41, "Busy", language_code="en")
    quiet = fake.user(42, "Тихоня", language_code="ru")
    muted = fake.user(43, "Muted", language_code="ru")
    harness.clock.moment = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)  # Friday 11:00 MSK
    for person in (busy, quiet, muted):
        await harness.say(fake.private_chat(person), person, "/start")
        await harness.say(group, person, "/help")
    await harness.say(group, busy, "/lead 1")
    await harness.say(fake.private_chat(muted), muted, "/remind off")
    mark = fake.mark()
    await harness.digests.tick()  # 11:00: too early
    harness.clock.moment = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # 18:00 MSK
    await harness.digests.tick()
    await harness.digests.tick()  # once a day
    reminders = [s for s in fake.sent[mark:] if "🔔" in (s.text or "")]
    assert [s.chat_id for s in reminders] == [42]


@pytest.mark.parametrize(
    "description", ["Bad Request: chat not found", "Bad Request: can't parse entities: x"]
)
async def test_digest_refused_with_a_4xx_fails_for_good_logged_once(
    harness: BotHarness, caplog, description: str
):
    await _team_with_entries(harness)
    harness.clock.moment = MONDAY_10_01
    harness.fake.fail_next("sendMediaGroup", status=400, description=description)
    for _ in range(3):  # the minute job keeps ticking
        await harness.digests.tick()
    week = due_digest(PeriodKind.WEEK, await harness.repo.teams.get(GROUP), MONDAY_10_01)
    state = await harness.repo.digests.state(GROUP, week)  # type: ignore[arg-type]
    assert state is not None and (state.state, state.retry) == ("failed", False)
    row = await harness.repo.db.fetch_one("SELECT error FROM digests WHERE team_id = ?", (GROUP,))
    assert row is not None and description in row["error"]
    assert len([c for c in harness.fake.calls if c.method == "sendMediaGroup"]) == 1
    refused = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refused) == 1 and description in refused[0].getMessage()


async def test_digest_never_left_sending(harness: BotHarness, monkeypatch):
    """Whatever goes wrong while sending (here a bug), the claimed digest is finished."""
    await _team_with_entries(harness)
    harness.clock.moment = MONDAY_10_01

    async def broken(*args, **kwargs):
        raise Crash("a bug after the claim")

    monkeypatch.setattr("bot.scheduler.send_album_and_text", broken)
    with pytest.raises(Crash):
        await harness.digests.tick()
    week = due_digest(PeriodKind.WEEK, await harness.repo.teams.get(GROUP), MONDAY_10_01)
    state = await harness.repo.digests.state(GROUP, week)  # type: ignore[arg-type]
    assert state is not None and state.state == "uncertain"  # part of it may be in the chat


async def test_a_digest_is_booked_once_in_the_shared_limiter(harness: BotHarness):
    """Digests go through the same session middleware as every reply: an album of 3 charts
    and the text are 4 of the group's 20 messages a minute, not 8."""
    await _team_with_entries(harness)
    await harness.fake.wait_idle()
    before = harness.limiter.room(GROUP)
    harness.clock.moment = MONDAY_10_01
    await harness.digests.tick()
    assert len(_album(harness)) == 3
    assert harness.limiter.room(GROUP) == before - 4
