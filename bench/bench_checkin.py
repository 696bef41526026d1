"""The check-in and the live scoreboard in the real bot process (`python -m bot run`).

1. Latency: one person alternates `/lead 1` in the group with a check-in in the private chat
   (tap «Лиды», «1», «✅»); a press is timed from queuing the callback to the bot's
   answerCallbackQuery, a command from queuing it to the reply (the clock starts once the
   fake has built the update: building a press copies the message and its keyboard, ~0.3 ms
   of the driver's that the bot never sees). Goal: a press answers within the latency of
   /lead. 150 rounds: a p95 of 30 /lead samples is their second-highest, one
   slow moment of the machine; of 150 it is the eighth.
2. The scoreboard under load: a manager pins it, then people log in the group for
   `--seconds` (default 130) at `--per-minute` entries a minute. The fake enforces Telegram's
   limits and counts editMessageText against the group's 20 a minute too. Goals: 0 answers
   of 429, at most one edit a minute, no 60-second window over 20 messages in the group.

    python -m bench.bench_checkin [--rounds 150] [--seconds 130] [--per-minute 15] [--json F]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import BenchFake, BotProcess, pct, wait_polling
from tests.checkin_helpers import button
from tests.fake_telegram import Call

GROUP = -1001888000001
REPLY_TIMEOUT = 30.0


class BoardFake(BenchFake):
    """Notes the time of every message and edit accepted in the group (the fake itself counts
    edits against the group's 20 a minute, as Telegram does)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.group_stamps: list[float] = []
        self.queued_at = 0.0  # when the last update was queued: the bot may fetch it from then

    def queue_raw(self, update: dict[str, Any]) -> dict[str, Any]:
        queued = super().queue_raw(update)
        self.queued_at = time.perf_counter()
        return queued

    def _limited(self, call: Call, handler: Callable[[Call], Any]) -> Any:
        result = super()._limited(call, handler)  # BenchFake counts the 429 answers
        if (
            call.method in ("sendMessage", "editMessageText")
            and call.params.get("chat_id") == GROUP
        ):
            self.group_stamps.append(time.monotonic())
        return result


async def _reply(fake: BoardFake, chat: dict, user: dict, text: str) -> float:
    update = fake.send_message(chat, user, text)
    start = fake.queued_at  # not the fake's building of the update (press: the same)
    await asyncio.wait_for(
        fake.reply_to(chat["id"], update["message"]["message_id"]), REPLY_TIMEOUT
    )
    return time.perf_counter() - start


async def _press(fake: BoardFake, chat_id: int, message_id: int, label: str, user: dict) -> float:
    """Seconds from the tap to its answer; returns once the message is edited too."""
    current = fake.message(chat_id, message_id)
    assert current is not None
    calls = len(fake.calls)
    fake.press_button(current, button(current, label), user)
    start = fake.queued_at
    await fake.wait_calls("answerCallbackQuery", since=calls, timeout=REPLY_TIMEOUT)
    answered = time.perf_counter() - start
    await fake.wait_calls("editMessageText", since=calls, timeout=REPLY_TIMEOUT)
    await fake.wait_idle()
    return answered


async def _open_checkin(fake: BoardFake, private: dict, user: dict) -> int:
    mark = fake.mark()
    fake.send_message(private, user, "/checkin")
    deadline = time.monotonic() + REPLY_TIMEOUT
    while time.monotonic() < deadline:
        found = [s for s in fake.sent[mark:] if s.buttons and s.chat_id == private["id"]]
        if found:
            return int(found[0].message["message_id"])
        await asyncio.sleep(0.02)
    raise TimeoutError("no check-in message")


async def latency(fake: BoardFake, group: dict, user: dict, rounds: int) -> dict[str, Any]:
    private = fake.private_chat(user)
    lead: list[float] = []
    by_label: dict[str, list[float]] = {"Лиды": [], "1": [], "✅": []}
    for _ in range(rounds):
        lead.append(await _reply(fake, group, user, "/lead 1") * 1000)
        msg = await _open_checkin(fake, private, user)
        for label, samples in by_label.items():
            samples.append(await _press(fake, private["id"], msg, label, user) * 1000)
    presses = [x for xs in by_label.values() for x in xs]

    def figures(xs: list[float]) -> dict[str, float]:
        return {"p50": pct(xs, 50), "p95": pct(xs, 95), "n": len(xs)}

    return {
        "lead": figures(lead),
        "press": figures(presses),
        "by_press": {label: figures(xs) for label, xs in by_label.items()},
    }


def _busiest_minute(stamps: list[float]) -> int:
    best, j = 0, 0
    for i, start in enumerate(stamps):
        while j < len(stamps) and stamps[j] - start < 60:
            j += 1
        best = max(best, j - i)
    return best


async def scoreboard(
    fake: BoardFake, group: dict, manager: dict, people: list[dict], seconds: float,
    per_minute: int,
) -> dict[str, Any]:  # fmt: skip
    await _reply(fake, group, manager, "/target leads 500 month")
    fake.reset_counters()
    fake.group_stamps.clear()
    fake.enforce_limits(30, 20)
    calls = len(fake.calls)
    fake.send_message(group, manager, "/pin")
    await fake.wait_calls("pinChatMessage", since=calls, timeout=REPLY_TIMEOUT)
    start = time.monotonic()
    gap, n = 60 / per_minute, 0
    while time.monotonic() - start < seconds:
        await _reply(fake, group, people[n % len(people)], "/lead 1")
        n += 1
        await asyncio.sleep(max(0.0, start + n * gap - time.monotonic()))
    await asyncio.sleep(25)  # the last minute's entries: the bot's 20-second tick edits them
    edits = [c for c in fake.calls[calls:] if c.method == "editMessageText"]
    at = [c.at for c in edits]
    closest = min((b - a for a, b in itertools.pairwise(at)), default=None)
    return {
        "entries": n,
        "seconds": time.monotonic() - start,
        "edits": len(edits),
        "edits_ok": sum(c.status == 200 for c in edits),
        "closest_edits_s": closest,
        "refused_429": fake.refused,
        "busiest_minute_in_group": _busiest_minute(fake.group_stamps),
    }


async def run(rounds: int, seconds: float, per_minute: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kpibench-checkin-") as tmp:
        async with BoardFake() as fake:
            proc = BotProcess("bot", fake.base_url, Path(tmp) / "kpi.sqlite3",
                              Path(tmp) / "bot.log", POLLING_TIMEOUT="30")  # fmt: skip
            fake.enforce_limits(None, None)  # warm-up and latency: one person, many commands
            try:
                await wait_polling(fake, proc)
                group = fake.group(GROUP, "Bench team")
                manager = fake.user(8000, "Manager", "manager", language_code="ru")
                people = [fake.user(8001 + i, f"P{i}", f"p{i}", language_code="ru")
                          for i in range(5)]  # fmt: skip
                fake.set_admins(GROUP, [manager["id"], fake.bot_user["id"]])
                for person in [manager, *people]:  # warm-up: members registered, paths hot
                    await _reply(fake, group, person, "/lead 1")
                result = {"latency": await latency(fake, group, people[0], rounds)}
                result["scoreboard"] = await scoreboard(
                    fake, group, manager, people, seconds, per_minute
                )
                if fake.errors:
                    raise RuntimeError(f"fake errors: {fake.errors[:3]}")
                return result
            except BaseException:
                print(f"--- bot log tail:\n{proc.tail()}", file=sys.stderr)
                raise
            finally:
                proc.stop()


def report(r: dict[str, Any]) -> str:
    lat, board = r["latency"], r["scoreboard"]
    closest = board["closest_edits_s"]
    return "\n".join([
        f"latency /lead   p50 {lat['lead']['p50']:.1f} ms  p95 {lat['lead']['p95']:.1f} ms"
        f"  (n={lat['lead']['n']})",
        f"latency press   p50 {lat['press']['p50']:.1f} ms  p95 {lat['press']['p95']:.1f} ms"
        f"  (n={lat['press']['n']}; "
        + ", ".join(f"{k} {v['p50']:.1f} / {v['p95']:.1f}" for k, v in lat["by_press"].items())
        + ")",
        f"scoreboard: {board['entries']} entries in {board['seconds']:.0f} s, "
        f"{board['edits']} edits ({board['edits_ok']} accepted), closest two "
        f"{'-' if closest is None else f'{closest:.1f} s'} apart, "
        f"429 answers {board['refused_429']}, busiest minute in the group "
        f"{board['busiest_minute_in_group']}/20",
    ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=150)
    parser.add_argument("--seconds", type=float, default=130.0)
    parser.add_argument("--per-minute", type=int, default=15)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = asyncio.run(run(args.rounds, args.seconds, args.per_minute))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(report(result))


if __name__ == "__main__":
    main()
