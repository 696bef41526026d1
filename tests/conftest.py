"""Shared fixtures: the fake Telegram server and the bot running against it."""

from __future__ import annotations

from collections.abc import AsyncIterator

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
