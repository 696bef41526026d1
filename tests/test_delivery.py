"""The shared rate limiter: Telegram's windows counted from its answers, never opened early."""

from __future__ import annotations

import asyncio
import time

from bot.delivery import SECOND, RateLimiter, call


async def test_a_slow_upload_counts_from_its_answer():
    limiter = RateLimiter(per_second=2, per_chat_minute=100)

    async def slow_album() -> str:
        await asyncio.sleep(0.3)  # Telegram may count it any time until it answers
        return "ok"

    answered = 0.0

    async def quick() -> None:
        nonlocal answered
        answered = time.monotonic()

    await call(slow_album, limiter, -1, count=2)
    start = time.monotonic()
    await call(quick, limiter, -1)
    # The album's two sends filled the window from its answer, not from its booking, so the
    # next send waited a full second after the answer (not 0.7 s).
    assert answered - start >= SECOND - 0.05


async def test_per_second_budget_is_kept():
    limiter = RateLimiter(per_second=5, per_chat_minute=100)
    stamps: list[float] = []

    async def send() -> None:
        stamps.append(time.monotonic())

    await asyncio.gather(*(call(send, limiter, -1 - i % 3) for i in range(12)))
    assert len(stamps) == 12
    for i in range(len(stamps) - 5):
        assert stamps[i + 5] - stamps[i] >= 1.0  # never six inside one second
