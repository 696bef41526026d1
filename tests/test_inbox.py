"""The inbox (bot/inbox.py): a getUpdates batch is stored before Telegram is told it arrived,
deleted once handled, and handled again at the next start if the process died first."""

from __future__ import annotations

import asyncio
import json
import threading
from types import SimpleNamespace

from aiogram.types import Update

from storage import steps
from storage.inbox import Batch
from storage.repository import Repository
from tests.harness import BotHarness

GROUP = -1007171


async def _stored(harness: BotHarness) -> list[Batch]:
    return await harness.repo.inbox.batches()


async def _empty(harness: BotHarness) -> bool:
    return not await _stored(harness)


async def _store(harness: BotHarness, batch: Batch) -> None:
    """As a process that died would have left it (the harness is stopped)."""
    repo = await Repository.open(harness.db_path)
    try:
        await repo.inbox.add(batch)
    finally:
        await repo.close()


def _hold(monkeypatch, repo: object, name: str) -> asyncio.Event:
    """`repo.name(...)` waits until the returned event is set, then runs as before."""
    release = asyncio.Event()
    original = getattr(repo, name)

    async def held(*args):
        await release.wait()
        return await original(*args)

    monkeypatch.setattr(repo, name, held)
    return release


async def _until(check, what: str) -> None:
    for _ in range(250):
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(what)


async def test_a_batch_is_stored_before_telegram_is_told_it_arrived(harness, monkeypatch):
    """The next getUpdates (which confirms a batch) waits for the batch's write; the handlers
    do not, but no write of theirs commits before it (the disk is slow to take it)."""
    fake = harness.fake
    anya = fake.user(41, "Аня", language_code="ru")
    group = fake.group(GROUP, "Команда")
    await harness.say(group, anya, "/lead 1")
    await _until(lambda: _empty(harness), "/lead 1's batch stayed in the inbox")
    slow, release, end = threading.Event(), threading.Event(), steps.end

    def slow_end(conn, durable, *, commit=True) -> None:  # the writer's thread
        if commit and slow.is_set():
            slow.clear()  # this commit only: the batch's (nothing else is being written)
            release.wait(10)
        end(conn, durable, commit=commit)

    monkeypatch.setattr(steps, "end", slow_end)
    calls, mark = len(fake.calls), fake.mark()
    slow.set()
    update = fake.send_message(group, anya, "/lead 2")

    def confirming() -> list:
        return [c for c in fake.calls[calls:] if c.method == "getUpdates"
                and int(c.params.get("offset", 0)) > update["update_id"]]  # fmt: skip

    try:
        await asyncio.sleep(0.5)
        assert not slow.is_set()  # the batch's commit is under way…
        assert confirming() == []  # …Telegram still has it…
        assert await harness.entries(GROUP) == 1  # …and its entry waits behind it
        assert len(await _stored(harness)) == 0
    finally:
        release.set()
    await fake.wait_sent(1, since=mark, chat_id=GROUP)
    await _until(confirming, "the batch was never confirmed")
    assert await harness.entries(GROUP) == 2
    await _until(lambda: _empty(harness), "the handled batch stayed in the inbox")


async def test_a_batch_whose_write_failed_is_asked_for_again(harness, monkeypatch, caplog):
    """The next getUpdates does not confirm a batch that could not be stored: Telegram sends
    it again, and it is handled once."""
    fake = harness.fake
    anya = fake.user(44, "Аня", language_code="ru")
    group = fake.group(GROUP, "Команда")
    await harness.say(group, anya, "/lead 1")
    queue = harness.repo.inbox.queue

    def failing(batch: Batch) -> asyncio.Future[None]:
        monkeypatch.setattr(harness.repo.inbox, "queue", queue)  # the next one is stored
        failed = asyncio.get_running_loop().create_future()
        failed.set_exception(OSError("disk I/O error"))
        return failed

    monkeypatch.setattr(harness.repo.inbox, "queue", failing)
    mark, calls = fake.mark(), len(fake.calls)
    update = fake.send_message(group, anya, "/lead 2")
    await fake.wait_sent(1, since=mark, chat_id=GROUP)
    await _until(  # the poll that brought it was asked before it was sent
        lambda: any(c.params.get("offset") == update["update_id"] for c in fake.calls[calls:]
                    if c.method == "getUpdates"),
        "the batch was not asked for again",
    )  # fmt: skip
    await fake.wait_idle()
    assert await harness.entries(GROUP) == 2  # handled twice, stored once
    assert len([s for s in fake.sent[mark:] if s.chat_id == GROUP]) == 1  # confirmed once
    assert "not stored" in caplog.text


