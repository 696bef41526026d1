"""Issue 12 (d): status words fit the period — a finished one is met or missed."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.harness import BotHarness

GROUP = -1004343


async def test_a_finished_week_reads_met_or_missed_not_behind(harness: BotHarness):
    fake = harness.fake
    anya = fake.user(31, "Аня", username="anya", language_code="ru")
    group = fake.group(GROUP, "Команда")
    fake.set_admins(GROUP, [31])
    harness.clock.moment = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)  # Wednesday
    await harness.say(group, anya, "/lead 27")  # 27 of 30: within 15 %, once "отстаём"
    await harness.say(group, anya, "/post 3")
    await harness.say(group, anya, "/target leads 30 week")
    await harness.say(group, anya, "/target posts 3 week")
    running = await harness.say(group, anya, "/kpi week")
    assert "отстаём" in running or "в графике" in running or "рано судить" in running
    harness.clock.moment = datetime(2026, 11, 23, 7, 1, tzinfo=UTC)  # Monday 10:01 MSK
    mark = fake.mark()
    await harness.digests.tick()
    text = next(s.message["text"] for s in fake.sent[mark:] if "text" in s.message)
    assert "не выполнено" in text and "✅ Публикации" in text
    for running_word in ("отстаём", "в графике", "не успеваем"):
        assert running_word not in text
