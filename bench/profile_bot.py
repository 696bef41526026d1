"""`kpibot run` with a profiler switched on and off from outside, to profile steady state only.

SIGUSR1 starts profiling, SIGUSR2 stops it and writes $BENCH_PROFILE: cProfile stats for a
`.prof` name (python -m pstats FILE), otherwise a pyinstrument report (`.txt` or `.html`;
pyinstrument is a local tool, not a project dependency: pip install pyinstrument).
bench/bench_updates.py --profile FILE does both around the throughput run.
"""

from __future__ import annotations

import cProfile
import os
import signal
import sys
from pathlib import Path
from typing import Any

from bench.unpaced_bot import lift_limits
from bot.__main__ import main

OUT = Path(os.environ.get("BENCH_PROFILE", "bot.prof"))
profiler: Any = None


def _start(*_: object) -> None:
    global profiler
    if OUT.suffix == ".prof":
        profiler = cProfile.Profile()
        profiler.enable()
    else:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005, async_mode="disabled")
        profiler.start()


def _stop(*_: object) -> None:
    if isinstance(profiler, cProfile.Profile):
        profiler.disable()
        profiler.dump_stats(OUT)
    elif profiler is not None:
        profiler.stop()
        if OUT.suffix == ".html":
            OUT.write_text(profiler.output_html(), encoding="utf-8")
        else:
            OUT.write_text(profiler.output_text(unicode=True, show_all=False), encoding="utf-8")


if __name__ == "__main__":
    lift_limits()  # as bench.bench_updates runs "bot"
    signal.signal(signal.SIGUSR1, _start)
    signal.signal(signal.SIGUSR2, _stop)
    sys.exit(main(["run"]))
