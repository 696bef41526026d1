"""Garbage collection for a long-running bot process (`kpibot run` only, never in tests).

Start-up leaves ~230,000 objects that live as long as the process: modules, aiogram's and
pydantic's schemas, routers, texts. CPython's full collection walks all of them; under a busy
group's traffic that came every ~700 updates and took ~350 ms on our 2-core machine (a pause
every reply waits out, and ~0.5 ms per update on average: bench/bench_updates.py). Frozen,
they are left out of every collection; what the bot allocates afterwards is collected as
before.

The youngest generation is collected after 10,000 net allocations instead of 700: an update
in flight holds a few hundred objects (aiogram's models, the request), so at 700 a busy batch
had them walked and promoted again and again (363 collections per 2,000 updates, ~0.15 ms per
update); at 10,000 most are freed by reference counting before a collection comes.
"""

from __future__ import annotations

import gc

YOUNG = 10_000  # net allocations between collections of the youngest generation (was 700)


async def freeze_startup_heap() -> None:
    """A dp.startup hook, registered last: collect once, then freeze what survived."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG, older, oldest)
