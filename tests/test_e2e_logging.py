"""Issue 2 end to end: real Bot + Dispatcher + SQLite file against the fake Bot API."""

from __future__ import annotations

import pytest

from tests.harness import BotHarness

GROUP = -1001234


@pytest.fixture
def people(harness: BotHarness):
    fake = harness.fake
    anya = fake.user(11, "Аня", username="anya", language_code="ru")
    boris = fake.user(12, "Boris", username="boris", language_code="en")
    group = fake.group(GROUP, "SMM Север")
    return group, anya, boris


async def test_log_then_kpi_shows_it(harness: BotHarness, people):
    group, anya, boris = people
    reply = await harness.say(group, anya, "/lead 3")
    assert "Лиды: <b>+3</b> → 3 за ноябрь 2026" in reply
    reply = await harness.say(group, boris, "/lead 2 вчера из рассылки")
    assert "+2</b> → 5" in reply and "19 нояб" in reply and "из рассылки" in reply
    await harness.say(group, anya, "/post 1 https://t.me/sever/15")
    await harness.say(group, anya, "/resp 15m 1ч 30м 40")
    await harness.say(group, anya, "/sale 1 15 000")
    await harness.say(group, boris, "/log followers 20 450 vk")
    reply = await harness.say(group, boris, "/kpi")
    assert "SMM Север" in reply
    assert "Лиды: <b>5</b>" in reply
    assert "Публикации: <b>1</b>" in reply
    assert "Выручка: <b>15\u00a0000\u00a0₽</b>" in reply
    assert "Медиана ответа: <b>40 мин</b>" in reply
    assert "Конверсия лид → продажа: <b>20\u00a0%</b>" in reply
    assert await harness.entries() == 9


async def test_bad_input_is_refused_and_nothing_stored(harness: BotHarness, people):
    group, anya, _ = people
    bad = [
        "/log leads abc",
        "/log foo 3",
        "/lead -3",
        "/lead 1,5",
        "/lead 100000",
        "/lead 2 25.11",
        "/resp abc",
        "/lead 1 " + "x" * 5000,
    ]
    for text in bad:
        reply = await harness.say(group, anya, text)
        assert "/" in reply, f"{text[:40]!r} got no example: {reply!r}"
        assert "✅" not in reply
    assert await harness.entries() == 0


async def test_duplicate_update_creates_one_entry(harness: BotHarness, people):
    group, anya, _ = people
    fake = harness.fake
    mark = fake.mark()
    update = fake.send_message(group, anya, "/lead 4")
    await fake.wait_sent(1, since=mark, chat_id=GROUP)
    mark = fake.mark()
    fake.redeliver(update)
    await fake.wait_idle(5)
    # No second entry, and no second confirmation either: that one was queued once.
    assert fake.sent[mark:] == []
    assert await harness.entries() == 1


async def test_edited_command_corrects_the_entry(harness: BotHarness, people):
    group, anya, _ = people
    fake = harness.fake
    mark = fake.mark()
    update = fake.send_message(group, anya, "/lead 3")
    await fake.wait_sent(1, since=mark, chat_id=GROUP)
    mark = fake.mark()
    fake.edit_message(update, "/lead 5")
    sent = await fake.wait_sent(1, since=mark, chat_id=GROUP)
    assert "+5</b> → 5" in sent[0].message["text"]
    assert await harness.entries() == 1  # the live one; the first is kept soft-deleted
    assert await harness.repo.entries.count(include_deleted=True) == 2


async def test_numbers_survive_a_restart(harness: BotHarness, people):
    group, anya, _ = people
    await harness.say(group, anya, "/lead 7")
    await harness.restart()
    reply = await harness.say(group, anya, "/kpi")
    assert "Лиды: <b>7</b>" in reply


async def test_member_of_another_team_sees_nothing_of_this_one(harness: BotHarness, people):
    group, anya, _ = people
    fake = harness.fake
    await harness.say(group, anya, "/lead 9")
    other = fake.group(-1009999, "Other team")
    stranger = fake.user(77, "Stranger", username="stranger", language_code="en")
    await harness.say(other, stranger, "/post 1")
    reply = await harness.say(fake.private_chat(stranger), stranger, "/kpi")
    assert "Other team" in reply and "SMM Север" not in reply and "9" not in reply
    nobody = fake.user(78, "Nobody", language_code="ru")
    reply = await harness.say(fake.private_chat(nobody), nobody, "/kpi")
    assert "не в команде" in reply


async def test_private_chat_with_several_teams_asks_once(harness: BotHarness, people):
    group, anya, _ = people
    fake = harness.fake
    await harness.say(group, anya, "/lead 1")
    await harness.say(fake.group(-1005555, "Второй проект"), anya, "/post 1")
    private = fake.private_chat(anya)
    mark = fake.mark()
    fake.send_message(private, anya, "/lead 2")
    asked = (await fake.wait_sent(1, since=mark, chat_id=anya["id"]))[0]
    assert "нескольких командах" in asked.message["text"]
    buttons = asked.message["reply_markup"]["inline_keyboard"]
    choice = next(b[0] for b in buttons if b[0]["text"] == "SMM Север")
    mark = fake.mark()
    fake.press_button(asked.message, choice["callback_data"], anya)
    await fake.wait_sent(1, since=mark, chat_id=anya["id"], method="sendMessage")
    reply = await harness.say(private, anya, "/lead 2")
    assert "+2</b> → 3" in reply  # went to SMM Север, where Аня already had 1
    assert await harness.entries(GROUP) == 2


async def test_english_user_in_private_chat_gets_english(harness: BotHarness, people):
    group, _, boris = people
    await harness.say(group, boris, "/post 2")
    reply = await harness.say(harness.fake.private_chat(boris), boris, "/lead 1")
    assert "Leads: <b>+1</b> → 1 for November 2026" in reply


async def test_undo_and_history_delete(harness: BotHarness, people):
    group, anya, _ = people
    fake = harness.fake
    await harness.say(group, anya, "/lead 3")
    await harness.say(group, anya, "/post 2")
    reply = await harness.say(group, anya, "/undo")
    assert "Удалено" in reply and "Публикации 2" in reply
    assert await harness.entries() == 1
    mark = fake.mark()
    fake.send_message(group, anya, "/history")
    listing = (await fake.wait_sent(1, since=mark, chat_id=GROUP))[0]
    button = listing.message["reply_markup"]["inline_keyboard"][0][0]
    mark = fake.mark()
    fake.press_button(listing.message, button["callback_data"], anya)
    await fake.wait_sent(1, since=mark, chat_id=GROUP, method="sendMessage")
    assert await harness.entries() == 0


async def test_commands_registered_for_both_languages(harness: BotHarness):
    calls = [c for c in harness.fake.calls if c.method == "setMyCommands"]
    languages = {c.params.get("language_code") for c in calls}
    assert {"ru", "en", None} <= languages
    ru = next(c for c in calls if c.params.get("language_code") == "ru")
    assert any(cmd["command"] == "lead" for cmd in ru.params["commands"])


async def test_bot_added_to_group_registers_team_and_greets(harness: BotHarness):
    fake = harness.fake
    owner = fake.user(21, "Olga", language_code="ru")
    group = fake.group(-1007777, "Новая команда")
    mark = fake.mark()
    fake.add_bot_to_group(group, owner)
    hello = await fake.wait_sent(1, since=mark, chat_id=-1007777)
    assert "Новая команда" in hello[0].message["text"]
    assert (await harness.repo.teams.get(-1007777)) is not None
