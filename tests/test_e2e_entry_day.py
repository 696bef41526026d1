"""Issue 10 §3: an entry belongs to the day written in it, else to the day its message was
sent (`message.date` in the team's time zone), never the day it was handled or edited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.harness import BotHarness

GROUP = -1003003
TYPED = datetime(2026, 11, 20, 20, 50, tzinfo=UTC)  # Friday 23:50 in Moscow


@pytest.fixture
def people(harness: BotHarness):
    fake = harness.fake
    return fake.group(GROUP, "Вечерняя смена"), fake.user(31, "Вера", language_code="ru")


async def _days(harness: BotHarness) -> list[tuple[str, float, date]]:
    rows = await harness.repo.entries.export_rows(GROUP)
    return [(e.metric, e.value, e.day) for e, _, _ in rows]


async def test_command_typed_before_midnight_counts_for_that_day(harness: BotHarness, people):
    group, vera = people
    fake = harness.fake
    harness.clock.moment = TYPED
    await harness.stop()  # the bot is down (a restart, a deploy) while Вера logs her evening
    fake.send_message(group, vera, "/lead 2")
    fake.send_message(group, vera, "/post 1 вчера")
    harness.clock.moment = TYPED + timedelta(minutes=40)  # 00:30 on Saturday: back, a backlog
    mark = fake.mark()
    await harness.start()
    replies = await fake.wait_sent(2, since=mark, chat_id=GROUP)
    assert await _days(harness) == [
        ("posts", 1, date(2026, 11, 19)),  # `вчера` of the day it was typed
        ("leads", 2, date(2026, 11, 20)),
    ]
    # Read on Saturday, the confirmation says which day the lead went to.
    assert "20 нояб" in replies[0].message["text"]


async def test_backlog_handled_after_midnight_without_restart(harness: BotHarness, people):
    group, vera = people
    fake = harness.fake
    harness.clock.moment = TYPED + timedelta(hours=1)  # the bot's clock: 00:50 Saturday
    fake.now = TYPED.timestamp()  # the message was sent at 23:50 Friday
    reply = await harness.say(group, vera, "/lead 3")
    assert "+3</b> → 3 за ноябрь" in reply and "20 нояб" in reply
    reply = await harness.say(group, vera, "/lead 1 21.11")  # a day after it was typed
    assert "не наступила" in reply  # refused: the future, seen from the day it was typed
    assert await _days(harness) == [("leads", 3, date(2026, 11, 20))]


async def test_month_end_message_stays_in_its_month(harness: BotHarness, people):
    group, vera = people
    fake = harness.fake
    harness.clock.moment = datetime(2026, 12, 1, 0, 5, tzinfo=UTC)  # 03:05 on 1 December
    fake.now = datetime(2026, 11, 30, 20, 55, tzinfo=UTC).timestamp()  # 23:55 on 30 November
    reply = await harness.say(group, vera, "/lead 4")
    assert "+4</b> → 4 за ноябрь" in reply  # November's running total, not December's
    assert await _days(harness) == [("leads", 4, date(2026, 11, 30))]


async def test_an_edit_keeps_the_day_the_message_was_sent(harness: BotHarness, people):
    group, vera = people
    fake = harness.fake
    harness.clock.moment = TYPED
    mark = fake.mark()
    plain = fake.send_message(group, vera, "/lead 3")
    relative = fake.send_message(group, vera, "/post 1 вчера")
    dated = fake.send_message(group, vera, "/lead 1 18.11")
    await fake.wait_sent(3, since=mark, chat_id=GROUP)

    harness.clock.moment = TYPED + timedelta(days=2, hours=12)  # Monday: she fixes typos
    mark = fake.mark()
    fake.edit_message(plain, "/lead 5")  # no date: the day it was first sent
    fake.edit_message(relative, "/post 2 вчера")  # relative to the day it was first sent
    fake.edit_message(dated, "/lead 6 17.11")  # the day written in it
    edited = await fake.wait_sent(3, since=mark, chat_id=GROUP)
    assert all("исправлена" in s.message["text"] for s in edited)
    assert sorted(await _days(harness)) == [
        ("leads", 5, date(2026, 11, 20)),
        ("leads", 6, date(2026, 11, 17)),
        ("posts", 2, date(2026, 11, 19)),
    ]
    assert await harness.entries(GROUP) == 3
