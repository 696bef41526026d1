"""Telegram misbehaving (5xx, 429, hangs): the bot keeps running, loses nothing, repeats nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from kpi.models import PeriodKind
from kpi.periods import last_finished
from tests.harness import BotHarness

GROUP = -1005656
MONDAY_10_01_MSK = datetime(2026, 11, 23, 7, 1, tzinfo=UTC)


async def test_polling_survives_5xx_429_and_hangs_without_losing_updates(harness: BotHarness):
    fake = harness.fake
    anya = fake.user(2, "Аня", language_code="ru")
    group = fake.group(GROUP, "Команда")
    await harness.say(group, anya, "/lead 1")
    fake.fail_next("getUpdates", status=502)
    fake.fail_next("getUpdates", status=500)
    fake.fail_next("getUpdates", status=429, retry_after=1)
    fake.hang_next("getUpdates", 2.5)
    for n in range(2, 6):
        fake.send_message(group, anya, f"/lead {n}")
    await fake.wait_sent(5, chat_id=GROUP, timeout=30)
    november = last_finished(PeriodKind.MONTH, MONDAY_10_01_MSK.date().replace(month=12))
    assert await harness.repo.entries.total(GROUP, "leads", november) == 15


async def test_failed_confirmation_keeps_the_entry_once(harness: BotHarness):
    fake = harness.fake
    anya = fake.user(2, "Аня", language_code="ru")
    group = fake.group(GROUP, "Команда")
    fake.fail_next("sendMessage", status=500, count=2)  # the reply and the error notice
    update = fake.send_message(group, anya, "/lead 7")
    await fake.wait_idle(10)
    assert await harness.entries(GROUP) == 1
    mark = fake.mark()
    fake.redeliver(update)  # Telegram sending it again changes nothing but the reply
    sent = await fake.wait_sent(1, since=mark, chat_id=GROUP)
    assert "+7</b> → 7" in sent[0].message["text"]
    assert await harness.entries(GROUP) == 1


async def test_digest_never_sent_twice_across_faults(harness: BotHarness):
    fake = harness.fake
    anya = fake.user(2, "Аня", language_code="ru")
    group = fake.group(GROUP, "Команда")
    harness.clock.moment = datetime(2026, 11, 18, 9, tzinfo=UTC)
    await harness.say(group, anya, "/lead 3")
    harness.clock.moment = MONDAY_10_01_MSK
    harness.bot.session.timeout = 1.5  # so a hang outlasts the client quickly
    fake.hang_next("sendMediaGroup", 4)  # past the client timeout: it may have arrived
    await harness.digests.tick()
    week = last_finished(PeriodKind.WEEK, MONDAY_10_01_MSK.date())
    state = await harness.repo.digests.state(GROUP, week)
    assert state is not None and state.state == "uncertain"
    for _ in range(3):
        await harness.digests.tick()
    albums = [c for c in fake.calls if c.method == "sendMediaGroup"]
    assert len(albums) == 1  # the hung one; nothing after
    assert not [s for s in fake.sent if "Итоги" in (s.text or "")]


async def test_digest_retried_after_a_5xx_and_sent_once(harness: BotHarness):
    fake = harness.fake
    anya = fake.user(2, "Аня", language_code="ru")
    group = fake.group(GROUP, "Команда")
    harness.clock.moment = datetime(2026, 11, 18, 9, tzinfo=UTC)
    await harness.say(group, anya, "/lead 3")
    harness.clock.moment = MONDAY_10_01_MSK
    fake.fail_next("sendMediaGroup", status=502)
    await harness.digests.tick()
    await harness.digests.tick()
    albums = [c.status for c in fake.calls if c.method == "sendMediaGroup"]
    assert albums == [502, 200]
    assert len([s for s in fake.sent if "Итоги" in (s.text or "")]) == 1
