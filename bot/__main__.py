"""kpibot run | demo — the command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
from pathlib import Path

from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramUnauthorizedError
from aiogram.utils.token import TokenValidationError
from pydantic import ValidationError

from bot.clock import SystemClock
from bot.config import Settings
from bot.demo import render_demo
from bot.factory import create_bot, create_dispatcher
from storage.repository import Repository


class Fatal(Exception):
    """A problem the person running the bot must fix: shown as one line, exit code 2."""


def load_settings() -> Settings:
    try:
        return Settings()  # type: ignore[call-arg]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']).upper() or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise Fatal(f"configuration error: {problems} (see .env.example)") from None


async def run(settings: Settings) -> None:
    try:
        bot = create_bot(settings)
    except TokenValidationError:
        raise Fatal("BOT_TOKEN is malformed: expected <digits>:<secret> from @BotFather") from None
    try:
        try:  # local problems first: they are the quickest to fix
            repo = await Repository.open(settings.database_path)
        except (OSError, sqlite3.Error) as exc:
            raise Fatal(f"cannot open the database {settings.database_path}: {exc}") from None
        try:
            try:
                me = await bot.get_me()
            except TelegramUnauthorizedError:
                raise Fatal("Telegram rejected BOT_TOKEN (401 Unauthorized)") from None
            except (TelegramNetworkError, TelegramAPIError, OSError) as exc:
                where = settings.telegram_api_url or "api.telegram.org"
                raise Fatal(f"cannot reach the Bot API at {where}: {exc}") from None
            dp = create_dispatcher(settings, repo, SystemClock())
            logging.getLogger("kpibot").info("running as @%s (long polling)", me.username)
            await dp.start_polling(
                bot,
                allowed_updates=dp.resolve_used_update_types(),
                polling_timeout=settings.polling_timeout,
            )
        finally:
            await repo.close()
    finally:
        await bot.session.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kpibot", description="SMM team KPI bot for Telegram")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the bot (long polling); settings from env / .env")
    demo = commands.add_parser("demo", help="render a sample team's digests offline, no token")
    demo.add_argument("--out", type=Path, default=Path("demo-out"), help="folder to write to")
    demo.add_argument("--lang", choices=("ru", "en"), default="ru")
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            settings = load_settings()
            logging.basicConfig(
                level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
            )
            asyncio.run(run(settings))
        elif args.command == "demo":
            files = asyncio.run(render_demo(args.out, SystemClock().now(), args.lang))
            print(f"Demo digests for a sample team written to {args.out.resolve()}:")
            for path in files:
                print(f"  {path}")
            print(f"Start with {files[0]} and the PNG charts next to it.")
    except Fatal as exc:
        print(f"kpibot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
