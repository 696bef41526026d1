"""Webhook mode: Telegram posts updates to our HTTP server behind a reverse proxy.

Anyone who finds the address can post to it: a request without the right
X-Telegram-Bot-Api-Secret-Token is answered 401, a body that is not an update 400, and
neither is logged as an error. Updates are answered only after their handler finished (not
in the background): if the bot dies mid-update, Telegram delivers it again and the
idempotent save absorbs it.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import signal
from contextlib import suppress
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.log import server_logger

from bot.config import Settings

SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class CheckedRequestHandler(SimpleRequestHandler):
    """aiogram's handler, but a stranger's request never raises. aiogram compares the header
    with secrets.compare_digest, which raises TypeError for non-ASCII text (aiohttp then
    answers 500 and logs a traceback), and its body parsing raises the same way on bad JSON.
    Always answers in the foreground (handle_in_background=False)."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret_token: str) -> None:
        super().__init__(dispatcher, bot, handle_in_background=False, secret_token=secret_token)
        self._secret = secret_token.encode("ascii")

    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        # aiohttp hands header bytes over as text (undecodable bytes as surrogates): compare
        # bytes, in constant time; anything that is not ASCII is not the secret.
        try:
            given = telegram_secret_token.encode("ascii")
        except UnicodeEncodeError:
            return False
        return hmac.compare_digest(given, self._secret)

    async def handle(self, request: web.Request) -> web.Response:
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), self.bot):
            return web.Response(body="Unauthorized", status=401)
        try:
            data = json.loads(await request.read())
            update = Update.model_validate(data, context={"bot": self.bot})
        except ValueError:  # bad JSON, bad UTF-8, or JSON that is not an update (pydantic)
            return web.Response(body="Bad Request: not a Telegram update", status=400)
        result = await self.dispatcher.feed_webhook_update(self.bot, update, **self.data)
        return web.Response(body=self._build_response_writer(bot=self.bot, result=result))


def webhook_secret(settings: Settings) -> str:
    """The secret, or ValueError with what is wrong (shown to the operator as one line)."""
    if settings.webhook_secret is None:
        raise ValueError("WEBHOOK_URL is set but WEBHOOK_SECRET is empty")
    secret = settings.webhook_secret.get_secret_value()
    if not SECRET_FORMAT.match(secret):
        raise ValueError("WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ -")
    return secret


class HttpLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """aiohttp's server log, but a request that is not valid HTTP (a header over aiohttp's
    8 KiB, bytes that are no request) is the sender's fault: one warning, no traceback."""

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        error = kwargs.get("exc_info")
        if isinstance(error, HttpProcessingError):
            level, kwargs["exc_info"] = min(level, logging.WARNING), None
            msg = f"{msg}: {type(error).__name__}, answered {error.code}"
        super().log(level, msg, *args, **kwargs)


async def run_webhook(
    settings: Settings, bot: Bot, dp: Dispatcher, stop: asyncio.Event | None = None
) -> None:
    """Serve, register the webhook, run until SIGTERM/SIGINT (or `stop`), shut down cleanly.

    Shutdown runs the dispatcher's shutdown hooks (the scheduler) and closes the bot's
    session; the caller closes the database. The webhook stays registered: Telegram keeps
    the updates that arrive meanwhile and delivers them once the bot is back.
    """
    secret = webhook_secret(settings)
    app = web.Application()
    # In the foreground: answer 200 only once the update is stored and replied to.
    CheckedRequestHandler(dp, bot, secret).register(app, path=settings.webhook_path)
    setup_application(app, dp, bot=bot)  # the dispatcher's startup/shutdown hooks
    loop = asyncio.get_running_loop()
    own_signals = stop is None
    if stop is None:
        stop = asyncio.Event()
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(app, access_log=None, logger=HttpLog(server_logger))
    try:
        await runner.setup()
        # Listen first, then tell Telegram: its first POST finds the port open.
        await web.TCPSite(runner, settings.webhook_host, settings.webhook_port).start()
        await bot.set_webhook(
            str(settings.webhook_url),
            secret_token=secret,
            allowed_updates=dp.resolve_used_update_types(),
            drop_pending_updates=False,
        )
        await stop.wait()
    finally:
        with suppress(Exception):  # shutting down anyway; the original error matters more
            await runner.cleanup()
        if own_signals:
            for sig in STOP_SIGNALS:
                loop.remove_signal_handler(sig)
