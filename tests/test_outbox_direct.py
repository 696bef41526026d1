"""Confirmations sent straight from the handler while a chat has room (bot/delivery/outbox.py):
each is recorded as sent, a redelivered command is confirmed only if no earlier run got that
far, and a slow reply neither holds up the update nor arrives twice."""

from __future__ import annotations

import asyncio

from bot.delivery.outbox import HOLD
from tests.harness import BotHarness

GROUP = -1006161


async def _rows(harness: BotHarness) -> list[tuple[str, int | None]]:
    rows = await harness.repo.db.fetch("SELECT state, sent_message_id FROM outbox ORDER BY id")
    return [(r["state"], r["sent_message_id"]) for r in rows]


async def test_a_confirmation_with_room_goes_at_once_and_is_recorded_as_sent(harness):
    fake = harness.fake
    anya = fake.user(31, "Аня", language_code="ru")
    for chat in (fake.group(GROUP, "Команда"), fake.private_chat(anya)):
        mark = fake.mark()
        await harness.say(chat, anya, "/lead 2")
        await fake.wait_idle(5)  # the row is written once Telegram accepted the reply
        [reply] = fake.sent[mark:]
        assert "✅" in (reply.text or "")
        assert (await _rows(harness))[-1] == ("sent", reply.message["message_id"])
    assert await harness.repo.outbox.pending() == []


async def test_a_redelivered_command_is_confirmed_only_if_nobody_confirmed_it(harness):
    fake = harness.fake
    anya = fake.user(32, "Аня", language_code="ru")
    group = fake.group(GROUP, "Команда")
    await harness.say(group, anya, "/lead 1")
    mark = fake.mark()
    update = fake.send_message(group, anya, "/lead 4")
    await fake.wait_sent(1, since=mark, chat_id=GROUP)
    await fake.wait_idle(5)
    mark = fake.mark()
    fake.redeliver(update)  # confirmed before: nothing new
    await fake.wait_idle(5)
    assert fake.sent[mark:] == []
    # As if the bot had stopped after storing the entry, before its reply went out.
    await harness.repo.db.write(lambda conn: conn.execute("DELETE FROM outbox"))
    fake.redeliver(update)
    [again] = await fake.wait_sent(1, since=mark, chat_id=GROUP, timeout=10)
    assert "+4</b> → 5" in (again.text or "")  # the same entry, not a second one
    assert await harness.entries(GROUP) == 2


async def test_a_slow_reply_does_not_hold_up_the_update_and_arrives_once(harness):
    fake = harness.fake
    anya = fake.user(33, "Аня", language_code="ru")
    group = fake.group(GROUP, "Команда")
    await harness.say(group, anya, "/lead 1")
    mark, calls = fake.mark(), len(fake.calls)
    fake.hang_next("sendMessage", HOLD + 1.0)
    update = fake.send_message(group, anya, "/lead 2")
    for _ in range(100):  # the handler stops waiting after HOLD: the row is pending meanwhile
        if await harness.repo.outbox.pending():
            break
        await asyncio.sleep(0.02)
    assert [r.message_id for r in await harness.repo.outbox.pending()] == [
        update["message"]["message_id"]
    ]
    [reply] = await fake.wait_sent(1, since=mark, chat_id=GROUP, timeout=10)
    for _ in range(100):
        if not await harness.repo.outbox.pending():
            break
        await asyncio.sleep(0.02)
    assert (await _rows(harness))[-1] == ("sent", reply.message["message_id"])
    await fake.wait_idle(5)
    sends = [c for c in fake.calls[calls:] if c.method == "sendMessage"]
    assert len(sends) == 1  # the pending row was not sent a second time


async def test_a_reply_on_its_way_holds_up_neither_the_next_command_nor_the_order(harness):
    fake = harness.fake
    anya = fake.user(34, "Аня", language_code="ru")
    group = fake.group(GROUP, "Команда")
    await harness.say(group, anya, "/lead 1")
    mark, calls = fake.mark(), len(fake.calls)
    fake.hang_next("sendMessage", HOLD * 0.9)  # slow, but not slow enough to be queued
    fake.send_message(group, anya, "/lead 2")
    fake.send_message(group, anya, "/lead 3")
    deadline = asyncio.get_running_loop().time() + HOLD / 2
    while asyncio.get_running_loop().time() < deadline:  # the next command is stored meanwhile
        if await harness.entries(GROUP) == 3:
            break
        await asyncio.sleep(0.005)
    assert await harness.entries(GROUP) == 3
    assert fake.sent[mark:] == []
    # ... but its reply waits for the one before: a person's replies arrive in order
    assert [c.method for c in fake.calls[calls:]].count("sendMessage") == 1
    replies = await fake.wait_sent(2, since=mark, chat_id=GROUP, timeout=10)
    assert ["+2</b> → 3" in (r.text or "") for r in replies] == [True, False]
    assert "+3</b> → 6" in (replies[1].text or "")
    await fake.wait_idle(5)
    assert [state for state, _ in await _rows(harness)] == ["sent"] * 3
