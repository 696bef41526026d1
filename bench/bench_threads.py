"""Where a bot process's CPU goes, thread by thread, during the 2,000-update throughput run.

The table in docs/PERFORMANCE.md ("What was fixed") was measured with this: the same run as
bench/bench_updates.py's throughput, plus each thread's user and system CPU from /proc
(the main thread runs aiogram and the handlers; aiosqlite has one thread per connection).

    python -m bench.bench_threads [bot|bench.echo_bot] [--updates 2000] [--py-spy FILE]
                                  [--rtt-ms 80]  (each answer of the fake delayed: a network)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.bench_updates import GROUP, PEOPLE, _ask, throughput
from bench.common import CLK_TCK, BenchFake, BotProcess, wait_polling


def threads(pid: int) -> dict[str, tuple[str, int, int]]:
    """thread id -> (name, user ticks, system ticks)."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/task/{tid}/comm", encoding="utf-8") as comm:
            out[tid] = (comm.read().strip(), int(fields[11]), int(fields[12]))
    return out


async def main(module: str, updates: int, spy: Path | None, rtt_ms: float) -> None:
    with tempfile.TemporaryDirectory(prefix="kpibench-") as tmp:
        async with BenchFake(rtt_ms=rtt_ms) as fake:
            proc = BotProcess(module, fake.base_url, Path(tmp) / "b.sqlite3", Path(tmp) / "log",
                              POLLING_TIMEOUT="30")  # fmt: skip
            recorder = None
            try:
                await wait_polling(fake, proc)
                await asyncio.sleep(1)
                chat = fake.group(GROUP, "Bench team")
                people = [fake.user(9000 + i, f"Person {i}", f"person{i}") for i in range(PEOPLE)]
                for person in people:
                    await _ask(fake, chat, person, "/lead 1")
                if spy:  # py-spy is a local tool, not a dependency: pip install py-spy
                    tool = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
                    command = [tool, "record", "-p", str(proc.pid), "-o", str(spy),
                               "-f", "raw", "-r", "500", "--threads", "--nonblocking"]  # fmt: skip
                    recorder = subprocess.Popen(command)
                    await asyncio.sleep(1)
                before = threads(proc.pid)
                result = await throughput(fake, proc, chat, people, updates)
                after = threads(proc.pid)
            finally:
                if recorder is not None:
                    recorder.send_signal(2)
                    recorder.wait(timeout=30)
                proc.stop()
    print(f"{module}: {result['per_second']:.0f} updates/s, "
          f"CPU {result['bot_cpu_ms_per_update']:.2f} ms per update")  # fmt: skip
    for tid, (name, user, system) in after.items():
        _, user0, system0 = before.get(tid, (name, 0, 0))
        if user - user0 + system - system0:
            ms = 1000 / CLK_TCK / updates
            print(f"  thread {tid} {name:<16} user {(user - user0) * ms:.3f} ms"
                  f"  sys {(system - system0) * ms:.3f} ms per update")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("module", nargs="?", default="bot")
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--py-spy", type=Path, dest="spy", help="also record a py-spy profile")
    parser.add_argument("--rtt-ms", type=float, default=0.0,
                        help="delay every answer of the fake this long, as a network would")
    args = parser.parse_args()
    asyncio.run(main(args.module, args.updates, args.spy, args.rtt_ms))
