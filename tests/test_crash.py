"""SIGKILL mid-burst: every command is stored once and acknowledged once, nothing is lost.

The bot runs as a real process against the standalone fake over HTTP. A batch is confirmed
to Telegram (the getUpdates offset) once it is stored in the inbox (bot/inbox.py), and
deleted from there once handled, so the restarted bot handles again the stored batches the
killed one had not finished, some of whose commands it had stored and confirmed: they must
count once, and be acknowledged once. 500 commands in one
group are far over Telegram's 20 messages a minute, so most confirmations arrive merged
(bot/delivery/outbox.py): each person named with the values they logged.
"""

from __future__ import annotations

import re
import signal
import sqlite3
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

from tests.processes import FakeProcess, bot_env, start_bot

GROUP = -1009191
BURST = 500
PEOPLE = 5
# Entries committed before the kill: early in the third batch, as the bot takes 100 at a time.
KILL_AT = 220
# Seconds for the whole test, start-ups included. The restarted process starts with an empty
# rate limiter while Telegram still counts the minute before the kill: its first merged
# confirmation can meet a 429 and wait out up to a minute.
TIME_LIMIT = 180.0
MERGED_LINE = re.compile(r"👤 (P\d+) — [^<]*<b>\+([^<]+)</b>")


def _acknowledged(fake: FakeProcess, people: dict[int, int]) -> Counter[int]:
    """How many commands the bot acknowledged per person: a confirmation on its own (a ✅
    reply quoting the command) counts one, a merged one counts each value it names."""
    seen: Counter[int] = Counter()
    for sent in fake.sent():
        params = sent["params"]
        text = params.get("text", "")
        if sent["chat_id"] != GROUP or "✅" not in text:
            continue
        lines = MERGED_LINE.findall(text)
        for name, values in lines:
            seen[int(name[1:])] += len(values.split(", +"))
        reply = params.get("reply_parameters") or {}
        if not lines and reply:
            seen[people[int(reply["message_id"])]] += 1
    return seen


def _wait(condition, deadline: float, describe) -> None:
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise TimeoutError(describe())


def _stored(db: Path) -> tuple[list[tuple[int, int]], float, int, Counter[str]]:
    """(message id, live entries) per command, their total, all rows (deleted too), and
    outbox rows by state."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        per_message = conn.execute(
            "SELECT source_message_id, COUNT(*) FROM entries WHERE team_id = ?"
            " AND deleted_at IS NULL GROUP BY source_message_id",
            (GROUP,),
        ).fetchall()
        total = conn.execute(
            "SELECT COALESCE(SUM(value), 0) FROM entries WHERE team_id = ? AND metric = 'leads'"
            " AND deleted_at IS NULL",
            (GROUP,),
        ).fetchone()[0]
        rows = conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
        states = Counter(dict(conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state")))
    return per_message, total, rows, states


def _inbox(db: Path) -> set[int]:
    """The update ids of the batches stored in the inbox and not yet deleted."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        batches = conn.execute("SELECT first_update_id, last_update_id FROM inbox").fetchall()
    return {i for first, last in batches for i in range(first, last + 1)}


def _committed(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            return conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
    except sqlite3.OperationalError:  # not migrated yet
        return 0


def _confirmed_offset(fake: FakeProcess) -> int:
    """The highest getUpdates offset the bot sent: updates below it are gone from Telegram."""
    offsets = [int(c["params"].get("offset", 0)) for c in fake.request("calls")
               if c["method"] == "getUpdates"]  # fmt: skip
    return max(offsets, default=0)


def test_sigkill_mid_burst_loses_and_duplicates_nothing(tmp_path):
    deadline = time.monotonic() + TIME_LIMIT
    db = tmp_path / "kpi.sqlite3"
    fake = FakeProcess()
    bot = None
    try:
        commands: dict[int, int] = {}  # message id -> person
        updates: dict[int, int] = {}  # message id -> update id
        for i in range(BURST):  # queued before the bot starts: it drains them 100 at a time
            user = 700 + i % PEOPLE
            update = fake.request("message", {
                "user_id": user, "first_name": f"P{user}", "chat_id": GROUP,
                "chat_type": "supergroup", "chat_title": "Crash", "text": "/lead 1",
            })  # fmt: skip
            commands[update["message"]["message_id"]] = user
            updates[update["message"]["message_id"]] = update["update_id"]
        bot = start_bot(bot_env(fake.url, db), tmp_path)
        _wait(
            lambda: _committed(db) >= KILL_AT,
            deadline,
            lambda: f"{_committed(db)} entries committed before the time limit",
        )
        bot.send_signal(signal.SIGKILL)
        bot.communicate(timeout=10)
        before_kill = _acknowledged(fake, commands)
        mid_way = _stored(db)[0]  # what the killed process had committed
        confirmed = _confirmed_offset(fake)
        kept = _inbox(db)  # what it had taken from Telegram and not finished
        assert len(mid_way) < BURST, "the kill came too late to test anything"

        bot = start_bot(bot_env(fake.url, db), tmp_path)
        _wait(
            lambda: sum(_acknowledged(fake, commands).values()) >= BURST,
            deadline,
            lambda: (
                f"acknowledged {_acknowledged(fake, commands)} of {BURST},"
                f" {before_kill} before the kill"
            ),
        )
        time.sleep(0.5)  # anything sent twice would be on its way by now
        acknowledged = _acknowledged(fake, commands)
    finally:
        try:
            if bot is not None:
                bot.send_signal(signal.SIGTERM)
                bot.communicate(timeout=30)
        finally:
            if bot is not None:
                bot.kill()
            fake.stop()

    per_message, total, rows, outbox = _stored(db)
    stored = dict(per_message)
    per_person = Counter(commands.values())
    committed_by = Counter(commands[m] for m, _ in mid_way)
    # Acknowledged only once committed, each command once (redeliveries included), and none
    # lost across the kill.
    assert all(before_kill[p] <= committed_by[p] for p in before_kill)
    assert acknowledged == per_person
    assert set(stored) == set(commands)  # every command stored…
    assert set(stored.values()) == {1}  # …exactly once, redeliveries included
    assert total == BURST
    assert rows == BURST  # no duplicate written and then hidden either
    assert outbox == {"sent": BURST}  # one confirmation per command, each sent
    # Whatever Telegram had forgotten at the kill was stored or kept in the inbox…
    done = dict(mid_way)
    assert all(m in done or u in kept for m, u in updates.items() if u < confirmed)
    # …and the restarted bot really handled again commands the killed one had stored (and
    # confirmed): that is what the idempotent save and outbox absorbed.
    again = [m for m, _ in mid_way if updates[m] in kept]
    assert again
    assert _inbox(db) == set()  # the restarted bot finished and deleted every batch
