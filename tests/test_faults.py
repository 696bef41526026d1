"""Telegram misbehaving (5xx, 429, hangs): the bot keeps running, loses nothing, repeats nothing.

A hang outlasts the client's timeout: the request may or may not have reached Telegram.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot import delivery
from bot.factory import create_bot
from kpi.models import PeriodKind
from kpi.periods import last_finished
from tests.fake_telegram import FakeTelegram
from tests.harness import BotHarness

GROUP = -1005656
WEDNESDAY = datetime(2026, 11, 18, 9, tzinfo=UTC)
MONDAY_10_01_MSK = datetime(2026, 11, 23, 7, 1, tzinfo=UTC)
CLIENT_TIMEOUT = 2  # seconds; getUpdates gets this + its long-poll second
HANG = 4  # past either
INTERNAL_ERROR = "Что-то пошло не так"
FAULTS = {
    "500": {"status": 500},
    "502": {"status": 502},
    "429": {"status": 429, "retry_after": 1},
}


@pytest.fixture
async def bot(fake: FakeTelegram, tmp_path, monkeypatch) -> AsyncIterator[BotHarness]:
    """The harness with a short client timeout, so a hang outlasts it in seconds."""

    def quick(settings, limiter=None):
        made = create_bot(settings, limiter)
        made.session.timeout = CLIENT_TIMEOUT
        return made

    monkeypatch.setattr("tests.harness.create_bot", quick)
    harness = BotHarness(fake, tmp_path / "kpi.sqlite3")
    await harness.start()
    yield harness
    await harness.stop()


def _fault(fake: FakeTelegram, method: str, kind: str, count: int = 1) -> None:
    if kind == "hang":
        fake.hang_next(method, HANG, count)
    else:
        fake.fail_next(method, count=count, **FAULTS[kind])


def _ok(fake: FakeTelegram, method: str) -> int:
    """Requests of `method` Telegram answered 200 (a hung one too: it may have arrived)."""
    return len([c for c in fake.calls if c.method == method and c.status == 200])


async def _leads(harness: BotHarness) -> float:
    november = last_finished(PeriodKind.MONTH, MONDAY_10_01_MSK.date().replace(month=12))
    return await harness.repo.entries.total(GROUP, "leads", november)


async def test_polling_survives_5xx_429_and_hangs_without_losing_updates(bot: BotHarness):
    fake = bot.fake
    anya = fake.user(2, "Аня", language_code="ru")
    group = fake.group(GROUP, "Команда")
    await bot.say(group, anya, "/lead 1")
    for kind in ("502", "500", "429", "hang"):  # one after another: a bad minute
        _fault(fake, "getUpdates", kind)
    sent = [fake.send_message(group, anya, f"/lead {n}") for n in range(2, 6)]
    await fake.wait_sent(5, chat_id=GROUP, timeout=30)
    await fake.wait_idle(10)
    failed = [c.status for c in fake.calls if c.method == "getUpdates" and c.status != 200]
    # The hung call takes a fault too when it is answered, racing the retry after its
    # timeout: which of them gets which is timing, that each was survived is the point.
    assert sorted(failed[:3]) == [429, 500, 502]
    assert await _leads(bot) == 15 and await bot.entries(GROUP) == 5
    for update in sent:  # and if Telegram hands them out again after all that
        fake.redeliver(update)
    await fake.wait_idle(10)
    assert await bot.entries(GROUP) == 5
    assert not [s for s in fake.sent if INTERNAL_ERROR in (s.text or "")]


@pytest.mark.parametrize("kind", ["500", "502", "429", "hang"])
async def test_failed_confirmation_keeps_the_entry_once(bot: BotHarness, kind: str):
    fake = bot.fake
    anya = fake.user(2, "Аня", language_code="ru")
    group = fake.group(GROUP, "Команда")
    _fault(fake, "sendMessage", kind)
    update = fake.send_message(group, anya, "/lead 7")
    await fake.wait_sent(1, chat_id=GROUP, timeout=HANG + 5)
    await fake.wait_idle(HANG + 5)
    assert await bot.entries(GROUP) == 1
    # Stored, so the bot must not tell the person it was not (a 429 or 5xx is Telegram's).
    assert not [s for s in fake.sent if INTERNAL_ERROR in (s.text or "")]
    # A 429 or 5xx is retried until the confirmation arrives; a hang may have delivered it
    # (here it did), so it is not sent again: either way exactly one arrived.
    confirmations = [s for s in fake.sent if "+7</b> → 7" in (s.text or "")]
    assert len(confirmations) == 1
    attempts = [c.status for c in fake.calls if c.method == "sendMessage"]
    assert attempts == ([200] if kind == "hang" else [FAULTS[kind]["status"], 200])
    mark = fake.mark()
    fake.redeliver(update)  # Telegram sending it again changes nothing, not even the reply
    await fake.wait_idle(5)
    assert fake.sent[mark:] == []
    assert await bot.entries(GROUP) == 1
    reply = await bot.say(group, anya, "/lead 1")  # still running
    assert "+1</b> → 8" in reply


async def _digest_due(harness: BotHarness) -> None:
    fake = harness.fake
    anya = fake.user(2, "Аня", language_code="ru")
    harness.clock.moment = WEDNESDAY
    await harness.say(fake.group(GROUP, "Команда"), anya, "/lead 3")
    harness.clock.moment = MONDAY_10_01_MSK


async def _digest_state(harness: BotHarness) -> str | None:
    week = last_finished(PeriodKind.WEEK, MONDAY_10_01_MSK.date())
    state = await harness.repo.digests.state(GROUP, week)
    return state.state if state else None


@pytest.mark.parametrize("kind", ["500", "502", "429"])
async def test_digest_retried_through_refusals_and_sent_once(bot: BotHarness, kind: str):
    fake = bot.fake
    await _digest_due(bot)
    _fault(fake, "sendMediaGroup", kind)
    _fault(fake, "sendMessage", kind)
    for _ in range(3):  # the minute job keeps ticking
        await bot.digests.tick()
    assert await _digest_state(bot) == "sent"
    assert _ok(fake, "sendMediaGroup") == 1
    assert len([s for s in fake.sent if "Итоги" in (s.text or "")]) == 1


@pytest.mark.parametrize("method", ["sendMediaGroup", "sendMessage"])
async def test_digest_never_sent_twice_after_a_hang(bot: BotHarness, method: str):
    """A timeout may hide a delivered message: 'uncertain', and never sent again."""
    fake = bot.fake
    await _digest_due(bot)
    _fault(fake, method, "hang")
    await bot.digests.tick()
    assert await _digest_state(bot) == "uncertain"
    for _ in range(3):
        await bot.digests.tick()
    await fake.wait_idle(HANG + 2)  # the hung request has been answered by now
    assert _ok(fake, "sendMediaGroup") == 1  # the hung one, or the one before the hung text
    assert len([s for s in fake.sent if "Итоги" in (s.text or "")]) <= 1


async def test_digest_text_refused_after_the_album_arrived_is_not_resent(
    bot: BotHarness, monkeypatch
):
    """The charts are in the chat; sending the whole digest again would repeat them."""
    session = next(m for m in bot.bot.session.middleware if isinstance(m, delivery.Delivery))
    monkeypatch.setattr(session, "backoff", 0.01)  # retries, quickly
    fake = bot.fake
    await _digest_due(bot)
    attempts = session.attempts
    fake.fail_next("sendMessage", status=500, count=attempts)  # every retry of the text
    await bot.digests.tick()
    for _ in range(3):
        await bot.digests.tick()
    assert _ok(fake, "sendMediaGroup") == 1
    assert await _digest_state(bot) == "uncertain"
