"""Channel traffic (issue 11): 1,000 mixed channel updates against 1,000 `/lead` commands.

The real bot process (`python -m bot run`, SQLite in WAL mode) long-polls the fake Bot API,
with a linked channel, its discussion group and a member's Business account. Then, in turn:

1. 1,000 `/lead` commands from 20 people in the team's group (the reference);
2. 1,000 channel updates, mixed as a busy channel makes them: posts (each with its
   automatic forward into the discussion group), reaction counts, joins (some through an
   invite link) and leaves, comments and the team's replies, customer chats and replies.

Each is timed from the first update queued until every one of them is handled: the bot has
confirmed them all to Telegram (once a batch is stored, before it is handled) and its inbox
table is empty (a batch is deleted once every update of it is handled and what it left
behind is written); for `/lead` also the last reply received. Three
rounds by default, in turns (lead, channel; channel, lead; lead, channel), and the medians
compared: each run takes ~3 s, and one slow moment of a shared machine decided a single
pair. The goal: channel updates at least as fast as `/lead`. Afterwards the database is
checked: every post, join and comment counted once.

    python -m bench.bench_capture [--updates 1000] [--rounds 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import BenchFake, BotProcess, own_cpu, wait_polling
from tests import fake_channel as tg

GROUP, CHANNEL, TALK = -1001888000001, -1001888000002, -1001888000003
PEOPLE = 20
MIX = ("post", "reaction", "reaction", "join", "join", "leave", "comment", "reply",
       "customer", "answer")  # fmt: skip
TIMEOUT = 180.0


async def _drained(fake: BenchFake, timeout: float) -> float:
    """Until the bot has confirmed every queued update; the time it happened."""
    deadline = time.perf_counter() + timeout
    while fake.pending_updates:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{len(fake.pending_updates)} updates still unconfirmed")
        await asyncio.sleep(0.005)
    return time.perf_counter()


async def _handled(fake: BenchFake, db: Path, timeout: float) -> float:
    """Until every queued update is confirmed and handled (the bot's inbox is empty); the time
    it happened. The database is read as another process would (WAL: the bot never waits)."""
    await _drained(fake, timeout)
    deadline = time.perf_counter() + timeout
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        while conn.execute("SELECT COUNT(*) FROM inbox").fetchone()[0]:
            if time.perf_counter() > deadline:
                raise TimeoutError("batches still in the bot's inbox")
            await asyncio.sleep(0.005)
    return time.perf_counter()


async def _settle(fake: BenchFake, proc: BotProcess) -> None:
    await _drained(fake, TIMEOUT)
    await fake.wait_idle(timeout=30)
    if not proc.alive():
        raise RuntimeError(f"bot exited:\n{proc.tail()}")


async def _invite_link(fake: BenchFake) -> str:
    """The link `/invite` made. Waited for: on a slow machine the fake can fall quiet
    (`wait_idle`) while the handler still waits for its write, before it asks Telegram."""
    deadline = time.perf_counter() + TIMEOUT
    while not tg.world(fake).links:
        if time.perf_counter() > deadline:
            raise TimeoutError("/invite made no invite link")
        await asyncio.sleep(0.05)
    return next(iter(tg.world(fake).links))


async def leads(fake: BenchFake, proc: BotProcess, db: Path, chat: dict, people: list[dict],
                count: int) -> dict[str, Any]:  # fmt: skip
    done = fake.replies_reach(chat["id"], fake.replies.get(chat["id"], 0) + count)
    cpu, start = proc.cpu(), time.perf_counter()
    for i in range(count):
        fake.send_message(chat, people[i % len(people)], f"/lead {1 + i % 3}")
        if i % 100 == 99:
            await asyncio.sleep(0)
    last_reply = await asyncio.wait_for(done, TIMEOUT)
    took = max(last_reply, await _handled(fake, db, TIMEOUT)) - start
    return {"updates": count, "seconds": took, "per_second": count / took,
            "bot_cpu_ms_per_update": (proc.cpu() - cpu) * 1000 / count}  # fmt: skip


async def channel_traffic(fake: BenchFake, proc: BotProcess, db: Path, chan: dict,
                          talk: dict, people: list[dict], link: str, count: int,
                          base: int = 0) -> dict[str, Any]:  # fmt: skip
    """`base` is added to the ids of fans, readers and customers: each round's are new."""
    first_id = fake._next_update_id
    posts, fans, threads, queued = [], 0, [], 0
    cpu, start = proc.cpu(), time.perf_counter()
    i = 0
    while fake._next_update_id - first_id < count:
        kind = MIX[i % len(MIX)]
        fake.now += 7  # seconds between events, so reply times are real
        if kind == "post" or not posts:
            update = tg.post(fake, chan, signature=people[i % len(people)]["first_name"])
            posts.append(update["channel_post"]["message_id"])
            threads.append(tg.thread_of(fake, chan, update))
        elif kind == "reaction":
            tg.reactions(fake, chan, posts[-1 - i % min(3, len(posts))], i % 50, i % 7)
        elif kind in ("join", "leave"):
            fans += kind == "join"
            fan = fake.user(base + 50_000 + fans, f"Fan {fans}")
            if kind == "join":
                tg.join(fake, chan, fan, link if fans % 3 == 0 else None)
            else:
                tg.leave(fake, chan, fake.user(base + 50_000 + max(1, fans - 1), "Fan"))
        elif kind == "comment":
            reader = fake.user(base + 70_000 + i, f"Reader {i}")
            tg.comment(fake, talk, threads[-1], user=reader)
        elif kind == "reply":
            tg.comment(fake, talk, threads[-1], user=people[i % len(people)])
        else:
            customer = fake.user(base + 90_000 + i // len(MIX), "Customer")
            sender = customer if kind == "customer" else people[0]
            tg.business_message(fake, "bench-biz", customer, sender)
        i += 1
        if i % 100 == 99:
            await asyncio.sleep(0)
    queued = fake._next_update_id - first_id
    took = await _handled(fake, db, TIMEOUT) - start
    return {"updates": queued, "seconds": took, "per_second": queued / took, "posts": len(posts),
            "joins": fans, "bot_cpu_ms_per_update": (proc.cpu() - cpu) * 1000 / queued}  # fmt: skip


async def measure(count: int, tmp: Path, rounds: int = 3) -> dict[str, Any]:
    async with BenchFake() as fake:
        db = tmp / "capture.sqlite3"
        # Limits lifted as in the /lead throughput bench: it compares the bot with itself.
        proc = BotProcess(
            "bench.unpaced_bot", fake.base_url, db, tmp / "capture.log", POLLING_TIMEOUT="30"
        )
        try:
            await wait_polling(fake, proc)
            await asyncio.sleep(1.0)
            chat = fake.group(GROUP, "Bench team")
            talk = fake.group(TALK, "Bench discussion")
            chan = tg.channel(fake, CHANNEL, "Bench", "bench_chan", subscribers=5000,
                              discussion=talk)  # fmt: skip
            people = [fake.user(9000 + i, f"Person{i}", f"person{i}") for i in range(PEOPLE)]
            fake.set_admins(GROUP, [people[0]["id"]])
            for person in people:  # warm-up: team and members registered
                fake.send_message(chat, person, "/lead 1")
            fake.send_message(chat, people[0], "/channel @bench_chan")
            fake.send_message(chat, people[0], "/invite Bench")
            fake.now = int(time.time())
            tg.connect_business(fake, people[0], "bench-biz")
            await _settle(fake, proc)
            link = await _invite_link(fake)
            runs: dict[str, list[dict[str, Any]]] = {"lead": [], "channel": []}
            for r in range(rounds):  # in turns, against a machine that drifts
                for kind in ("lead", "channel") if r % 2 == 0 else ("channel", "lead"):
                    if kind == "lead":
                        runs[kind].append(await leads(fake, proc, db, chat, people, count))
                    else:
                        base = r * 100_000
                        runs[kind].append(await channel_traffic(
                            fake, proc, db, chan, talk, people, link, count, base))  # fmt: skip
                    await _settle(fake, proc)
            if fake.errors:
                raise RuntimeError(f"fake errors: {fake.errors[:3]}")
        except BaseException:
            print(f"--- bot log tail:\n{proc.tail()}", file=sys.stderr)
            raise
        finally:
            proc.stop()
        result = {kind: _median(done) for kind, done in runs.items()}
        result |= {"rounds": runs, "counted": _counted(db)}
        return result


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median round's speed and CPU; updates, posts and joins summed over the rounds."""
    keys = ("seconds", "per_second", "bot_cpu_ms_per_update")
    out: dict[str, Any] = {key: statistics.median(r[key] for r in runs) for key in keys}
    out["updates"] = runs[0]["updates"]
    for key in ("posts", "joins"):
        if key in runs[0]:
            out[key] = sum(r[key] for r in runs)
    return out


def _counted(db: Path) -> dict[str, float]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute(
            "SELECT metric, SUM(value) FROM entries WHERE captured IS NOT NULL"
            " AND deleted_at IS NULL AND metric IN ('posts', 'new_followers', 'comments')"
            " GROUP BY metric"
        ).fetchall())  # fmt: skip


def report(r: dict[str, Any]) -> str:
    lead, chan = r["lead"], r["channel"]
    ratio = chan["per_second"] / lead["per_second"]
    each = {k: ", ".join(f"{x['per_second']:.0f}" for x in r["rounds"][k]) for k in r["rounds"]}
    return "\n".join([
        f"/lead       {lead['updates']} updates in {lead['seconds']:.2f} s: "
        f"{lead['per_second']:.0f}/s, bot CPU {lead['bot_cpu_ms_per_update']:.2f} ms each",
        f"channel     {chan['updates']} updates in {chan['seconds']:.2f} s: "
        f"{chan['per_second']:.0f}/s, bot CPU {chan['bot_cpu_ms_per_update']:.2f} ms each",
        f"ratio       channel / lead {ratio:.2f} (goal >= 1.00), of the medians; each round: "
        f"/lead {each['lead']}/s, channel {each['channel']}/s",
        f"counted     {r['counted']} (posts {chan['posts']}, joins {chan['joins']} queued)",
    ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="lead/channel pairs, in turns")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()
    cpu = own_cpu()
    with tempfile.TemporaryDirectory(prefix="kpibench-capture-") as tmp:
        result = asyncio.run(measure(args.updates, Path(tmp), args.rounds))
    result["driver_cpu_seconds"] = own_cpu() - cpu
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(report(result))


if __name__ == "__main__":
    main()
