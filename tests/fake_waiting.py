"""Waiting for the bot, with failures that say what happened instead (`wait_sent`, `wait_calls`,
`wait_idle`, `mark`). Mixed into FakeTelegram."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import TypeVar

from .fake_api import Call, Sent

T = TypeVar("T")


class WaitingMixin:
    calls: list[Call]
    sent: list[Sent]
    errors: list[BaseException]
    _changed: asyncio.Event
    _pending: list
    _busy: int
    _last_activity: float

    def mark(self) -> int:
        """An index into `sent`, for wait_sent(since=...)."""
        return len(self.sent)

    async def _until(
        self, ready: Callable[[], T | None], timeout: float, explain: Callable[[], str]
    ) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            result = ready()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(explain())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, 0.05))

    async def wait_sent(
        self,
        count: int = 1,
        *,
        since: int = 0,
        chat_id: int | None = None,
        method: str | None = None,
        timeout: float = 5.0,
    ) -> list[Sent]:
        """All matching `sent` items after index `since`, once there are at least `count`."""

        def matching() -> list[Sent]:
            return [
                s
                for s in self.sent[since:]
                if (chat_id is None or s.chat_id == chat_id)
                and (method is None or s.method == method)
            ]

        def explain() -> str:
            lines = [f"  {s.method} chat={s.chat_id}: {s.text!r}" for s in self.sent[since:]]
            failed = [
                f"  {c.method} -> {c.status} {c.response and c.response.get('description')}"
                for c in self.calls
                if c.status not in (None, 200)
            ][-10:]
            bugs = f"\nFake bugs: {self.errors!r}" if self.errors else ""
            return (
                f"expected {count} message(s) (chat_id={chat_id}, method={method}) after "
                f"#{since}, got {len(matching())}. Sent after #{since}:\n"
                + ("\n".join(lines) or "  nothing")
                + ("\nFailed calls:\n" + "\n".join(failed) if failed else "")
                + bugs
            )

        return await self._until(
            lambda: m if len(m := matching()) >= count else None, timeout, explain
        )

    async def wait_calls(
        self, method: str | None = None, count: int = 1, *, since: int = 0, timeout: float = 5.0
    ) -> list[Call]:
        """Calls (as they arrive) of `method` after index `since` into `calls`."""

        def matching() -> list[Call]:
            return [c for c in self.calls[since:] if method is None or c.method == method]

        def explain() -> str:
            seen = ", ".join(c.method for c in self.calls[since:]) or "nothing"
            return f"expected {count} {method or 'any'} call(s) after #{since}; got: {seen}"

        return await self._until(
            lambda: m if len(m := matching()) >= count else None, timeout, explain
        )

    async def wait_idle(self, timeout: float = 5.0, *, quiet: float = 0.1) -> None:
        """Until the bot confirmed every queued update and no request arrived for `quiet` s."""

        def ready() -> bool | None:
            calm = time.monotonic() - self._last_activity >= quiet
            return True if not self._pending and not self._busy and calm else None

        def explain() -> str:
            ids = [q.update["update_id"] for q in self._pending]
            return (
                f"not idle after {timeout}s: unconfirmed updates {ids}, {self._busy} "
                f"request(s) in progress, last request "
                f"{time.monotonic() - self._last_activity:.2f}s ago"
            )

        await self._until(ready, timeout, explain)
