"""Issue 12: the live scoreboard pinned in the group, driven through the fake Bot API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.fake_pins import pins_of
from tests.harness import BotHarness

GROUP = -1007878


@pytest.fixture
def team(harness: BotHarness):
    fake = harness.fake
    boss = fake.user(1, "Ольга", language_code="ru")
    anya = fake.user(2, "Аня", language_code="ru")
    boris = fake.user(3, "Борис", language_code="ru")
    fake.set_admins(GROUP, [1, fake.bot_user["id"]])
    return fake.group(GROUP, "SMM Север"), boss, anya, boris


def _edits(harness: BotHarness, since: int = 0) -> list:
    return [c for c in harness.fake.calls[since:] if c.method == "editMessageText"]


async def _tick(harness: BotHarness) -> None:
    await harness.dp["scoreboards"].tick(harness.bot)
    await harness.fake.wait_idle()


def _board(harness: BotHarness, message_id: int) -> str:
    message = harness.fake.message(GROUP, message_id)
    assert message is not None
    return str(message["text"])


async def _pin(harness: BotHarness, group: dict, boss: dict) -> int:
    fake = harness.fake
    mark = fake.mark()
    fake.send_message(group, boss, "/pin")
    board = (await fake.wait_sent(1, since=mark, chat_id=GROUP))[0]
    await fake.wait_calls("pinChatMessage")
    await fake.wait_idle()
    return int(board.message["message_id"])


async def test_pinned_board_follows_entries_at_most_once_a_minute_and_rolls_over(
    harness: BotHarness, team
):
    group, boss, anya, boris = team
    fake = harness.fake
    await harness.say(group, boss, "/target leads 100 month")
    await harness.say(group, anya, "/lead 30")
    await harness.say(group, boris, "/lead 10")
    board = await _pin(harness, group, boss)
    assert pins_of(fake).top(GROUP) == board
    text = _board(harness, board)
    assert "📌 <b>SMM Север</b> · ноябрь 2026 · осталось 11 дн." in text
    assert "Лиды: 40 / 100" in text and "🥇 Аня 30 · 🥈 Борис 10" in text
    posted = fake.message(GROUP, board)
    assert posted is not None
    link = posted["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert link == "https://t.me/kpi_test_bot?start=checkin"
    # within the minute of the post: entries mark it, nothing is edited yet
    calls = len(fake.calls)
    await harness.say(group, anya, "/lead 5")
    await fake.wait_idle()
    assert _edits(harness, calls) == []
    # a minute on: the next entry edits it at once, the ones after wait for the next minute
    harness.clock.moment += timedelta(seconds=61)
    for n in range(3):
        await harness.say(group, boris, f"/lead {n + 1}")
        await fake.wait_idle()
    assert len(_edits(harness, calls)) == 1
    assert "Лиды: 46 / 100" in _board(harness, board)
    await _tick(harness)  # still the same minute: nothing
    assert len(_edits(harness, calls)) == 1
    harness.clock.moment += timedelta(seconds=60)
    await _tick(harness)  # the entries of the last minute
    assert len(_edits(harness, calls)) == 2
    assert "Лиды: 51 / 100" in _board(harness, board)
    assert "🥇 Аня 35 · 🥈 Борис 16" in _board(harness, board)
    await _tick(harness)
    assert len(_edits(harness, calls)) == 2  # nothing new: no edit
    # a new month: the board moves on by itself and says how November ended
    harness.clock.moment = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    await _tick(harness)
    text = _board(harness, board)
    assert "декабрь 2026 · осталось 31 дн." in text
    assert "Итог за ноябрь 2026: ❌ Лиды — не выполнено" in text
    assert "Лиды: 0 / 100" in text
    assert pins_of(fake).top(GROUP) == board


async def test_a_deleted_board_is_left_alone_and_the_manager_told_once(harness: BotHarness, team):
    group, boss, anya, _ = team
    fake = harness.fake
    await harness.say(fake.private_chat(boss), boss, "/start")
    await harness.say(group, anya, "/lead 3")
    board = await _pin(harness, group, boss)
    pins_of(fake).delete_by_hand(GROUP, board)
    harness.clock.moment += timedelta(seconds=61)
    mark, calls = fake.mark(), len(fake.calls)
    await harness.say(group, anya, "/lead 1")
    await fake.wait_idle()
    await _tick(harness)
    await harness.say(group, anya, "/lead 1")
    harness.clock.moment += timedelta(seconds=61)
    await _tick(harness)
    told = [s for s in fake.sent[mark:] if "удалили или открепили" in (s.text or "")]
    assert [s.chat_id for s in told] == [1]  # privately, once
    assert _edits(harness, calls) == []


async def test_another_pin_or_an_unpin_by_hand_stops_the_edits(harness: BotHarness, team):
    group, boss, anya, _ = team
    fake = harness.fake
    await harness.say(group, anya, "/lead 3")
    board = await _pin(harness, group, boss)
    other = fake.send_message(group, anya, "Важное объявление")["message"]["message_id"]
    mark = fake.mark()
    pins_of(fake).pin_by_hand(group, boss, other)  # the service message reaches the bot
    told = await fake.wait_sent(1, since=mark, chat_id=GROUP)  # boss never opened a chat
    assert "удалили или открепили" in (told[0].text or "")
    calls = len(fake.calls)
    harness.clock.moment += timedelta(seconds=61)
    await harness.say(group, anya, "/lead 1")
    await _tick(harness)
    assert _edits(harness, calls) == []
    # pinned again, then unpinned by hand: no update at all, the next edit notices
    board = await _pin(harness, group, boss)
    pins_of(fake).unpin_by_hand(GROUP, board)
    harness.clock.moment += timedelta(seconds=61)
    mark, calls = fake.mark(), len(fake.calls)
    await harness.say(group, anya, "/lead 1")
    await fake.wait_idle()
    assert _edits(harness, calls) == []
    assert any("удалили или открепили" in (s.text or "") for s in fake.sent[mark:])


async def test_pin_off_unpins_and_only_managers_pin(harness: BotHarness, team):
    group, boss, anya, _ = team
    fake = harness.fake
    assert "только менеджеры" in await harness.say(group, anya, "/pin")
    board = await _pin(harness, group, boss)
    assert pins_of(fake).top(GROUP) == board
    assert "откреплено" in await harness.say(group, boss, "/pin off")
    assert pins_of(fake).top(GROUP) is None
    calls = len(fake.calls)
    harness.clock.moment += timedelta(seconds=61)
    await harness.say(group, anya, "/lead 1")
    await _tick(harness)
    assert _edits(harness, calls) == []
    assert "нет" in await harness.say(group, boss, "/pin off")


async def test_without_the_right_to_pin_the_bot_says_so(harness: BotHarness, team):
    group, boss, _, _ = team
    fake = harness.fake
    fake.set_admins(GROUP, [1])  # the bot is a plain member now
    mark = fake.mark()
    fake.send_message(group, boss, "/pin")
    sent = await fake.wait_sent(2, since=mark, chat_id=GROUP)
    assert "администратором" in (sent[1].text or "")
    assert (GROUP, sent[0].message["message_id"]) in fake.deleted  # no stray unpinned board
    assert await harness.repo.scoreboards.get(GROUP) is None


async def test_a_checkin_in_private_moves_the_board_too(harness: BotHarness, team):
    from tests.checkin_helpers import press

    group, boss, anya, _ = team
    fake = harness.fake
    await harness.say(group, anya, "/lead 3")
    board = await _pin(harness, group, boss)
    harness.clock.moment += timedelta(seconds=61)
    private = fake.private_chat(anya)
    mark = fake.mark()
    fake.send_message(private, anya, "/checkin")
    await fake.wait_sent(1, since=mark, chat_id=anya["id"])
    await fake.wait_idle()
    msg = next(s for s in fake.sent[mark:] if s.buttons).message["message_id"]
    for label in ("Лиды", "4", "✅"):
        await press(fake, anya["id"], msg, label, anya)
    await fake.wait_idle()
    assert "Лиды: 7" in _board(harness, board) or "🥇 Аня 7" in _board(harness, board)