async def test_a_batch_leaves_the_inbox_only_once_its_sent_rows_are_written(harness, monkeypatch):
    # A sent row is written behind its handler (bot/delivery/sent_rows.py); were the batch
    # deleted first, a crash in between would have the command confirmed twice at the restart.
    fake = harness.fake
    anya = fake.user(42, "Аня", language_code="ru")
    group = fake.group(GROUP, "Команда")
    await harness.say(group, anya, "/lead 1")
    await _until(lambda: _empty(harness), "/lead 1's batch stayed in the inbox")
    release = _hold(monkeypatch, harness.repo.outbox, "record")  # the table is slow to take it
    mark = fake.mark()
    fake.send_message(group, anya, "/lead 2")
    try:
        await fake.wait_sent(1, since=mark, chat_id=GROUP)
        await asyncio.sleep(0.3)
        assert len(await _stored(harness)) == 1  # replied and handled, but kept
    finally:
        release.set()
    await _until(lambda: _empty(harness), "the batch was never deleted")
    rows = await harness.repo.db.fetch("SELECT state FROM outbox")
    assert [r["state"] for r in rows] == ["sent", "sent"]


async def test_a_batch_a_dead_process_left_is_handled_once_at_the_start(harness):
    fake = harness.fake
    anya = fake.user(43, "Аня", language_code="ru")
    group = fake.group(GROUP, "Команда")
    await harness.say(group, anya, "/lead 1")
    await harness.stop()
    # The process stored the batch and asked for the next one (Telegram forgot it), then died.
    update = fake.send_message(group, anya, "/lead 7")
    fake.confirm(update["update_id"] + 1)
    body = json.dumps({"ok": True, "result": [update]}, ensure_ascii=False)
    batch = Batch(update["update_id"], update["update_id"], body)
    calls, mark = len(fake.calls), fake.mark()
    await _store(harness, batch)
    await harness.start()
    sent = await fake.wait_sent(1, since=mark, chat_id=GROUP)
    assert "+7" in sent[0].message["text"]
    assert await harness.entries(GROUP) == 2
    polls = lambda: [c for c in fake.calls[calls:] if c.method == "getUpdates"]  # noqa: E731
    await _until(polls, "the restarted bot never polled")
    assert int(polls()[0].params["offset"]) == update["update_id"] + 1
    await _until(lambda: _empty(harness), "the replayed batch stayed in the inbox")

    # Died again before deleting it: handled again, which stores and confirms nothing twice.
    await harness.stop()
    mark = fake.mark()
    await _store(harness, batch)
    await harness.start()
    await _until(lambda: _empty(harness), "the replayed batch stayed in the inbox")
    await asyncio.sleep(0.3)
    assert fake.sent[mark:] == []
    assert await harness.entries(GROUP) == 2


async def test_comments_and_customer_chats_are_stored_without_what_they_say(harness):
    inbox = harness.dp["inbox"]
    customer = {"id": 501, "is_bot": False, "first_name": "Клиент"}
    said = {"text": "мой телефон +7 900 000-00-00", "entities": [
        {"type": "phone_number", "offset": 10, "length": 17}]}  # fmt: skip
    business = {
        "message_id": 9, "date": 1796100000, "business_connection_id": "bc1",
        "chat": {"id": 501, "type": "private", "first_name": "Клиент"}, "from": customer,
        "reply_to_message": {"message_id": 8, "date": 1796099000, "from": customer,
                             "chat": {"id": 501, "type": "private"}, "text": "привет"},
        **said,
    }  # fmt: skip
    chatter = {
        "message_id": 3, "date": 1796100000, "from": customer,
        "chat": {"id": GROUP, "type": "supergroup", "title": "Команда"}, "text": "/lead 2",
    }  # fmt: skip
    raw = [{"update_id": 70, "business_message": business}, {"update_id": 71, "message": chatter}]
    answer = json.dumps({"ok": True, "result": raw}, ensure_ascii=False)
    updates = [Update.model_validate(u) for u in raw]
    bot = SimpleNamespace(session=SimpleNamespace(updates_body=answer))
    batch = await inbox._batch(bot, updates)
    assert (batch.first_update_id, batch.last_update_id) == (70, 71)
    stored = json.loads(batch.body)["result"]
    kept = stored[0]["business_message"]
    assert "text" not in kept and "entities" not in kept
    assert "text" not in kept["reply_to_message"]
    assert kept["from"]["id"] == 501 and kept["business_connection_id"] == "bc1"
    assert stored[1] == raw[1]  # a team's command is kept as it came: it is handled again
    assert "+7 900" not in batch.body and "привет" not in batch.body
    # Without anything private, the answer is stored exactly as Telegram sent it.
    plain = json.dumps({"ok": True, "result": [raw[1]]})
    bot.session.updates_body = plain
    assert (await inbox._batch(bot, updates[1:])).body == plain

