"""The real bot (Bot + Dispatcher + SQLite file) against the fake Bot API, driven like a user."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.clock import FixedClock
from bot.config import Settings
from bot.delivery import RateLimiter
from bot.factory import create_bot, create_dispatcher
from bot.polling import poll
from bot.scheduler import Digests
from storage.repository import Repository
from tests.fake_telegram import FakeTelegram

# A Friday: the week and month are well under way.
DEFAULT_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


class SharedClock(FixedClock):
    """The bot's clock, which also sets the date Telegram stamps on what people send: moving
    one moves both, as in life. A test that wants a message handled later than it was sent
    sets `fake.now` after moving the clock (or moves the clock while the bot is stopped)."""

    def __init__(self, moment: datetime, fake: FakeTelegram):
        self._fake = fake
        super().__init__(moment)

    @property  # type: ignore[override]
    def moment(self) -> datetime:
        return self._moment

    @moment.setter
    def moment(self, value: datetime) -> None:
        self._moment = value
        self._fake.now = value.timestamp()


class BotHarness:
    def __init__(
        self,
        fake: FakeTelegram,
        db_path: Path,
        clock: FixedClock | None = None,
        limiter: RateLimiter | None = None,
    ):
        self.fake = fake
        self.db_path = db_path
        self.clock = clock or SharedClock(DEFAULT_NOW, fake)
        self.limiter = limiter or RateLimiter()  # Telegram's limits unless a test lifts them
        self._task: asyncio.Task[None] | None = None

    @property
    def settings(self) -> Settings:
        return Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token=self.fake.token,
            telegram_api_url=self.fake.base_url,
            database_path=self.db_path,
            polling_timeout=1,
        )

    async def start(self) -> None:
        settings = self.settings
        self.repo = await Repository.open(settings.database_path)
        self.bot = create_bot(settings, self.limiter)
        self.dp = create_dispatcher(settings, self.repo, self.clock, self.limiter, schedule=False)
        self.digests = Digests(
            self.repo, self.bot, self.dp["translator"], self.clock, self.dp["charts"]
        )
        started = asyncio.Event()
        self.dp.startup.register(lambda: started.set())
        self._task = asyncio.create_task(
            poll(self.dp, self.bot, polling_timeout=1, handle_signals=False)  # as `kpibot run`
        )
        await asyncio.wait_for(started.wait(), 10)

    async def stop(self) -> None:
        if self._task is not None:
            await self.dp.stop_polling()
            await asyncio.wait_for(self._task, 10)
            self._task = None
        await self.bot.session.close()
        await self.repo.close()

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def say(
        self, chat: dict[str, Any], user: dict[str, Any], text: str, *, timeout: float = 5.0
    ) -> str:
        """Send a message as `user` and return the text of the bot's reply in that chat."""
        mark = self.fake.mark()
        self.fake.send_message(chat, user, text)
        sent = await self.fake.wait_sent(1, since=mark, chat_id=chat["id"], timeout=timeout)
        return str(sent[0].message.get("text", ""))

    async def entries(self, team_id: int | None = None) -> int:
        return await self.repo.entries.count(team_id)
