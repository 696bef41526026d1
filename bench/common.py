"""What the benchmarks share: the machine, percentiles, /proc readings, a fake Bot API that
times replies, and starting a bot as a process the way `kpibot run` is started.

Nothing here is product code: it only feeds and watches the bot from outside.
"""

from __future__ import annotations

import asyncio
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

from tests.fake_telegram import SENDING_METHODS, ApiError, Call, FakeTelegram
from tests.processes import ROOT, TOKEN, bot_env

PACKAGES = ("aiogram", "aiohttp", "aiosqlite", "APScheduler", "matplotlib", "numpy",
            "pydantic", "fluent.runtime", "babel")  # fmt: skip
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- the machine ---


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            return next(ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "-"
    return found


def machine() -> dict[str, Any]:
    load = os.getloadavg()
    return {
        "cores": os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load": f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        "packages": versions(),
    }


def cpu_ticks() -> tuple[int, int] | None:
    """(stolen, all) CPU ticks of the machine so far, from /proc/stat; None off Linux. On a
    shared VM the hypervisor's steal is the noise no in-run reference fully cancels."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(x) for x in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    return (fields[7], sum(fields)) if len(fields) == 8 else None


def steal_pct(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """Share of the machine's CPU time between two `cpu_ticks` the hypervisor took away."""
    if before is None or after is None or after[1] <= before[1]:
        return None
    return 100 * (after[0] - before[0]) / (after[1] - before[1])


# --- numbers ---


def pct(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


# --- /proc ---


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak so far) of a process, in KiB; {} once it is gone."""
    out = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    out[key] = int(value.split()[0])
    except OSError:
        return {}
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def own_cpu() -> float:
    return time.process_time()


# --- a fake Bot API that times what the bot sends ---


class BenchFake(FakeTelegram):
    """FakeTelegram in the bench driver's process: people act by direct calls (no control
    API round trip), and every accepted send is timed here, when the request arrives.

    `lean=True` drops uploaded files and the `sent` log after each send (fan-out uploads
    hundreds of PNGs that nothing reads back)."""

    def __init__(self, *, lean: bool = False, rtt_ms: float = 0.0, **kwargs: Any) -> None:
        super().__init__(TOKEN, **kwargs)
        self.rtt = rtt_ms / 1000  # each answer delayed by a network round trip to Telegram
        # Throughput and latency measure the bot, not Telegram's limits (the bot runs with them
        # lifted too: bench/unpaced_bot.py); fan-out, digests and the scoreboard set their own.
        self.enforce_limits(None, None)
        self.lean = lean
        self.units = 0  # messages accepted (a media group counts one per photo)
        self.refused = 0  # 429 answers
        self.first_send: float | None = None
        self.last_send: float | None = None
        self.replies: dict[int, int] = {}  # chat_id -> sendMessage count
        self._watch: dict[tuple[int, int], asyncio.Future[float]] = {}  # (chat, reply_to)
        self._counts: dict[int, tuple[int, asyncio.Future[float]]] = {}

    async def _maybe_hang(self, name: str) -> None:
        if self.rtt:
            await asyncio.sleep(self.rtt)
        await super()._maybe_hang(name)

    def reset_counters(self) -> None:
        self.units = self.refused = 0
        self.first_send = self.last_send = None
        self.replies.clear()

    def _limited(self, call: Call, handler: Callable[[Call], Any]) -> Any:
        try:
            result = super()._limited(call, handler)
        except ApiError as error:
            self.refused += error.status == 429
            raise
        if call.method not in SENDING_METHODS:
            return result
        now = time.perf_counter()
        self.first_send = self.first_send or now
        self.last_send = now
        media = call.params.get("media")
        self.units += len(media) if isinstance(media, list) else 1
        chat = call.params.get("chat_id")
        if call.method == "sendMessage" and isinstance(chat, int):
            self._reply_seen(chat, call.params, now)
        if self.lean:
            call.files = {}
            self.files.clear()
            self.sent.clear()
        return result

    def _reply_seen(self, chat: int, params: dict[str, Any], now: float) -> None:
        count = self.replies[chat] = self.replies.get(chat, 0) + 1
        if chat in self._counts and count >= self._counts[chat][0]:
            future = self._counts.pop(chat)[1]
            if not future.done():
                future.set_result(now)
        reply = params.get("reply_parameters")
        reply_to = reply.get("message_id") if isinstance(reply, dict) else None
        if (future := self._watch.pop((chat, reply_to), None)) is not None and not future.done():
            future.set_result(now)

    def reply_to(self, chat: int, message_id: int) -> asyncio.Future[float]:
        """Resolves with the time the bot's reply to that message arrived."""
        future = asyncio.get_running_loop().create_future()
        self._watch[chat, message_id] = future
        return future

    def replies_reach(self, chat: int, count: int) -> asyncio.Future[float]:
        """Resolves with the time the chat's `count`-th sendMessage arrived."""
        future = asyncio.get_running_loop().create_future()
        if self.replies.get(chat, 0) >= count:
            future.set_result(time.perf_counter())
        else:
            self._counts[chat] = (count, future)
        return future


# --- bots as processes ---


class BotProcess:
    """`python -m bot run` or `python -m bench.echo_bot`, started with the same environment as
    tests/processes.py (token, TELEGRAM_API_URL, database); logs go to a file, not a pipe a
    busy bot could fill. "bot" runs with Telegram's limits lifted, as the fakes here enforce
    none (bench/unpaced_bot.py)."""

    def __init__(self, module: str, fake_url: str, db: Path, log: Path, **env: str) -> None:
        self.name = module
        self.log_path = log
        self._log: TextIO = log.open("w", encoding="utf-8")
        environment = bot_env(fake_url, db, **env) | {"PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.unpaced_bot" if module == "bot" else module],
            cwd=db.parent, env=environment, stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.pid = self.proc.pid

    def memory(self) -> dict[str, int]:
        return memory_kib(self.pid)

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8").splitlines()[-lines:])
        except OSError:
            return ""


async def wait_polling(fake: FakeTelegram, bot: BotProcess, timeout: float = 60) -> float:
    """Until the bot's first getUpdates arrives (it is then idle and ready); seconds taken."""
    start = time.perf_counter()
    deadline = start + timeout
    while time.perf_counter() < deadline:
        if any(c.method == "getUpdates" for c in fake.calls):
            return time.perf_counter() - start
        if not bot.alive():
            raise RuntimeError(f"{bot.name} exited ({bot.proc.returncode}):\n{bot.tail()}")
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{bot.name} did not poll within {timeout} s:\n{bot.tail()}")


# --- output ---


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])
