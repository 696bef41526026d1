"""Webhook mode: the secret token is registered and enforced; updates are handled as in polling."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import socket
import sqlite3
import time
import urllib.error
import urllib.request
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.factory import create_bot, create_dispatcher
from bot.webhook import run_webhook, webhook_secret
from storage.repository import Repository
from tests.fake_telegram import FakeTelegram
from tests.processes import TOKEN, FakeProcess, bot_env, start_bot

SECRET = "s3cr3t_token-for-tests"
PUBLIC_URL = "https://kpi.example/telegram/webhook"
GROUP = -1008080


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _update(fake: FakeTelegram, text: str) -> dict:
    user = fake.user(5, "Аня", language_code="ru")
    update = fake.send_message(fake.group(GROUP, "Хук"), user, text)
    fake.take_updates(100)  # delivered by our POST, not by getUpdates
    return update


async def test_webhook_rejects_wrong_secret_and_answers_after_storing(tmp_path):
    async with FakeTelegram() as fake:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token=fake.token,
            telegram_api_url=fake.base_url,
            database_path=tmp_path / "kpi.sqlite3",
            webhook_url=PUBLIC_URL,
            webhook_secret=SECRET,
            webhook_port=_free_port(),
        )
        repo = await Repository.open(settings.database_path)
        bot = create_bot(settings)
        clock = FixedClock(datetime(2026, 11, 20, 9, tzinfo=UTC))
        dp = create_dispatcher(settings, repo, clock, schedule=False)
        stop = asyncio.Event()
        server = asyncio.create_task(run_webhook(settings, bot, dp, stop))
        url = f"http://127.0.0.1:{settings.webhook_port}{settings.webhook_path}"
        try:
            hook = (await fake.wait_calls("setWebhook"))[0]  # sent once the port is open
            assert hook.params["secret_token"] == SECRET
            assert hook.params["url"] == PUBLIC_URL
            assert hook.params["drop_pending_updates"] is False
            wanted = {"message", "callback_query", "chat_member"}
            assert set(hook.params["allowed_updates"]) >= wanted
            async with aiohttp.ClientSession() as http:
                for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                    async with http.post(url, json=_update(fake, "/lead 3"), headers=headers) as r:
                        assert r.status == 401
                assert await repo.entries.count() == 0
                assert not fake.sent
                good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                async with http.post(url, json=_update(fake, "/lead 3"), headers=good) as resp:
                    assert resp.status == 200
                # Answered only after the update was handled: stored, and its confirmation
                # either accepted by Telegram already (sent from the handler; its outbox row
                # is written behind it) or queued in the outbox. Telegram's retry is our
                # safety net until then.
                assert await repo.entries.count() == 1
                confirmed = [s for s in fake.sent if "Лиды: <b>+3</b>" in (s.text or "")]
                queued = await repo.db.fetch_one("SELECT text FROM outbox")
                assert confirmed or (queued is not None and "Лиды: <b>+3</b>" in queued["text"])
                sent = await fake.wait_sent(1)  # and the outbox sends it
                assert "Лиды: <b>+3</b>" in sent[-1].message["text"]
        finally:
            stop.set()
            await asyncio.wait_for(server, 10)
            await bot.session.close()
            await repo.close()


@pytest.mark.parametrize("secret", [None, "has spaces", "x" * 300])
def test_webhook_needs_a_valid_secret(secret):
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token="123:abc",
        webhook_url="https://kpi.example/hook",
        webhook_secret=secret,
    )
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        webhook_secret(settings)


def _post(url: str, update: dict, secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, json.dumps(update).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _entries(db: Path) -> int:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0])


def test_kpibot_run_in_webhook_mode_until_sigterm(tmp_path):
    """`kpibot run` as a process: registers the hook, serves it on loopback, stops cleanly."""
    db, port = tmp_path / "kpi.sqlite3", _free_port()
    fake = FakeProcess()
    env = bot_env(fake.url, db, WEBHOOK_URL=PUBLIC_URL, WEBHOOK_SECRET=SECRET,
                  WEBHOOK_PORT=str(port))  # fmt: skip
    bot = start_bot(env, tmp_path)
    try:
        deadline = time.monotonic() + 90  # start-up alone takes ~20 s on a busy machine
        while not (hooks := [c for c in fake.request("calls") if c["method"] == "setWebhook"]):
            assert bot.poll() is None and time.monotonic() < deadline, "no setWebhook"
            time.sleep(0.1)
        assert hooks[0]["params"]["secret_token"] == SECRET
        assert not any(c["method"] == "getUpdates" for c in fake.request("calls"))
        url = f"http://127.0.0.1:{port}/telegram/webhook"

        def update(text: str) -> dict:  # a real update from the fake, POSTed by us
            person = {"user_id": 7, "first_name": "Аня", "chat_type": "supergroup"}
            return fake.request("message", {**person, "chat_id": GROUP, "text": text})

        assert _post(url, update("/lead 2"), None) == 401
        assert _post(url, update("/lead 2"), "not-the-secret") == 401
        raw = json.dumps(update("/lead 2")).encode()
        assert _raw_post(port, "секрет".encode(), raw) == 401  # no traceback in stderr (below)
        assert _raw_post(port, SECRET.encode(), raw[:-1]) == 400
        assert _entries(db) == 0 and not fake.sent()
        assert _post(url, update("/lead 2"), SECRET) == 200
        assert _entries(db) == 1  # already there: the answer waited for the handler
        sent = fake.wait_sent(1, 0, GROUP)  # its confirmation, from the outbox
        assert len(sent) == 1 and "Лиды: <b>+2</b>" in sent[0]["params"]["text"]
    finally:
        bot.send_signal(signal.SIGTERM)
        try:
            _, err = bot.communicate(timeout=30)
        finally:
            bot.kill()
            fake.stop()
    assert bot.returncode == 0, err
    for trouble in ("Traceback", "Unclosed", "was never awaited", TOKEN.split(":")[1]):
        assert trouble not in err, err
    assert not Path(f"{db}-wal").exists()  # the database was closed, not abandoned


def test_webhook_port_taken_is_one_line(tmp_path):
    fake = FakeProcess()
    try:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            env = bot_env(fake.url, tmp_path / "kpi.sqlite3", WEBHOOK_URL=PUBLIC_URL,
                          WEBHOOK_SECRET=SECRET, WEBHOOK_PORT=str(port))  # fmt: skip
            bot = start_bot(env, tmp_path)
            _, err = bot.communicate(timeout=60)
    finally:
        fake.stop()
    assert bot.returncode == 2 and "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("kpibot:")]
    assert len(lines) == 1 and f"cannot listen for the webhook on 127.0.0.1:{port}" in lines[0]


def _raw_post(port: int, secret: bytes | None, body: bytes) -> int:
    """The status of a POST whose header bytes go out exactly as given (non-ASCII included)."""
    head = [b"POST /telegram/webhook HTTP/1.1", b"Host: 127.0.0.1",
            b"Content-Type: application/json", b"Content-Length: %d" % len(body),
            b"Connection: close"]  # fmt: skip
    if secret is not None:
        head.append(b"X-Telegram-Bot-Api-Secret-Token: " + secret)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"\r\n".join(head) + b"\r\n\r\n" + body)
        status = sock.makefile("rb").readline()
    return int(status.split()[1])


MALFORMED_SECRETS = {
    "missing": None,
    "empty": b"",
    "wrong": b"wrong",
    "one short": SECRET[:-1].encode(),
    "one more": SECRET.encode() + b"x",
    "utf-8": "секрет".encode(),
    "utf-8 after the secret": SECRET.encode() + "é".encode(),
    "not utf-8": b"\xff\xfe" + SECRET.encode(),
    "long": b"x" * 4000,
    "the secret many times": SECRET.encode() * 100,
}
TOO_LONG = b"x" * 20_000  # over aiohttp's 8 KiB a header: refused before any handler runs
BAD_BODIES = (b"{not json", b"", b"\xff\xfe{}", b"[]", b'"an update"', b"null",
              b'{"update_id": "five"}', b'{"update_id": 5, "message": {"text": 1}}')  # fmt: skip


async def test_webhook_refuses_malformed_secrets_and_bodies_without_a_traceback(tmp_path, caplog):
    """401 for any secret but the right one, 400 for a body that is not an update; the bot
    logs no traceback for either (a stranger can send these at will) and keeps serving."""
    caplog.set_level(logging.INFO)
    async with FakeTelegram() as fake:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token=fake.token,
            telegram_api_url=fake.base_url,
            database_path=tmp_path / "kpi.sqlite3",
            webhook_url=PUBLIC_URL,
            webhook_secret=SECRET,
            webhook_port=_free_port(),
        )
        repo = await Repository.open(settings.database_path)
        bot = create_bot(settings)
        clock = FixedClock(datetime(2026, 11, 20, 9, tzinfo=UTC))
        dp = create_dispatcher(settings, repo, clock, schedule=False)
        stop = asyncio.Event()
        server = asyncio.create_task(run_webhook(settings, bot, dp, stop))
        port = settings.webhook_port
        try:
            await fake.wait_calls("setWebhook")
            update = json.dumps(_update(fake, "/lead 3")).encode()
            for name, secret in MALFORMED_SECRETS.items():
                assert await asyncio.to_thread(_raw_post, port, secret, update) == 401, name
            for body in BAD_BODIES:
                assert await asyncio.to_thread(_raw_post, port, SECRET.encode(), body) == 400, body
            assert await asyncio.to_thread(_raw_post, port, TOO_LONG, update) == 400
            assert await repo.entries.count() == 0 and not fake.sent
            assert await asyncio.to_thread(_raw_post, port, SECRET.encode(), update) == 200
            assert await repo.entries.count() == 1
        finally:
            stop.set()
            await asyncio.wait_for(server, 10)
            await bot.session.close()
            await repo.close()
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text
