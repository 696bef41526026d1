"""Issue 10 §2: every answer arrives, even in a busy group, and none arrives twice.

Telegram allows 20 messages a minute in a group. Fifteen people logging three numbers each
at 18:00 need 45 confirmations: the bot stays under the limit (the fake enforces it and
answers 429 beyond) and still acknowledges every command within a minute, merging pending
confirmations into one message near the limit (bot/delivery/outbox.py).
"""

from __future__ import annotations

import asyncio
import html
import re
import time
from collections import defaultdict

import pytest

from tests.harness import BotHarness

GROUP = -1007007
PEOPLE = 15
VALUES = (1, 2, 3)  # each person's three commands, in this order: their total ends at 6
WINDOW = 60.0  # a command must be acknowledged within this many seconds
GAP = 0.1  # seconds between two people's commands
MERGED_LINE = re.compile(r"👤 (.+?) — Лиды <b>\+([^<]+)</b> → (\d+) за")


def _names(harness: BotHarness) -> list[dict]:
    fake = harness.fake
    people = [fake.user(500 + i, f"Человек {i}", language_code="ru") for i in range(PEOPLE)]
    people[0]["first_name"] = "Q&A <3"  # people's names are escaped in merged messages too
    return people


async def _queue(harness: BotHarness, people: list[dict], value: int, sent: dict) -> None:
    group = harness.fake.group(GROUP, "Команда")
    for person in people:  # a few seconds for everyone: as people type, not all at once
        update = harness.fake.send_message(group, person, f"/lead {value}")
        sent[update["message"]["message_id"]] = (person["first_name"], value, time.time())
        await asyncio.sleep(GAP)


def _acknowledged(harness: BotHarness, sent: dict) -> dict[str, list[tuple[int, str, float]]]:
    """Per person: (value, running total shown, when) for each acknowledgment of one of their
    commands: alone (replying to it) or merged (naming them, replying to a command in it)."""
    fake = harness.fake
    when = {id(c.params): c.at for c in fake.calls if c.method == "sendMessage"}
    acks: dict[str, list[tuple[int, str, float]]] = defaultdict(list)
    for message in fake.sent:
        text = message.text or ""
        if message.chat_id != GROUP or "✅" not in text:
            continue
        at = when[id(message.params)]
        quoted = sent[message.message["reply_to_message"]["message_id"]]
        if lines := MERGED_LINE.findall(text):
            named = {html.unescape(name) for name, _, _ in lines}
            assert quoted[0] in named, "a merged message replies to one of its commands"
            for name, values, total in lines:
                for value in values.split(", +"):
                    acks[html.unescape(name)].append((int(value), total, at))
            continue
        name, value, _ = quoted
        mine = re.search(r"\(ваших: (\d+)\)", text)  # the first one: mine == the team's
        acks[name].append((value, mine.group(1) if mine else "1", at))
    return acks


async def _until_all_acknowledged(harness: BotHarness, sent: dict, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        acks = _acknowledged(harness, sent)
        if sum(len(a) for a in acks.values()) >= len(sent):
            return acks
        await asyncio.sleep(0.2)
    raise AssertionError(f"acknowledged after {timeout}s: {dict(_acknowledged(harness, sent))}")


def _check(acks: dict, people: list[dict], sent: dict) -> None:
    assert sorted(acks) == sorted(p["first_name"] for p in people)
    for name, seen in acks.items():
        assert sorted(v for v, _, _ in seen) == list(VALUES), f"{name}: {seen}"  # each once
        last = max(seen, key=lambda ack: (ack[2], ack[0]))
        assert last[1] == str(sum(VALUES)), f"{name}'s running total: {seen}"
    for name, value, queued in sent.values():
        at = next(at for v, _, at in acks[name] if v == value)
        assert at - queued < WINDOW, f"{name}'s /lead {value} took {at - queued:.1f}s"


async def _busy_group(harness: BotHarness, *, restart: bool) -> None:
    fake = harness.fake
    fake.enforce_limits(30, 20)
    people = _names(harness)
    sent: dict[int, tuple[str, int, float]] = {}
    for value in VALUES:  # 18:00: everyone logs, three times, within a few seconds
        await _queue(harness, people, value, sent)
    if restart:  # near the limit, the next merged confirmation waits: stop the bot then
        await fake.wait_sent(1, chat_id=GROUP, timeout=20)
        await fake.wait_idle(10)
        assert await harness.repo.outbox.pending(), "nothing was waiting: restart too late"
        await harness.restart()
    acks = await _until_all_acknowledged(harness, sent, WINDOW)
    await fake.wait_idle(10)
    _check(acks, people, sent)
    assert [c for c in fake.calls if c.status == 429] == []
    assert len([s for s in fake.sent if s.chat_id == GROUP]) <= 20  # one minute's worth
    assert await harness.entries(GROUP) == PEOPLE * len(VALUES)  # no entry twice
    assert await harness.repo.outbox.pending() == []


async def test_busy_group_every_command_acknowledged_within_a_minute(harness: BotHarness):
    await _busy_group(harness, restart=False)
    confirmations = [s for s in harness.fake.sent if "✅" in (s.text or "")]
    merged = [s for s in confirmations if MERGED_LINE.search(s.text or "")]
    assert merged, "the group reached its limit: some confirmations had to be merged"
    assert len(merged) < len(confirmations), "…but while it had room, each went alone"
    assert "👤 Q&amp;A &lt;3 — " in "".join(s.text or "" for s in harness.fake.sent)


async def test_busy_group_restart_midway_loses_and_repeats_nothing(harness: BotHarness):
    await _busy_group(harness, restart=True)


@pytest.mark.parametrize(
    ("text", "where", "status"),
    [
        ("/kpi", "group", 429),  # any handler's reply, not only confirmations
        ("/kpi", "group", 502),
        ("/lead 2", "group", 500),
        ("/lead 2", "private", 429),  # private confirmations: no merging, the same retries
    ],
)
async def test_a_reply_refused_for_now_is_retried_and_arrives(
    harness: BotHarness, text: str, where: str, status: int
):
    fake = harness.fake
    anya = fake.user(21, "Аня", language_code="ru")
    group = fake.group(GROUP, "Команда")
    await harness.say(group, anya, "/lead 1")  # Аня is in the team
    chat = group if where == "group" else fake.private_chat(anya)
    fake.fail_next("sendMessage", status=status, retry_after=1 if status == 429 else None)
    mark, calls = fake.mark(), len(fake.calls)
    fake.send_message(chat, anya, text)
    reply = await fake.wait_sent(1, since=mark, chat_id=chat["id"], timeout=10)
    assert ("Лиды: <b>1</b>" if text == "/kpi" else "+2</b> → 3") in (reply[0].text or "")
    sends = [c.status for c in fake.calls[calls:] if c.method == "sendMessage"]
    assert sends == [status, 200]
