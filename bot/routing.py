"""aiogram's Router, passed by at once by an update of a type nothing in it takes.

aiogram hands every update to each router in turn until one takes it, and each router on the
way costs ~25 us (its outer-middleware chain built, its filters asked) even with no handler
for that update type. A channel post, a reaction count or a customer's message went past the
thirteen command routers before reaching its own: about a fifth of the CPU of channel traffic
(bench/bench_capture.py).
"""

from __future__ import annotations

from typing import Any

from aiogram import Router as AiogramRouter
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import TelegramObject


class Router(AiogramRouter):
    def __init__(self, *, name: str | None = None) -> None:
        super().__init__(name=name)
        self._taken: frozenset[str] | None = None

    def taken(self) -> frozenset[str]:
        """The update types a handler or an outer middleware here or below takes (worked
        out at the first update: routers are complete by then)."""
        if self._taken is None:
            self._taken = frozenset(
                kind
                for router in self.chain_tail
                for kind, observer in router.observers.items()
                if observer.handlers or len(observer.outer_middleware)
            )
        return self._taken

    async def propagate_event(self, update_type: str, event: TelegramObject, **kwargs: Any) -> Any:
        if update_type not in self.taken():
            return UNHANDLED
        return await super().propagate_event(update_type, event, **kwargs)
