"""Custom metrics end to end: added by a manager, logged, targeted, shown in /kpi and /top."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.harness import BotHarness

GROUP = -1006161


async def test_custom_metric_in_log_targets_kpi_and_top(harness: BotHarness):
    fake = harness.fake
    boss = fake.user(1, "Ольга", username="olga", language_code="ru")
    anya = fake.user(2, "Аня", username="anya", language_code="ru")
    group = fake.group(GROUP, "SMM")
    fake.set_admins(GROUP, [1])
    harness.clock.moment = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

    assert "менеджеры" in await harness.say(group, anya, "/metric add stories counter Сторис")
    reply = await harness.say(group, boss, "/metric add stories counter Сторис")
    assert "Сторис" in reply and "/log stories" in reply
    assert "уже есть" in await harness.say(group, boss, "/metric add stories counter Сторис")
    assert "не подходит" in await harness.say(group, boss, "/metric add leads counter Лиды2")

    assert "Сторис: <b>+4</b> → 4" in await harness.say(group, anya, "/log stories 4")
    assert "целым" in await harness.say(group, anya, "/log stories 1,5")
    await harness.say(group, boss, "/log stories 2")
    assert "Сторис ≥ 10" in await harness.say(group, boss, "/target stories 10 week")

    kpi = await harness.say(group, anya, "/kpi week")
    assert "Сторис: 6 / 10" in kpi and "Сторис: <b>6</b>" in kpi
    top = await harness.say(group, anya, "/top stories week")
    assert top.index("Аня — 4") < top.index("Ольга — 2")
