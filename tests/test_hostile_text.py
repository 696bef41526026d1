"""Names and custom metrics with HTML's own characters through every command and the digest.

Each example is a new person whose Telegram name is hostile (`<3`, `Q&A`, `<b>`, quotes, RTL
marks, 64 characters) and a custom metric named the same. They log, set targets, ask for
/kpi, /targets, /top, /history (and press its delete button), /undo, /report, and the team
gets the scheduled weekly digest. The fake parses HTML as Telegram does: every call must be
accepted, the name must read back exactly as written, and plain-text places (button labels,
callback alerts) must show it raw, never `&lt;`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram.types import Update
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fake_telegram import FakeTelegram
from tests.fake_telegram_objects import command_entities
from tests.harness import BotHarness

GROUP = -1005151
BOSS = 1
MONDAY_10_01 = datetime(2026, 11, 23, 7, 1, tzinfo=UTC)  # the week of the 20th is due
HOSTILE = (
    "<3", "Q&A", "<b>", "</b>", "<i>x", ">_<", '"quoted" \'single\'', "\u200fאבג\u200f",
    "Tom & Jerry <tj@x.ru>", "&amp;", "&lt;b&gt;", "x" * 64, "<" * 40, "a<b>c</b>&d",
)  # fmt: skip
NAMES = st.sampled_from(HOSTILE) | st.text(
    st.sampled_from(list("<>&\"'ab \u200f\u202e🔥/;")), min_size=1, max_size=40
).map(str.strip).filter(bool)


def _update(harness: BotHarness, chat: dict[str, Any], user: dict[str, Any], text: str) -> Update:
    fake = harness.fake
    fake._seen(chat, user)  # as if sent through the app: Telegram knows the chat now
    message: dict[str, Any] = {"message_id": fake.next_message_id(chat["id"]), "from": user,
                               "chat": chat, "date": fake.now, "text": text}  # fmt: skip
    if entities := command_entities(text):
        message["entities"] = entities
    fake.store_message(message)
    return Update.model_validate(
        {"update_id": 10**6 + fake._serial_id(), "message": message},
        context={"bot": harness.bot},
    )


async def _say(harness: BotHarness, chat: dict[str, Any], user: dict[str, Any], text: str):
    mark = harness.fake.mark()
    await harness.dp.feed_update(harness.bot, _update(harness, chat, user, text))
    replies = [s for s in harness.fake.sent[mark:] if s.chat_id == chat["id"]]
    if not replies:  # a logging confirmation comes from the outbox, a moment later
        replies = await harness.fake.wait_sent(1, since=mark, chat_id=chat["id"], timeout=70)
    return replies


async def _press(harness: BotHarness, message: dict[str, Any], data: str, user: dict[str, Any]):
    """Press a button and feed the callback to the dispatcher; Telegram's answer to it."""
    fake = harness.fake
    update = fake.press_button(message, data, user)
    # Fed here, not polled: out of the queue before anything yields.
    fake._pending = [q for q in fake._pending if q.update["update_id"] != update["update_id"]]
    await harness.dp.feed_update(
        harness.bot, Update.model_validate(update, context={"bot": harness.bot})
    )
    return fake.callback_answers[update["callback_query"]["id"]]


def _all_accepted(fake: FakeTelegram, since: int = 0, literal: tuple[str, ...] = ()) -> None:
    """Every call accepted; no text shows a template fallback or an entity escaped twice.
    `literal`: names typed with entities in them (`&amp;`), shown as typed: not counted."""
    refused = [(c.method, c.response) for c in fake.calls if c.status not in (None, 200)]
    assert not refused, refused
    shown = []
    for sent in fake.sent[since:]:
        text = sent.text or ""
        for name in sorted(literal, key=len, reverse=True):
            text = text.replace(name, "")
        shown.append(text)
    assert not [t for t in shown if "{???}" in t or "&lt;" in t or "&amp;" in t]


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(render_html=True) as server:  # texts as people see them
        yield server


async def _team(harness: BotHarness) -> tuple[dict[str, Any], dict[str, Any]]:
    fake = harness.fake
    fake.set_admins(GROUP, [BOSS])
    group = fake.group(GROUP, "<Команда & Co>")
    boss = fake.user(BOSS, "Босс <админ>", username="boss")
    if await harness.repo.teams.membership(GROUP, BOSS) is None:
        await _say(harness, group, boss, "/help")
    return group, boss


@settings(
    max_examples=6, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(name=NAMES)
async def test_hostile_name_through_every_command(harness: BotHarness, name: str) -> None:
    fake = harness.fake
    group, boss = await _team(harness)
    since = fake.mark()  # examples share the fake: check this one's texts
    n = fake._serial_id()  # a new person and metric each example
    user = fake.user(n, name, username=f"user{n}")
    key, private, office = f"m{n}", fake.private_chat(user), fake.private_chat(boss)
    await _say(harness, group, user, f"/lead 2 {name}")  # joins the team
    title = name[:40].strip()  # a custom metric name is at most 40 characters
    await _say(harness, office, boss, f"/metric add {key} counter {title}")
    for text in (f"/log {key} 3 {name}", f"/sale 1 15000 {name}", "/resp 15m 40",
                 f"/post 1 {name}", "/qlead 1"):  # fmt: skip
        await _say(harness, private, user, text)
    for text in (f"/target leads 10 month @user{n}", f"/target {key} 5 month",
                 f"/target posts 3 week @user{n}"):  # fmt: skip
        await _say(harness, office, boss, text)
    kpi = await _say(harness, private, user, f"/kpi @user{n}")
    assert name in "".join(s.text or "" for s in kpi)  # read back exactly as written
    for text in ("/kpi", "/me", "/targets", "/top", f"/top {key}", "/report week",
                 "/report month"):  # fmt: skip
        await _say(harness, private, user, text)
    history = (await _say(harness, private, user, "/history"))[-1]
    labels = [b["text"] for row in history.buttons for b in row]
    mine = [b for row in history.buttons for b in row if title in b["text"]]
    assert mine, labels  # the custom metric's name raw in its label, not &lt;
    answer = await _press(harness, history.message, mine[0]["callback_data"], user)
    assert title in answer.get("text", ""), answer  # the alert is plain text too
    await _say(harness, private, user, "/undo")
    # Other examples' people show up too (leaders, who logged nothing): HOSTILE has the only
    # names with entities typed in them (the generated ones lack the letters).
    _all_accepted(fake, since, literal=(*HOSTILE, name, title))


async def test_hostile_names_in_the_scheduled_digest(harness: BotHarness) -> None:
    fake = harness.fake
    group, boss = await _team(harness)
    await _say(harness, fake.private_chat(boss), boss, "/target leads 40 week")
    names = HOSTILE[:8]
    for n, name in enumerate(names, start=10):
        user = fake.user(n, name, username=f"user{n}")
        await _say(harness, group, user, f"/lead {n} {name}")
    harness.clock.moment = MONDAY_10_01
    mark = fake.mark()
    await harness.digests.tick()
    digest = "\n".join(s.text or "" for s in fake.sent[mark:] if s.chat_id == GROUP)
    assert "Босс <админ>" in digest  # logged nothing: named as such
    for name in names[-3:]:  # the leaders: the most leads
        assert name in digest, name
    _all_accepted(fake)
