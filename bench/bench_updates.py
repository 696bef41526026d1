"""Update throughput and reply latency of the real bot process against a bare aiogram echo bot.

Both run as processes (`python -m bot run` with a real SQLite file in WAL mode, and
`python -m bench.echo_bot`), long-polling the fake Bot API, which runs here in the driver so
people can act by direct calls and replies are timed the moment their request arrives.

1. Throughput: 2,000 `/lead` commands from 20 people in one group, queued as fast as the
   fake takes them; from the first update queued to the 2,000th reply received.
2. Latency: one person, 300 sequential commands (`/lead`, `/resp 15m`, `/kpi` in turn);
   each from queuing the update to receiving the reply.
3. The fake's own ceiling: a raw aiohttp client (another process, no aiogram) sending
   sendMessage one after another, as a bot replies — what any sequential bot is bounded by.

Memory: VmRSS once the process is polling (idle) and VmHWM (peak) after 1 and 2.

    python -m bench.bench_updates [--updates 2000] [--commands 300] [--rounds 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import BenchFake, BotProcess, own_cpu, pct, wait_polling
from tests.processes import ROOT, TOKEN

GROUP = -1001777000001
PEOPLE = 20
SEQUENCE = ("/lead 1", "/resp 15m", "/kpi")
REPLY_TIMEOUT = 30.0  # one reply; the first after start-up may be slow on a busy machine


async def _ask(fake: BenchFake, chat: dict, user: dict, text: str) -> float:
    """Queue one message, wait for the reply to it; seconds between the two."""
    start = time.perf_counter()
    update = fake.send_message(chat, user, text)
    arrived = await asyncio.wait_for(
        fake.reply_to(chat["id"], update["message"]["message_id"]), REPLY_TIMEOUT
    )
    return arrived - start


async def throughput(fake: BenchFake, proc: BotProcess, chat: dict, people: list[dict],
                     count: int) -> dict[str, Any]:  # fmt: skip
    done = fake.replies_reach(chat["id"], fake.replies.get(chat["id"], 0) + count)
    bot_cpu, driver_cpu = proc.cpu(), own_cpu()
    start = time.perf_counter()
    for i in range(count):  # in chunks, yielding: updates keep arriving while the bot works
        fake.send_message(chat, people[i % len(people)], f"/lead {1 + i % 3}")
        if i % 100 == 99:
            await asyncio.sleep(0)
    queued = time.perf_counter() - start
    last = await asyncio.wait_for(done, timeout=max(120.0, count / 10))
    took = last - start
    return {
        "updates": count,
        "seconds": took,
        "per_second": count / took,
        "queue_seconds": queued,
        "bot_cpu_ms_per_update": (proc.cpu() - bot_cpu) * 1000 / count,
        "fake_cpu_ms_per_update": (own_cpu() - driver_cpu) * 1000 / count,
    }


async def latency(fake: BenchFake, chat: dict, person: dict, count: int) -> dict[str, Any]:
    by_kind: dict[str, list[float]] = {text: [] for text in SEQUENCE}
    for i in range(count):
        text = SEQUENCE[i % len(SEQUENCE)]
        by_kind[text].append(await _ask(fake, chat, person, text) * 1000)
    every = [x for xs in by_kind.values() for x in xs]
    out: dict[str, Any] = {"count": count, "p50": pct(every, 50), "p95": pct(every, 95)}
    for text, samples in by_kind.items():
        out[text] = {"p50": pct(samples, 50), "p95": pct(samples, 95)}
    return out


async def measure(
    module: str, updates: int, commands: int, tmp: Path, profile: Path | None = None
) -> dict[str, Any]:
    """One bot process from start to stop: idle memory, throughput, latency, peak memory."""
    async with BenchFake() as fake:
        # A fresh database each round: the new fake numbers messages from 1 again, and the bot
        # rightly takes a stored (chat, message) for a redelivery and does not confirm it twice.
        db = Path(tempfile.mkdtemp(dir=tmp)) / f"{module.replace('.', '_')}.sqlite3"
        env = {"BENCH_PROFILE": str(profile.resolve())} if profile else {}
        proc = BotProcess("bench.profile_bot" if profile else module, fake.base_url, db,
                          tmp / f"{module}.log", POLLING_TIMEOUT="30", **env)  # fmt: skip
        try:
            started = await wait_polling(fake, proc)
            await asyncio.sleep(1.0)  # let start-up finish (commands, scheduler) and settle
            idle = proc.memory()
            chat = fake.group(GROUP, "Bench team")
            people = [fake.user(9000 + i, f"Person {i}", f"person{i}") for i in range(PEOPLE)]
            for person in people:  # warm-up: team and members registered, code paths hot
                await _ask(fake, chat, person, "/lead 1")
            for text in SEQUENCE:
                await _ask(fake, chat, people[0], text)
            if profile:
                proc.proc.send_signal(signal.SIGUSR1)
                await asyncio.sleep(0.2)
            result = {
                "start_seconds": started,
                "idle_rss_kib": idle.get("VmRSS"),
                "idle_hwm_kib": idle.get("VmHWM"),
                "throughput": await throughput(fake, proc, chat, people, updates),
            }
            if profile:
                proc.proc.send_signal(signal.SIGUSR2)
                await asyncio.sleep(1.0)
            result["after_throughput_hwm_kib"] = proc.memory().get("VmHWM")
            result["latency"] = await latency(fake, chat, people[0], commands)
            mem = proc.memory()
            result |= {"peak_hwm_kib": mem.get("VmHWM"), "end_rss_kib": mem.get("VmRSS")}
            if fake.errors:
                raise RuntimeError(f"fake errors: {fake.errors[:3]}")
            return result
        except BaseException:
            print(f"--- {module} log tail:\n{proc.tail()}", file=sys.stderr)
            raise
        finally:
            proc.stop()


# --- the fake's own ceiling ---


async def _client(url: str, count: int) -> None:
    """Runs in its own process: sequential sendMessage requests, as aiogram encodes them."""
    import aiohttp

    form = {"chat_id": str(GROUP), "text": "✅ Лиды: +1", "parse_mode": "HTML",
            "reply_parameters": json.dumps({"message_id": 1}),
            "link_preview_options": json.dumps({"is_disabled": True})}  # fmt: skip
    async with aiohttp.ClientSession() as session:
        for _ in range(count):
            async with session.post(f"{url}/bot{TOKEN}/sendMessage", data=form) as resp:
                await resp.read()
                if resp.status != 200:
                    raise SystemExit(f"fake answered {resp.status}")


async def fake_ceiling(count: int) -> dict[str, Any]:
    async with BenchFake() as fake:
        fake.group(GROUP, "Bench team")
        fake.store_message({"message_id": 1, "chat": fake.chats[GROUP], "date": 0, "text": "x"})
        cpu = own_cpu()
        start = time.perf_counter()
        client = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.bench_updates", "--client", fake.base_url, str(count),
            cwd=ROOT,
        )  # fmt: skip
        await asyncio.wait_for(client.wait(), timeout=120)
        took = (fake.last_send or start) - (fake.first_send or start)
        sent = fake.replies.get(GROUP, 0)
        if client.returncode != 0 or sent != count:
            raise RuntimeError(f"fake ceiling client failed ({client.returncode}, {sent} sent)")
        return {
            "requests": count,
            "per_second": (count - 1) / took,
            "fake_cpu_ms_per_request": (own_cpu() - cpu) * 1000 / count,
            "wall_seconds_with_client_start": time.perf_counter() - start,
        }


async def run(updates: int = 2000, commands: int = 300, rounds: int = 1) -> dict[str, Any]:
    """Echo and bot alternately (echo, bot, bot, echo, … for several rounds) against drift."""
    order = [("echo", "bench.echo_bot"), ("bot", "bot")]
    runs: dict[str, list[dict[str, Any]]] = {"echo": [], "bot": []}
    with tempfile.TemporaryDirectory(prefix="kpibench-") as tmp:
        for r in range(rounds):
            for name, module in order if r % 2 == 0 else order[::-1]:
                runs[name].append(await measure(module, updates, commands, Path(tmp)))
    return {"runs": runs, "fake": await fake_ceiling(updates)}


def summary(result: dict[str, Any]) -> dict[str, Any]:
    """Medians over rounds, and the bot against the echo bot."""

    def med(name: str, *path: str) -> float:
        values = []
        for one in result["runs"][name]:
            for key in path:
                one = one[key]
            values.append(one)
        return statistics.median(values)

    out: dict[str, Any] = {}
    for name in ("echo", "bot"):
        out[name] = {
            "per_second": med(name, "throughput", "per_second"),
            "cpu_ms": med(name, "throughput", "bot_cpu_ms_per_update"),
            "fake_cpu_ms": med(name, "throughput", "fake_cpu_ms_per_update"),
            "p50": med(name, "latency", "p50"),
            "p95": med(name, "latency", "p95"),
            "idle_rss": med(name, "idle_rss_kib") / 1024,
            "peak_hwm": med(name, "peak_hwm_kib") / 1024,
            "by_kind": {t: (med(name, "latency", t, "p50"), med(name, "latency", t, "p95"))
                        for t in SEQUENCE},
        }
    out["ratio"] = out["bot"]["per_second"] / out["echo"]["per_second"]
    out["fake"] = result["fake"]
    return out


def report(s: dict[str, Any]) -> str:
    e, b, f = s["echo"], s["bot"], s["fake"]
    lines = [
        f"throughput  echo {e['per_second']:.0f}/s  bot {b['per_second']:.0f}/s  "
        f"ratio {s['ratio']:.2f} (goal >= 0.70)",
        f"  CPU per update: echo {e['cpu_ms']:.2f} ms, bot {b['cpu_ms']:.2f} ms; the fake "
        f"{e['fake_cpu_ms']:.2f} / {b['fake_cpu_ms']:.2f} ms",
        f"  the fake alone: {f['per_second']:.0f} sendMessage/s from one sequential client "
        f"({f['fake_cpu_ms_per_request']:.2f} ms CPU each)",
        f"latency     echo p50 {e['p50']:.1f} ms p95 {e['p95']:.1f} ms   "
        f"bot p50 {b['p50']:.1f} ms p95 {b['p95']:.1f} ms",
    ]
    for text in SEQUENCE:
        (ep50, ep95), (bp50, bp95) = e["by_kind"][text], b["by_kind"][text]
        lines.append(f"  {text:<10} echo {ep50:.1f}/{ep95:.1f} ms  bot {bp50:.1f}/{bp95:.1f} ms")
    lines.append(
        f"memory      echo idle {e['idle_rss']:.0f} MiB peak {e['peak_hwm']:.0f} MiB   "
        f"bot idle {b['idle_rss']:.0f} MiB peak {b['peak_hwm']:.0f} MiB"
    )
    return "\n".join(lines)


def main() -> None:
    if sys.argv[1:2] == ["--client"]:
        asyncio.run(_client(sys.argv[2], int(sys.argv[3])))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--commands", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=1, help="echo/bot pairs, alternating")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--profile", type=Path, help="only the bot, under cProfile, into FILE")
    args = parser.parse_args()
    if args.profile:
        with tempfile.TemporaryDirectory(prefix="kpibench-") as tmp:
            one = asyncio.run(measure("bot", args.updates, args.commands, Path(tmp), args.profile))
        print(json.dumps(one, indent=2))
        print(f"profile written to {args.profile} (python -m pstats {args.profile})")
        return
    result = asyncio.run(run(args.updates, args.commands, args.rounds))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(report(summary(result)))


if __name__ == "__main__":
    main()
