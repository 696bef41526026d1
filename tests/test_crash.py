"""SIGKILL mid-burst: every confirmed entry is stored exactly once, redelivery adds nothing.

The bot runs as a real process against the standalone fake over HTTP. Updates are confirmed
to Telegram (the getUpdates offset) only after a batch is handled, so the ones handled since
the last getUpdates come back to the restarted bot: they must not count twice.
"""

from __future__ import annotations

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
# Confirmations seen before the kill: mid-batch, as the bot takes updates 100 at a time.
KILL_AFTER = 250
TIME_LIMIT = 80.0  # seconds for the whole test, start-ups included


def _confirmations(fake: FakeProcess) -> Counter[int]:
    """How often the bot confirmed each /lead message (its ✅ replies quote the command)."""
    seen: Counter[int] = Counter()
    for sent in fake.sent():
        params = sent["params"]
        reply = params.get("reply_parameters") or {}
        if sent["chat_id"] == GROUP and "✅" in params.get("text", "") and reply:
            seen[int(reply["message_id"])] += 1
    return seen


def _wait(condition, deadline: float, describe) -> None:
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise TimeoutError(describe())


def _stored(db: Path) -> tuple[list[tuple[int, int]], float, int]:
    """(message id, live entries) per command, their total, and all rows (deleted too)."""
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
    return per_message, total, rows


def test_sigkill_mid_burst_loses_and_duplicates_nothing(tmp_path):
    deadline = time.monotonic() + TIME_LIMIT
    db = tmp_path / "kpi.sqlite3"
    fake = FakeProcess()
    bot = None
    try:
        commands = []
        for i in range(BURST):  # queued before the bot starts: it drains them 100 at a time
            user = 700 + i % PEOPLE
            update = fake.request("message", {
                "user_id": user, "first_name": f"P{user}", "chat_id": GROUP,
                "chat_type": "supergroup", "chat_title": "Crash", "text": "/lead 1",
            })  # fmt: skip
            commands.append(update["message"]["message_id"])
        bot = start_bot(bot_env(fake.url, db), tmp_path)
        _wait(
            lambda: len(_confirmations(fake)) >= KILL_AFTER,
            deadline,
            lambda: f"{len(_confirmations(fake))} confirmations before the time limit",
        )
        bot.send_signal(signal.SIGKILL)
        bot.communicate(timeout=10)
        before_kill = _confirmations(fake)
        assert len(before_kill) < BURST, "the kill came too late to test anything"
        mid_way = _stored(db)[0]  # what the killed process had committed

        bot = start_bot(bot_env(fake.url, db), tmp_path)
        _wait(
            lambda: set(_confirmations(fake)) >= set(commands),
            deadline,
            lambda: (
                f"confirmed {len(_confirmations(fake))} of {BURST},"
                f" {len(before_kill)} before the kill"
            ),
        )
        confirmations = _confirmations(fake)
    finally:
        try:
            if bot is not None:
                bot.send_signal(signal.SIGTERM)
                bot.communicate(timeout=30)
        finally:
            if bot is not None:
                bot.kill()
            fake.stop()

    per_message, total, rows = _stored(db)
    stored = dict(per_message)
    assert set(before_kill) <= {m for m, _ in mid_way}  # confirmed only once committed
    assert set(stored) == set(commands) == set(confirmations)  # every command stored…
    assert set(stored.values()) == {1}  # …exactly once, redeliveries included
    assert total == len(confirmations) == BURST
    assert rows == BURST  # no duplicate written and then hidden either
    # The restarted bot really was handed updates the killed one had handled (and confirmed
    # to the person) but not to Telegram: that is what the idempotent save absorbed.
    again = [m for m, n in confirmations.items() if n > 1]
    assert again and set(again) <= set(before_kill) | {m for m, _ in mid_way}
