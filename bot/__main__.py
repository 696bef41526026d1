"""kpibot run | demo | import | backup — the command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
from pathlib import Path

from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramUnauthorizedError
from aiogram.utils.token import TokenValidationError
from pydantic import SecretStr, ValidationError

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.csvio import CsvEntry, read_csv
from bot.delivery import RateLimiter
from bot.demo import render_demo
from bot.factory import create_bot, create_dispatcher
from bot.heap import freeze_startup_heap
from bot.polling import poll
from bot.redaction import Redactor
from bot.reports import team_metrics
from bot.webhook import run_webhook, webhook_secret
from kpi.periods import local_today
from storage.backup import backup
from storage.imports import Conflict, ImportRow
from storage.repository import Repository


class Fatal(Exception):
    """A problem the person running the bot must fix: shown as one line, exit code 2."""


class OfflineSettings(Settings):
    """For commands that never talk to Telegram (import, backup): no token needed."""

    bot_token: SecretStr | None = None  # type: ignore[assignment]


def load_settings(kind: type[Settings] = Settings) -> Settings:
    try:
        return kind()  # type: ignore[call-arg]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']).upper() or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise Fatal(f"configuration error: {problems} (see .env.example)") from None


async def run(settings: Settings) -> None:
    if settings.webhook_url:
        try:
            webhook_secret(settings)
        except ValueError as exc:
            raise Fatal(str(exc)) from None
    limiter = RateLimiter()  # every send of this process, whatever sends it
    try:
        bot = create_bot(settings, limiter)
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
            dp = create_dispatcher(settings, repo, SystemClock(), limiter)
            dp.startup.register(freeze_startup_heap)  # after the dispatcher's own start-up
            log = logging.getLogger("kpibot")
            if settings.webhook_url:
                log.info("running as @%s (webhook %s)", me.username, settings.webhook_url)
                try:
                    await run_webhook(settings, bot, dp)
                except OSError as exc:  # the port is taken, or the host is not ours
                    where = f"{settings.webhook_host}:{settings.webhook_port}"
                    raise Fatal(f"cannot listen for the webhook on {where}: {exc}") from None
                except TelegramAPIError as exc:  # e.g. Telegram refuses the URL
                    url = settings.webhook_url
                    raise Fatal(f"cannot register the webhook {url}: {exc}") from None
                return
            log.info("running as @%s (long polling)", me.username)
            await bot.delete_webhook()  # getUpdates is refused while a webhook is set
            await poll(dp, bot, polling_timeout=settings.polling_timeout)
        finally:
            await repo.close()
    finally:
        await bot.session.close()


def run_logged(settings: Settings, clean: Redactor) -> int:
    """`run` with every log line (tracebacks included) passed through `clean`."""
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    root = logging.getLogger()
    clean.install(root)
    logging.captureWarnings(True)  # warnings too go through the handler, and so through clean
    try:
        asyncio.run(run(settings))
    except Fatal:
        raise
    except Exception:  # a bug: its traceback goes to the log, redacted like everything else
        logging.getLogger("kpibot").critical("stopped by an unexpected error", exc_info=True)
        return 1
    return 0


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise Fatal(f"no database at {path} (set DATABASE_PATH or pass --db)")
    return path


async def import_csv(database: Path, team_id: int, source: Path, clock: Clock) -> int:
    """Check every row (the file, then against the team), then store the new ones in one
    transaction: exit code 0, or 1 with every bad line and nothing stored."""
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise Fatal(f"cannot read {source}: {exc.strerror or exc}") from None
    repo = await Repository.open(_existing(database))
    try:
        team = await repo.teams.get(team_id)
        if team is None:
            raise Fatal(f"no team {team_id} in {database}: the team id is its group chat id")
        today = local_today(clock.now(), team.settings.timezone)
        custom = {k: m for k, m in (await team_metrics(repo, team_id)).items() if m.custom_name}
        result = await asyncio.to_thread(read_csv, data, today, custom)
        errors = result.errors
        if not errors:
            rows = [_import_row(r) for r in result.rows]
            report = await repo.entries.import_rows(team_id, rows, clock.now())
            errors = [(c.line, _conflict(c)) for c in report.conflicts]
    finally:
        await repo.close()
    if errors:
        for line, reason in sorted(errors):
            print(f"{source}:{line}: {reason}", file=sys.stderr)
        print(f"kpibot: {len(errors)} bad line(s), nothing imported", file=sys.stderr)
        return 1
    name = team.title or team_id
    if report.imported:
        first, last = min(r.day for r in report.imported), max(r.day for r in report.imported)
        print(f"imported {len(report.imported)} entries into {name} ({first} .. {last})")
    else:
        print(f"nothing new to import into {name}")
    if report.already:
        deleted = f", {report.deleted} of them deleted in the bot" if report.deleted else ""
        print(f"{report.already} row(s) already there, skipped{deleted}")
    return 0


def _import_row(r: CsvEntry) -> ImportRow:
    return ImportRow(
        r.line, r.person_id, r.metric, r.value, r.day, r.platform, r.note, r.created_at,
        r.entry_id, r.person, r.username, r.member,
    )  # fmt: skip


def _conflict(c: Conflict) -> str:
    if c.kind == "member":
        return (
            "member: this person already uses the bot; they join a team by writing in its"
            " group, not through a file (leave member empty)"
        )
    e = c.stored
    assert e is not None
    value = int(e.value) if float(e.value).is_integer() else e.value
    stored = f"{e.day} {e.metric} {value} by {e.user_id}"
    extra = ", ".join(x for x in (e.platform, e.note and repr(e.note)) if x)
    return (
        f"entry_id: the team already has this entry as {stored}{f' ({extra})' if extra else ''}"
        "; import never changes a stored entry (fix it in the bot, or empty entry_id to add"
        " the row as a new entry)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kpibot", description="SMM team KPI bot for Telegram")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the bot (long polling); settings from env / .env")
    demo = commands.add_parser("demo", help="render a sample team's digests offline, no token")
    demo.add_argument("--out", type=Path, default=Path("demo-out"), help="folder to write to")
    demo.add_argument("--lang", choices=("ru", "en"), default="ru")
    load = commands.add_parser("import", help="backfill history from a CSV file (/export format)")
    load.add_argument("file", type=Path, help="CSV, UTF-8, with the header /export writes")
    load.add_argument("--team", type=int, required=True, help="the team's group chat id")
    load.add_argument("--db", type=Path, help="database file (default: DATABASE_PATH)")
    copy = commands.add_parser(
        "backup", help="an online backup of the database, bot running or not"
    )
    copy.add_argument("dir", type=Path, nargs="?", help="folder (default: BACKUP_DIR)")
    copy.add_argument("--db", type=Path, help="database file (default: DATABASE_PATH)")
    args = parser.parse_args(argv)
    clean = Redactor(())  # what `run` knows to hide, once its settings are read
    try:
        if args.command == "run":
            settings = load_settings()
            clean = Redactor.for_settings(settings)
            return run_logged(settings, clean)
        elif args.command == "demo":
            files = asyncio.run(render_demo(args.out, SystemClock().now(), args.lang))
            print(f"Demo digests for a sample team written to {args.out.resolve()}:")
            for path in files:
                print(f"  {path}")
            print(f"Start with {files[0]} and the PNG charts next to it.")
        elif args.command == "import":
            database = args.db or load_settings(OfflineSettings).database_path
            try:
                return asyncio.run(import_csv(database, args.team, args.file, SystemClock()))
            except sqlite3.Error as exc:
                raise Fatal(f"import into {database} failed, nothing imported: {exc}") from None
        elif args.command == "backup":
            settings = load_settings(OfflineSettings)
            directory = args.dir or settings.backup_dir
            if directory is None:
                raise Fatal("where to? kpibot backup DIR, or set BACKUP_DIR")
            database = _existing(args.db or settings.database_path)
            try:
                now = SystemClock().now()
                print(asyncio.run(backup(database, directory, now, settings.backup_keep)))
            except (OSError, sqlite3.Error) as exc:
                raise Fatal(f"backup of {database} into {directory} failed: {exc}") from None
    except Fatal as exc:
        print(f"kpibot: {clean.line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
