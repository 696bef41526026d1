"""The framework's floor: a bare aiogram bot that replies to every message with its text.

Started like `kpibot run` (same environment: BOT_TOKEN, TELEGRAM_API_URL, POLLING_TIMEOUT,
LOG_LEVEL) with the same session defaults and polling timeout as bot/factory.py and bot/__main__.py;
updates run as aiogram's default tasks, so the difference to the real bot is its own work.

    BOT_TOKEN=... TELEGRAM_API_URL=http://127.0.0.1:P python -m bench.echo_bot
"""

from __future__ import annotations

import asyncio
import html
import logging
import os

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import Message


def create_echo() -> Dispatcher:
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.reply(html.escape(message.text or "-"))

    return dp


async def main() -> None:
    bot = Bot(
        token=os.environ["BOT_TOKEN"],
        session=AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"])),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )
    dp = create_echo()
    try:
        await bot.get_me()
        await bot.delete_webhook()
        await dp.start_polling(
            bot,
            allowed_updates=dp.resolve_used_update_types(),
            polling_timeout=int(os.environ.get("POLLING_TIMEOUT", "30")),
            # aiogram's defaults otherwise (updates as tasks), as a bare bot runs
        )
    finally:
        await bot.session.close()


if __name__ == "__main__":
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    asyncio.run(main())
