"""Shared fixtures: the fake Telegram server and the bot running against it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.fake_telegram import FakeTelegram
from tests.harness import BotHarness


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def harness(fake: FakeTelegram, tmp_path) -> AsyncIterator[BotHarness]:
    bot = BotHarness(fake, tmp_path / "kpi.sqlite3")
    await bot.start()
    yield bot
    await bot.stop()


@pytest.fixture(autouse=True)
def _texts_complete(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every test fails if a text was missing or its arguments did not fit (Fluent's "{???}")."""
    yield
    broken = [r.getMessage() for r in caplog.records if r.name == "bot.i18n"]
    assert not broken, broken
