"""Issue 10 §3: /undo and the /history delete button remove what ONE command recorded, whole,
and the running month totals (migration 0003's triggers) follow."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date

from kpi.models import Period, PeriodKind
from tests.harness import BotHarness

GROUP = -1004004
NOV = Period(PeriodKind.MONTH, date(2026, 11, 1), date(2026, 12, 1))


def _people(harness: BotHarness):
    fake = harness.fake
    return fake.group(GROUP, "Продажи"), fake.user(41, "Лиза", language_code="ru")


def _month_totals(harness: BotHarness) -> dict[str, float]:
    with closing(sqlite3.connect(harness.db_path)) as conn:
        rows = conn.execute(
            "SELECT metric, round(total, 6) FROM month_totals WHERE team_id = ? AND total != 0",
            (GROUP,),
        )
        return dict(rows.fetchall())


async def _live(harness: BotHarness) -> list[tuple[str, float]]:
    return [(e.metric, e.value) for e, _, _ in await harness.repo.entries.export_rows(GROUP)]


async def test_undo_removes_the_sale_and_its_revenue(harness: BotHarness):
    group, liza = _people(harness)
    await harness.say(group, liza, "/lead 2")
    await harness.say(group, liza, "/sale 1 15 000")
    assert _month_totals(harness) == {"leads": 2, "sales": 1, "revenue": 15000}

    reply = await harness.say(group, liza, "/undo")
    assert "Удалено" in reply and "Продажи 1" in reply and "Выручка 15\u00a0000\u00a0₽" in reply
    assert await _live(harness) == [("leads", 2)]
    assert _month_totals(harness) == {"leads": 2}
    assert "Выручка" not in await harness.say(group, liza, "/kpi")
    # The next /undo takes the next command, not a leftover of the sale.
    assert "Лиды 2" in await harness.say(group, liza, "/undo")
    assert await _live(harness) == [] and _month_totals(harness) == {}
    assert "нечего" in await harness.say(group, liza, "/undo")


async def test_undo_removes_every_reply_time_of_one_resp(harness: BotHarness):
    group, liza = _people(harness)
    await harness.say(group, liza, "/post 1")
    await harness.say(group, liza, "/resp 15m 1ч 30м 40")
    reply = await harness.say(group, liza, "/undo")
    assert "15 мин, 1 ч 30 мин, 40 мин" in reply
    assert await _live(harness) == [("posts", 1)]


async def test_undo_after_an_edit_removes_the_edited_command_whole(harness: BotHarness):
    group, liza = _people(harness)
    fake = harness.fake
    mark = fake.mark()
    sale = fake.send_message(group, liza, "/sale 1 100")
    await fake.wait_sent(1, since=mark, chat_id=GROUP)
    mark = fake.mark()
    fake.edit_message(sale, "/sale 2 300")
    await fake.wait_sent(1, since=mark, chat_id=GROUP)
    reply = await harness.say(group, liza, "/undo")
    assert "Продажи 2" in reply and "Выручка 300" in reply
    assert await _live(harness) == [] and _month_totals(harness) == {}


async def test_history_lists_commands_and_its_button_deletes_one_whole(harness: BotHarness):
    group, liza = _people(harness)
    fake = harness.fake
    await harness.say(group, liza, "/lead 3")
    await harness.say(group, liza, "/sale 2 30 000")
    await harness.say(group, liza, "/post 1")
    mark = fake.mark()
    fake.send_message(group, liza, "/history")
    listing = (await fake.wait_sent(1, since=mark, chat_id=GROUP))[0]
    buttons = [row[0] for row in listing.message["reply_markup"]["inline_keyboard"]]
    labels = [b["text"] for b in buttons]
    assert len(labels) == 3  # one button a command, not one an entry
    assert "Продажи 2" in labels[1] and "Выручка 30\u00a0000\u00a0₽" in labels[1]

    mark = fake.mark()
    fake.press_button(listing.message, buttons[1]["callback_data"], liza)
    done = await fake.wait_sent(1, since=mark, chat_id=GROUP, method="sendMessage")
    assert "Продажи 2" in str(done[0].text) and "Выручка" in str(done[0].text)
    assert sorted(await _live(harness)) == [("leads", 3), ("posts", 1)]
    assert _month_totals(harness) == {"leads": 3, "posts": 1}
    assert await harness.repo.entries.total(GROUP, "revenue", NOV) == 0

    calls = len(fake.calls)  # the same button again: already gone, nothing else deleted
    fake.press_button(listing.message, buttons[1]["callback_data"], liza)
    (answer,) = await fake.wait_calls("answerCallbackQuery", since=calls)
    assert "уже удалена" in answer.params["text"]
    assert sorted(await _live(harness)) == [("leads", 3), ("posts", 1)]
