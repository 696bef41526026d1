"""Webhook mode: the secret token is registered and enforced; updates are handled as in polling."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime

import aiohttp
import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.factory import create_bot, create_dispatcher
from bot.webhook import run_webhook, webhook_secret
from storage.repository import Repository
from tests.fake_telegram import FakeTelegram

SECRET = "s3cr3t_token-for-tests"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _update(fake: FakeTelegram, text: str) -> dict:
    user = fake.user(5, "Аня", language_code="ru")
    update = fake.send_message(fake.group(-1008080, "Хук"), user, text)
    fake.take_updates(100)  # delivered by our POST, not by getUpdates
    return update


async def test_webhook_rejects_wrong_secret_and_serves_right_one(tmp_path):
    async with FakeTelegram() as fake:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token=fake.token,
            telegram_api_url=fake.base_url,
            database_path=tmp_path / "kpi.sqlite3",
            webhook_url="https://kpi.example/telegram/webhook",
            webhook_secret=SECRET,
            webhook_port=_free_port(),
        )
        repo = await Repository.open(settings.database_path)
        bot = create_bot(settings)
        clock = FixedClock(datetime(2026, 11, 20, 9, tzinfo=UTC))
        dp = create_dispatcher(settings, repo, clock, schedule=False)
        stop = asyncio.Event()
        server = asyncio.create_task(run_webhook(settings, bot, dp, stop))
        url = f"http://127.0.0.1:{settings.webhook_port}{settings.webhook_path}"
        try:
            hook = (await fake.wait_calls("setWebhook"))[0]
            assert hook.params["secret_token"] == SECRET
            assert hook.params["url"] == "https://kpi.example/telegram/webhook"
            async with aiohttp.ClientSession() as http:
                for _ in range(100):  # the site starts right after setWebhook
                    try:
                        async with http.get(url) as resp:
                            break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.05)
                for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                    async with http.post(url, json=_update(fake, "/lead 3"), headers=headers) as r:
                        assert r.status == 401
                assert await repo.entries.count() == 0
                mark = fake.mark()
                good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                async with http.post(url, json=_update(fake, "/lead 3"), headers=good) as resp:
                    assert resp.status == 200
                sent = await fake.wait_sent(1, since=mark, chat_id=-1008080)
                assert "Лиды: <b>+3</b>" in sent[0].message["text"]
                assert await repo.entries.count() == 1
        finally:
            stop.set()
            await asyncio.wait_for(server, 10)
            await bot.session.close()
            await repo.close()


@pytest.mark.parametrize("secret", [None, "has spaces", "x" * 300])
def test_webhook_needs_a_valid_secret(secret):
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token="123:abc",
        webhook_url="https://kpi.example/hook",
        webhook_secret=secret,
    )
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        webhook_secret(settings)
