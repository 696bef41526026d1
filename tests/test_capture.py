"""Issue 11, slice by slice: linking a channel, posts, reactions, subscribers, comments,
Business chats, provenance — through the real dispatcher against the fake Bot API."""

from __future__ import annotations

from datetime import UTC, datetime

from kpi.metrics import BUILTIN_METRICS
from kpi.models import Period, PeriodKind
from tests import fake_channel as tg
from tests.harness import BotHarness

GROUP, CHANNEL, TALK = -1007001, -1007002, -1007003
WEEK = Period(PeriodKind.WEEK, datetime(2026, 11, 16).date(), datetime(2026, 11, 23).date())


def at(day: int, hour: int, minute: int = 0) -> int:
    """Unix time of 2026-11-<day> hh:mm UTC (Moscow is UTC+3)."""
    return int(datetime(2026, 11, day, hour, minute, tzinfo=UTC).timestamp())


def setup(harness: BotHarness, *, discussion: bool = True, admin: bool = True):
    fake = harness.fake
    boss = fake.user(1, "Ольга", username="olga")
    anya = fake.user(2, "Аня", username="anya")
    fake.set_admins(GROUP, [1])
    group = fake.group(GROUP, "SMM Север")
    talk = fake.group(TALK, "Север: обсуждение") if discussion else None
    chan = tg.channel(fake, CHANNEL, "Север", "sever_news", subscribers=1000, discussion=talk,
                      admin=admin)  # fmt: skip
    return fake, group, chan, talk, boss, anya


async def totals(harness: BotHarness, period: Period = WEEK) -> dict[str, float]:
    data = await harness.repo.entries.period_data(GROUP, period, BUILTIN_METRICS)
    out = {k: sum(v.values()) for k, v in data.sums.items()}
    out.update({k: v for k, v in data.gauge_last.items()})
    return out


async def test_linking_checks_admin_rights_and_lists_and_unlinks(harness: BotHarness):
    fake, group, chan, _, boss, anya = setup(harness, admin=False)
    assert "менеджер" in await harness.say(group, anya, "/channel @sever_news")
    assert "не администратор" in await harness.say(group, boss, "/channel @sever_news")
    fake.set_member_status(CHANNEL, fake.bot_user["id"], "administrator")
    tg.withhold(fake, CHANNEL, "can_invite_users")
    reply = await harness.say(group, boss, "/channel @sever_news")
    assert "подключён" in reply and "can_invite_users" in reply
    assert "Группа обсуждений подключена" in reply and "1\xa0000" in reply
    assert "@sever_news" in await harness.say(group, boss, "/channel")
    assert "не канал" in await harness.say(group, boss, f"/channel {GROUP}")
    assert "отключён" in await harness.say(group, boss, "/channel off @sever_news")
    assert "не подключён" in await harness.say(group, boss, "/channel")
    assert await harness.repo.capture.channels(GROUP) == []


async def test_log_of_a_captured_metric_is_refused_once_a_channel_is_linked(harness: BotHarness):
    fake, group, _, _, boss, anya = setup(harness)
    assert "✅" in await harness.say(group, anya, "/log likes 5")
    await harness.say(group, boss, "/channel @sever_news")
    reply = await harness.say(group, anya, "/log likes 5")
    assert "считает сам" in reply and "/log likes 5 vk" in reply
    assert "✅" in await harness.say(group, anya, "/log likes 5 vk")
    assert "✅" in await harness.say(group, anya, "/log views 900")  # views stay typed
