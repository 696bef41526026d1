"""`kpibot run` as a real process: clear one-line failures, and a real conversation."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator

import pytest

from tests.processes import TOKEN, FakeProcess, bot_env, start_bot

GROUP = -1002020


@pytest.fixture
def fake_process() -> Iterator[FakeProcess]:
    fake = FakeProcess()
    yield fake
    fake.stop()


def _fails(env: dict[str, str], cwd) -> str:
    proc = start_bot(env, cwd)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, (out, err)
    assert "Traceback" not in err and TOKEN.split(":")[1] not in err + out
    lines = [line for line in err.splitlines() if line.startswith("kpibot:")]
    assert len(lines) == 1, err
    return lines[0]


def test_missing_token(tmp_path):
    env = bot_env(None, tmp_path / "kpi.sqlite3")
    del env["BOT_TOKEN"]
    assert "BOT_TOKEN" in _fails(env, tmp_path)


def test_malformed_token(tmp_path):
    env = bot_env(None, tmp_path / "kpi.sqlite3", BOT_TOKEN="not-a-token")
    assert "malformed" in _fails(env, tmp_path)


def test_unreachable_api(tmp_path):
    env = bot_env("http://127.0.0.1:9", tmp_path / "kpi.sqlite3")
    assert "cannot reach the Bot API at http://127.0.0.1:9" in _fails(env, tmp_path)


def test_unwritable_database_path(tmp_path, fake_process):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    env = bot_env(fake_process.url, blocker / "kpi.sqlite3")
    assert "cannot open the database" in _fails(env, tmp_path)


def test_group_and_private_conversation_then_clean_stop(tmp_path, fake_process):
    db = tmp_path / "kpi.sqlite3"
    bot = start_bot(bot_env(fake_process.url, db), tmp_path)
    try:
        fake = fake_process
        reply = fake.say("/lead 3", 501, GROUP, chat_title="Команда", first_name="Аня")
        assert "Лиды: <b>+3</b> → 3" in reply
        # No date: the process runs on the real clock, and "вчера" on the 1st is last month.
        reply = fake.say("/post 2 из рассылки", 502, GROUP, chat_title="Команда", first_name="Бо")
        assert "Публикации: <b>+2</b>" in reply
        reply = fake.say("/kpi", 501, language_code="ru")  # private chat: the one team
        assert "Команда" in reply and "Лиды: <b>3</b>" in reply
        reply = fake.say("/me", 502, language_code="en")
        assert "Posts: <b>2</b>" in reply
    finally:
        bot.send_signal(signal.SIGTERM)
        try:
            _, err = bot.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            bot.kill()
            raise
    assert bot.returncode == 0, err
    assert "Traceback" not in err and TOKEN.split(":")[1] not in err


def test_webhook_without_secret(tmp_path):
    env = bot_env(None, tmp_path / "kpi.sqlite3", WEBHOOK_URL="https://kpi.example/hook")
    assert "WEBHOOK_SECRET" in _fails(env, tmp_path)
