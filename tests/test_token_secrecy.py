"""BOT_TOKEN never reaches what `kpibot run` prints: one-line errors, log lines, tracebacks.

aiogram puts the token in the request path (/bot<token>/getMe) and aiohttp's errors quote
the URL, so every test here runs the real process and searches all of its output.
"""

from __future__ import annotations

import io
import json
import logging
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest

from bot.config import Settings, api_url_problem
from bot.redaction import MASK, Redactor
from tests.processes import TOKEN, FakeProcess, bot_env, start_bot

SECRET = TOKEN.split(":")[1]
NOT_HTTP = b"SSH-2.0-OpenSSH_9.6\r\n"  # what a wrong port may answer


class StandIn:
    """A Bot API on loopback that answers getMe and `true` to the rest, except `garbage_for`,
    which gets bytes that are not HTTP (a proxy or a port that is not the Bot API's)."""

    def __init__(self, garbage_for: str) -> None:
        self.garbage_for = garbage_for
        self.methods: list[str] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                with suppress(OSError):  # the bot hung up: its retry comes as a new one
                    self._answer(conn)

    def _answer(self, conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        while length and len(body) < int(length.group(1)) and (chunk := conn.recv(65536)):
            body += chunk
        method = head.split(b" ")[1].decode().rsplit("/", 1)[-1]
        self.methods.append(method)
        if method == self.garbage_for:
            conn.sendall(NOT_HTTP)
            return
        me = {"id": 123456, "is_bot": True, "first_name": "KPI", "username": "kpi_test_bot"}
        payload = json.dumps({"ok": True, "result": me if method == "getMe" else True}).encode()
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close"
                     b"\r\nContent-Length: %d\r\n\r\n%s" % (len(payload), payload))  # fmt: skip

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()


@pytest.fixture
def stand_in(request) -> Iterator[StandIn]:
    server = StandIn(request.param)
    yield server
    server.close()


def _finish(proc: subprocess.Popen[str]) -> tuple[int, str]:
    try:
        out, err = proc.communicate(timeout=90)
    finally:
        proc.kill()
    return proc.returncode, out + err


def _one_line_failure(env: dict[str, str], cwd: Path) -> str:
    code, output = _finish(start_bot(env, cwd))
    assert code == 2, output
    assert SECRET not in output and "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.startswith("kpibot:")]
    assert len(lines) == 1 and len(output.splitlines()) == 1, output
    return lines[0]


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:abc",  # aiohttp: InvalidUrlClientError quoting /bot<token>/getMe
    "http://127.0.0.1:99999",
    "http://[::1",
    "http:///no-host",
    f"http://127.0.0.1:9/bot{TOKEN}",  # the token pasted into the address
])  # fmt: skip
def test_malformed_api_url_is_refused_in_one_line_without_the_token(tmp_path, url):
    line = _one_line_failure(bot_env(url, tmp_path / "kpi.sqlite3"), tmp_path)
    assert "TELEGRAM_API_URL" in line
    assert not (tmp_path / "kpi.sqlite3").exists()  # refused before anything else


@pytest.mark.parametrize("stand_in", ["getMe"], indirect=True)
def test_api_url_that_does_not_speak_http_fails_without_the_token(tmp_path, stand_in):
    line = _one_line_failure(bot_env(stand_in.url, tmp_path / "kpi.sqlite3"), tmp_path)
    assert f"cannot reach the Bot API at {stand_in.url}" in line and MASK in line


def test_refused_token_is_not_printed(tmp_path):
    other = "654321:OTHER-secret-abcdefghijklmnopqrstu"
    fake = FakeProcess()  # knows only TOKEN: 401 for the other one
    try:
        env = bot_env(fake.url, tmp_path / "kpi.sqlite3", BOT_TOKEN=other)
        line = _one_line_failure(env, tmp_path)
    finally:
        fake.stop()
    assert "Telegram rejected BOT_TOKEN" in line and other.split(":")[1] not in line


@pytest.mark.parametrize("stand_in", ["getUpdates"], indirect=True)
def test_errors_logged_while_running_hide_the_token(tmp_path, stand_in):
    """getMe works, then every getUpdates meets a non-HTTP answer; aiogram logs each failure
    with aiohttp's text, which quotes the URL, and retries until SIGTERM."""
    bot = start_bot(bot_env(stand_in.url, tmp_path / "kpi.sqlite3"), tmp_path)
    deadline = time.monotonic() + 90  # start-up alone takes ~20 s on a busy machine
    while stand_in.methods.count("getUpdates") < 2:  # the first failure is logged by now
        assert bot.poll() is None and time.monotonic() < deadline, stand_in.methods
        time.sleep(0.05)
    bot.send_signal(signal.SIGTERM)
    code, output = _finish(bot)
    assert code == 0, output
    assert "Failed to fetch updates" in output and f"/bot{MASK}/getUpdates" in output, output
    assert SECRET not in output and "Traceback" not in output, output


def test_redactor_cleans_messages_arguments_and_tracebacks():
    settings = Settings(_env_file=None, bot_token=TOKEN, webhook_secret="hook-secret-1")  # type: ignore[call-arg]
    clean = Redactor.for_settings(settings)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    log = logging.Logger("redaction-test")
    log.addHandler(handler)
    clean.install(log)
    url = f"http://127.0.0.1:1/bot{TOKEN}/getMe"
    log.warning("calling %s", url)
    log.warning(f"secret half alone: {SECRET}, hook: hook-secret-1")
    log.warning("a broken call %s %s", url)  # too few arguments: still shown, still clean
    try:
        raise RuntimeError(f"request to {url} failed")
    except RuntimeError:
        log.exception("with a traceback")
    text = stream.getvalue()
    assert SECRET not in text and "hook-secret-1" not in text, text
    assert text.count(f"/bot{MASK}/getMe") == 3 and "Traceback" in text, text
    assert clean.line(f"first\n  second {TOKEN}\r\n") == f"first second {MASK}"


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8081", "https://api.telegram.org", "http://[::1]:8081/prefix",
    "HTTPS://bot-api.internal:443",
])  # fmt: skip
def test_ordinary_api_urls_are_accepted(url):
    assert api_url_problem(url) is None


@pytest.mark.parametrize("url", [
    "ftp://127.0.0.1", "127.0.0.1:8081", "http:", "http://:80", "http://h:0x50", "http://[zz]",
    "http://a b", "http://h\\x", "http://h/?token=1", "http://h/#x", "https://h/bot1:abc/",
])  # fmt: skip
def test_malformed_api_urls_are_refused_without_repeating_them(url):
    problem = api_url_problem(url)
    assert problem is not None and url not in problem
