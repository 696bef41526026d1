"""Long polling (bot/polling.py): a batch runs side by side, each person's updates in order,
and Telegram hears the batch confirmed only once all of it is handled."""

from __future__ import annotations

import asyncio

from tests.harness import BotHarness

GROUP = -1004242
SLOW = 1.0  # seconds the fake holds the first reply


def _batch(harness: BotHarness, messages: list[tuple[dict, str]]) -> list[int]:
    """Queue messages without yielding, so one getUpdates returns them all; their ids."""
    group = harness.fake.group(GROUP, "Команда")
    return [harness.fake.send_message(group, u, text)["update_id"] for u, text in messages]


async def _replies(harness: BotHarness, count: int) -> list:
    return await harness.fake.wait_sent(count, chat_id=GROUP, timeout=10)


async def test_people_run_side_by_side_and_the_batch_is_confirmed_after_it(harness):
    fake = harness.fake
    people = [fake.user(100 + i, f"P{i}", language_code="ru") for i in range(3)]
    for person in people:  # team and members registered outside the measured batch
        await harness.say(fake.group(GROUP, "Команда"), person, "/lead 1")
    mark = len(fake.calls)
    fake.hang_next("sendMessage", SLOW)
    ids = _batch(harness, [(p, "/lead 2") for p in people])
    await _replies(harness, 6)

    def confirming() -> list:
        return [
            c
            for c in fake.calls[mark:]
            if c.method == "getUpdates" and int(c.params.get("offset", 0)) > ids[-1]
        ]

    for _ in range(100):
        if confirming():
            break
        await asyncio.sleep(0.02)
    sends = [c for c in fake.calls[mark:] if c.method == "sendMessage"]
    assert len(sends) == 3
    # The slow reply did not hold up the other people's: they arrived while it hung.
    assert sends[-1].at - sends[0].at < SLOW / 2
    assert confirming(), "the batch was never confirmed"
    # The batch is confirmed once its entries are stored and their confirmations queued
    # (bot/delivery/outbox.py), which a slow reply no longer holds up.
    assert confirming()[0].at < sends[0].at + SLOW - 0.05
    assert await harness.entries(GROUP) == 6  # rows: three /lead 1, three /lead 2


async def test_one_persons_updates_keep_their_order(harness):
    fake = harness.fake
    anya = fake.user(11, "Аня", language_code="ru")
    await harness.say(fake.group(GROUP, "Команда"), anya, "/post 1")
    fake.hang_next("sendMessage", SLOW / 2)  # the /lead confirmation is slow…
    _batch(harness, [(anya, "/lead 2"), (anya, "/undo")])
    await _replies(harness, 3)
    # …and /undo still came after it: it took back the lead, not the post.
    assert await harness.entries(GROUP) == 1
    assert await harness.repo.entries.total(GROUP, "posts", _month(harness)) == 1


async def test_a_persons_order_holds_across_chats(harness):
    fake = harness.fake
    anya = fake.user(13, "Аня", language_code="ru")
    group = fake.group(GROUP, "Команда")
    await harness.say(group, anya, "/post 1")
    fake.hang_next("sendMessage", SLOW / 2)  # the group's /lead confirmation is slow…
    fake.send_message(group, anya, "/lead 2")
    fake.send_message(fake.private_chat(anya), anya, "/undo")  # …and /undo comes in private
    await harness.fake.wait_sent(3, timeout=10)
    assert await harness.entries(GROUP) == 1  # the lead was taken back, the post stayed
    assert await harness.repo.entries.total(GROUP, "posts", _month(harness)) == 1


async def test_stopping_waits_for_running_updates(harness):
    fake = harness.fake
    anya = fake.user(12, "Аня", language_code="ru")
    await harness.say(fake.group(GROUP, "Команда"), anya, "/lead 1")
    fake.hang_next("sendMessage", SLOW / 2)
    _batch(harness, [(anya, "/lead 5")])
    await asyncio.sleep(0.2)  # the update is running, its reply hanging
    await harness.stop()
    assert fake.sent[-1].message["text"].count("+5") == 1  # the reply went out before the stop
    await harness.start()  # the fixture stops it again


def _month(harness: BotHarness):
    from kpi.models import PeriodKind
    from kpi.periods import period_containing

    return period_containing(PeriodKind.MONTH, harness.clock.now().date())
