"""/export [period] [@person] — the team's entries as a CSV document (managers)."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta

from aiogram import Bot
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message

from bot.access import Access
from bot.clock import Clock
from bot.context import Ctx
from bot.csvio import CsvEntry, write_csv
from bot.handlers.common import managed_team
from bot.kpi_args import parse_kpi_args
from bot.parsing import ParseError
from bot.routing import Router
from bot.texts import period_label
from kpi.models import Entry, PeriodKind
from kpi.periods import local_today
from storage.records import Team
from storage.repository import Repository


def file_name(team: Team, first: date, last: date) -> str:
    """kpi-<team>-<from>-<to>.csv: the title's ASCII letters, else the chat id."""
    slug = re.sub(r"[^a-z0-9]+", "-", team.title.lower()).strip("-") or str(abs(team.id))
    return f"kpi-{slug}-{first.isoformat()}-{last.isoformat()}.csv"


def csv_rows(rows: list[tuple[Entry, str, str | None]]) -> list[CsvEntry]:
    return [
        CsvEntry(e.day, e.user_id, name, e.metric, e.value, username, e.platform, e.note,
                 e.id, e.created_at, captured=e.captured)
        for e, name, username in rows
    ]  # fmt: skip


async def export(
    message: Message,
    command: CommandObject,
    ctx: Ctx,
    repo: Repository,
    clock: Clock,
    access: Access,
    bot: Bot,
) -> None:
    team = await managed_team(message, ctx, access, bot, "export-only-managers")
    if team is None:
        return
    today = local_today(clock.now(), team.settings.timezone)
    try:
        args = parse_kpi_args(command.args, today, PeriodKind.MONTH)
    except ParseError:
        await message.reply(ctx.t("export-usage"))
        return
    # Without a period: everything the team ever logged (a full copy for a spreadsheet).
    whole = all(word.startswith("@") for word in (command.args or "").split())
    period = None if whole else args.period
    person = None
    if args.username:
        person = await repo.teams.find_person(team.id, args.username)
        if person is None:
            await message.reply(ctx.t("kpi-unknown-person", who="@" + args.username))
            return
    rows = await repo.entries.export_rows(
        team.id,
        period.start if period else None,
        period.end if period else None,
        person.id if person else None,
    )
    label = period_label(period, ctx.t) if period else ctx.t("export-all-time")
    if not rows:
        await message.reply(ctx.t("export-empty", period=label))
        return
    data = await asyncio.to_thread(write_csv, csv_rows(rows))  # big teams: off the event loop
    first = period.start if period else rows[0][0].day
    last = period.end - timedelta(days=1) if period else rows[-1][0].day
    caption = ctx.t("export-done", team=team.title, count=len(rows), period=label)
    if person is not None:
        caption += "\n" + ctx.t("export-person", person=person.display)
    document = BufferedInputFile(data, file_name(team, first, last))
    await message.reply_document(document, caption=caption)


def create_router() -> Router:
    router = Router(name="data")
    router.message.register(export, Command("export"))
    return router
