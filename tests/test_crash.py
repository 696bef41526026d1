"""SIGKILL mid-burst: every confirmed entry is stored exactly once, redelivery adds nothing."""

from __future__ import annotations

import signal
import sqlite3
import time

from tests.processes import FakeProcess, bot_env, start_bot

GROUP = -1009191
BURST = 500
KILL_AFTER = 150  # confirmations seen before the kill


def _confirmed(fake: FakeProcess) -> set[int]:
    """Message ids of /lead commands the bot confirmed (its replies say ✅)."""
    done = set()
    for sent in fake.sent():
        params = sent["params"]
        reply = params.get("reply_parameters") or {}
        if sent["chat_id"] == GROUP and "✅" in params.get("text", "") and reply:
            done.add(int(reply["message_id"]))
    return done


def _wait(condition, timeout: float, describe) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise TimeoutError(describe())


def _stderr(proc) -> str:
    proc.kill()
    return proc.communicate(timeout=10)[1][-3000:]


def test_sigkill_mid_burst_loses_and_duplicates_nothing(tmp_path):
    db = tmp_path / "kpi.sqlite3"
    fake = FakeProcess()
    bot = start_bot(bot_env(fake.url, db), tmp_path)
    try:
        commands = []
        for i in range(BURST):
            user = 700 + i % 5
            update = fake.request("message", {
                "user_id": user, "first_name": f"P{user}", "chat_id": GROUP,
                "chat_type": "supergroup", "chat_title": "Crash", "text": "/lead 1",
            })  # fmt: skip
            commands.append(update["message"]["message_id"])
        _wait(lambda: len(_confirmed(fake)) >= KILL_AFTER, 60, lambda: "no confirmations")
        bot.send_signal(signal.SIGKILL)
        bot.communicate(timeout=10)
        before_restart = _confirmed(fake)
        assert len(before_restart) < BURST, "the kill came too late to test anything"

        bot = start_bot(bot_env(fake.url, db), tmp_path)
        _wait(
            lambda: _confirmed(fake) >= set(commands),
            80,
            lambda: (
                f"confirmed {len(_confirmed(fake))} of {BURST},"
                f" {len(before_restart)} before the kill; bot stderr: {_stderr(bot)}"
            ),
        )
        confirmed = _confirmed(fake)
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.communicate(timeout=30)
        fake.stop()

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT source_message_id, COUNT(*) FROM entries WHERE team_id = ?"
            " AND deleted_at IS NULL GROUP BY source_message_id",
            (GROUP,),
        ).fetchall()
        total = conn.execute("SELECT SUM(value) FROM entries WHERE team_id = ?", (GROUP,))
        total_value = total.fetchone()[0]
    per_message = dict(rows)
    assert set(per_message) == set(commands)  # every confirmed command is stored…
    assert set(per_message.values()) == {1}  # …exactly once
    assert total_value == BURST == len(confirmed)
