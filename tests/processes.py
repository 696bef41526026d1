"""The fake Bot API and the bot as separate processes, for tests of `kpibot run` itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"


class FakeProcess:
    """`python -m tests.fake_telegram` on a free loopback port, driven over its control API."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fake_telegram", "--port", "0", "--token", TOKEN],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # "fake telegram listening on http://127.0.0.1:P"
        self.url = line.strip().rsplit(" ", 1)[-1]
        if not self.url.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError(f"fake did not start: {line!r}")

    def request(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            f"{self.url}/_fake/{path}",
            data=data,
            method="POST" if data else "GET",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    def sent(self, since: int = 0) -> list[dict[str, Any]]:
        return list(self.request(f"sent?since={since}"))

    def wait_sent(self, count: int, since: int, chat_id: int, timeout: float = 20) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [s for s in self.sent(since) if s["chat_id"] == chat_id]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise TimeoutError(f"expected {count} message(s) to {chat_id}; sent: {self.sent(since)}")

    def say(self, text: str, user_id: int, chat_id: int | None = None, **extra: Any) -> str:
        """A message from a person (in a group when chat_id is given); the bot's reply text."""
        since = len(self.sent())
        body = {"user_id": user_id, "first_name": extra.pop("first_name", f"User{user_id}"),
                "text": text, **extra}  # fmt: skip
        if chat_id is not None:
            body |= {"chat_id": chat_id, "chat_type": "supergroup"}
        self.request("message", body)
        reply = self.wait_sent(1, since, chat_id if chat_id is not None else user_id)
        return str(reply[0]["message"].get("text", ""))

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.communicate(timeout=10)  # also closes the pipe


def bot_env(fake_url: str | None, db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    env |= {"BOT_TOKEN": TOKEN, "DATABASE_PATH": str(db), "POLLING_TIMEOUT": "1",
            "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1"}  # fmt: skip
    if fake_url:
        env["TELEGRAM_API_URL"] = fake_url
    env |= extra
    return env


def start_bot(env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=cwd, env=env | {"PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
