"""Webhook mode: Telegram posts updates to our HTTP server behind a reverse proxy.

Requests without the right X-Telegram-Bot-Api-Secret-Token are answered 401 by aiogram's
handler. Updates are answered only after their handler finished (not in the background):
if the bot dies mid-update, Telegram delivers it again and the idempotent save absorbs it.
"""

from __future__ import annotations

import asyncio
import re
import signal
from contextlib import suppress

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.config import Settings

SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def webhook_secret(settings: Settings) -> str:
    """The secret, or ValueError with what is wrong (shown to the operator as one line)."""
    if settings.webhook_secret is None:
        raise ValueError("WEBHOOK_URL is set but WEBHOOK_SECRET is empty")
    secret = settings.webhook_secret.get_secret_value()
    if not SECRET_FORMAT.match(secret):
        raise ValueError("WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ -")
    return secret


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
    # handle_in_background=False: answer 200 only once the update is stored and replied to.
    SimpleRequestHandler(dp, bot, handle_in_background=False, secret_token=secret).register(
        app, path=settings.webhook_path
    )
    setup_application(app, dp, bot=bot)  # the dispatcher's startup/shutdown hooks
    loop = asyncio.get_running_loop()
    own_signals = stop is None
    if stop is None:
        stop = asyncio.Event()
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(app, access_log=None)
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
