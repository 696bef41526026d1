"""bot/routing.py: an update passes a router by at once when nothing in it takes its type."""

from __future__ import annotations

from typing import Any

from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import Message

from bot.routing import Router


class Tap:
    """An outer middleware with no handler behind it (as the discussion group's capture)."""

    def __init__(self) -> None:
        self.seen: list[Any] = []

    async def __call__(self, handler: Any, event: Any, data: dict[str, Any]) -> Any:
        self.seen.append(event)
        return None


async def test_a_router_is_passed_by_for_types_nothing_in_it_takes(monkeypatch):
    commands, tapped, parent = Router(name="commands"), Router(name="tap"), Router(name="p")

    @commands.message()
    async def on_message(message: Message) -> None: ...

    tap = Tap()
    tapped.message.outer_middleware(tap)
    parent.include_routers(commands, tapped)
    assert commands.taken() == {"message"}
    assert tapped.taken() == {"message"}  # an outer middleware takes its type too
    assert parent.taken() == {"message"}  # what the routers below it take

    def not_here(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the router's observers were asked")

    monkeypatch.setattr(parent.channel_post, "wrap_outer_middleware", not_here)
    assert await parent.propagate_event("channel_post", object()) is UNHANDLED
    assert await tapped.propagate_event("message", "a message") is None
    assert tap.seen == ["a message"]
