"""A custom metric named with HTML's special characters shows in every target view (issue 10:
the strict fake refused /targets, /kpi and /report once such a metric had a target)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.harness import BotHarness

GROUP = -1006262


async def test_custom_metric_name_with_html_characters_in_target_views(harness: BotHarness):
    fake = harness.fake
    boss = fake.user(1, "Ольга", username="olga", language_code="ru")
    group = fake.group(GROUP, "SMM")
    fake.set_admins(GROUP, [1])
    harness.clock.moment = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

    assert "Q&amp;A &lt;3" in await harness.say(group, boss, "/metric add qa counter Q&A <3")
    await harness.say(group, boss, "/log qa 2")
    await harness.say(group, boss, "/target qa 5 week")
    await harness.say(group, boss, "/target qa 3 week @olga")
    for command in ("/targets", "/kpi week", "/me week"):
        reply = await harness.say(group, boss, command)
        assert "Q&amp;A &lt;3: 2 / " in reply, (command, reply)
    mark = fake.mark()
    fake.send_message(group, boss, "/report week")  # charts, then the text as a caption
    await fake.wait_idle(timeout=15)
    assert any("Q&amp;A &lt;3: 2 / 5" in (s.text or "") for s in fake.sent[mark:])
    assert "Ольга — Q&amp;A &lt;3: 2 / 3" in await harness.say(group, boss, "/targets")
    refused = [c.response for c in fake.calls if c.status not in (None, 200)]
    assert refused == []
