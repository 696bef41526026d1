"""Garbage collection for a long-running bot process (`kpibot run` only, never in tests).

Start-up leaves ~230,000 objects that live as long as the process: modules, aiogram's and
pydantic's schemas, routers, texts. CPython's full collection walks all of them; under a busy
group's traffic that came every ~700 updates and took ~350 ms on our 2-core machine (a pause
every reply waits out, and ~0.5 ms per update on average: bench/bench_updates.py). Frozen,
they are left out of every collection; what the bot allocates afterwards is collected as
before.
"""

from __future__ import annotations

import gc


async def freeze_startup_heap() -> None:
    """A dp.startup hook, registered last: collect once, then freeze what survived."""
    gc.collect()
    gc.freeze()
