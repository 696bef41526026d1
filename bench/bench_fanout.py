"""Digest fan-out against a fake Bot API that enforces Telegram's limits.

Sends one pre-rendered digest (3 charts as an album + the text) to N group chats through the
bot's own delivery code (shared RateLimiter, retries) and compares the total time with the
minimum the limits allow: messages ÷ 30 per second (an album counts one message per photo).

The reference for bench/bench_digests.py, which builds each digest on the way (the product's
real path): the same delivery code with nothing to build.

    python -m bench.bench_fanout [--teams 150] [--full] [--json FILE]  # --full: 500 teams, ~70 s
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.delivery import RateLimiter, install, send_album_and_text
from bot.demo import TEAM_ID, render_demo
from tests.fake_telegram import FakeTelegram

PER_SECOND = 30
CONCURRENCY = 4


async def run(teams: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        files = await render_demo(Path(tmp), datetime(2026, 11, 22, 12, tzinfo=UTC))
        text = files[0].read_text(encoding="utf-8")
        charts = [(p.name, p.read_bytes()) for p in files[1:4]]
    async with FakeTelegram() as fake:
        fake.enforce_limits(per_second=PER_SECOND, per_chat_per_minute=20)
        chats = [fake.group(TEAM_ID - i, f"Team {i}")["id"] for i in range(teams)]
        bot = Bot(fake.token, session=AiohttpSession(api=TelegramAPIServer.from_base(
            fake.base_url)))  # fmt: skip
        install(bot, RateLimiter())  # the session paces and retries, as in the bot
        messages = teams * (len(charts) + 1)
        floor = (messages - PER_SECOND) / PER_SECOND  # the first second's budget is free
        lanes = asyncio.Semaphore(CONCURRENCY)

        async def deliver(chat: int) -> None:
            async with lanes:  # the limiter paces; a few in flight hide each request's latency
                await send_album_and_text(bot, chat, charts, text)

        start = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(deliver(chat) for chat in chats)),
                               max(120.0, 3 * floor))  # fmt: skip
        took = time.perf_counter() - start
        await bot.session.close()
        refused = sum(1 for c in fake.calls if c.status == 429)
    return {"teams": teams, "messages": messages, "seconds": took, "floor_seconds": floor,
            "ratio": took / floor, "refused_429": refused}  # fmt: skip


def report(r: dict[str, Any]) -> str:
    return (
        f"fan-out: {r['teams']} digests, {r['messages']} messages in {r['seconds']:.1f} s; the"
        f" limits allow {r['floor_seconds']:.1f} s at best -> {r['ratio']:.3f}x (goal <= 1.10);"
        f" 429 answers: {r['refused_429']}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--teams", type=int, default=150)
    parser.add_argument("--full", action="store_true", help="500 teams")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()
    result = asyncio.run(run(500 if args.full else args.teams))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(report(result))
