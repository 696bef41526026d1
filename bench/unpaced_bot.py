"""`kpibot run` with Telegram's rate limits lifted: what the update benchmarks start as "bot".

Their fake Bot API enforces no limits and the echo bot the bot is compared with paces
nothing, so with the real limits (20 messages a minute per group) 2,000 commands in one group
would measure the limits, not the bot: confirmations would arrive merged, a few a minute.
Lifted, every confirmation goes alone through the same path as in production — handler,
outbox row, per-chat sender, the session's pacing and retry middleware — and is timed.
tests/test_outbox.py covers the merging under the real limits.

    python -m bench.unpaced_bot      # environment as for `kpibot run`
"""

from __future__ import annotations

import sys

from bot.__main__ import main
from bot.delivery import limiter

UNLIMITED = 10**9


def lift_limits() -> None:
    """Every RateLimiter() made from now on allows UNLIMITED messages a second and a minute."""
    limiter.RateLimiter.__init__.__defaults__ = (UNLIMITED, UNLIMITED)


if __name__ == "__main__":
    lift_limits()
    sys.exit(main(["run"]))
