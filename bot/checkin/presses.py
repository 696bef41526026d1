"""One press on a check-in: the next state, what the message becomes, what the tap answers.

The handler has already checked who pressed and that the button is current (owner, open,
version); this decides the rest and records values through `flow.log_value`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiogram.types import InlineKeyboardMarkup

from bot.checkin.flow import parse_value, press_source, render, summary
from bot.checkin.keyboards import MAX_DIGITS, CheckinButton
from bot.i18n import Texts
from bot.logbook import Recorded, record
from bot.parsing import ParseError
from bot.reports import team_metrics
from bot.views import saved
from kpi.models import Metric, MetricKind
from kpi.periods import local_today
from storage.checkin import Checkin
from storage.records import Team
from storage.repository import Repository

View = Callable[[], Awaitable[tuple[str, InlineKeyboardMarkup | None]]]
Tell = Callable[[str | None], Awaitable[None]]  # answers the tap, with a notice or silently


@dataclass(frozen=True)
class Outcome:
    answer: str | None  # the short notice on the tap; None: a silent answer
    # What the message becomes, drawn after the tap is answered (its reads are off the
    # answer's path); None: leave the message as it is.
    view: View | None = None
    recorded: bool = False  # a value was stored: the team's scoreboard may change
    told: bool = False  # the tap was answered already (`answer` is not told again)


async def apply(
    repo: Repository, ci: Checkin, press: CheckinButton, team: Team, t: Texts, now: datetime,
    tell: Tell,
) -> Outcome:  # fmt: skip
    """`tell` answers the tap: a move says nothing whatever its write finds, so its tap is
    answered while the write runs; the other presses' answers come back in the outcome."""
    today = local_today(now, team.settings.timezone)
    metrics = await team_metrics(repo, team.id)
    action, arg = press.a, press.x
    stale = Outcome(t.plain("checkin-stale"))
    rec: Recorded | None = None  # the value stored, told in the message after the answer
    custom: dict[str, Metric] = {}
    recorded = False
    advance = repo.checkins.advance
    told = False

    async def move(checkin_id: int, version: int, at: datetime, **change: Any) -> Checkin | None:
        nonlocal told
        told = True
        # A move of the keypad alone records nothing: committed without waiting for the
        # disk. Only a power cut can lose it, and then the next tap is answered as outdated.
        # Its tap is answered (silently) meanwhile: the request leaves before the write.
        _, moved = await asyncio.gather(
            tell(None), advance(checkin_id, version, at, durable=False, **change)
        )
        return moved

    if action == "m":
        if arg not in metrics:
            return stale
        moved = await move(ci.id, ci.version, now, metric=arg, more=ci.more)
    elif action in ("d", "b"):
        if ci.metric is None:
            return stale
        if action == "d" and len(ci.digits) >= MAX_DIGITS:
            return Outcome(t.plain("checkin-too-long"))
        digits = ci.digits + arg if action == "d" else ci.digits[:-1]
        moved = await move(ci.id, ci.version, now, metric=ci.metric, digits=digits)
    elif action in ("ok", "q"):
        metric = metrics.get(ci.metric or "")
        typed = arg if action == "q" else ci.digits
        if metric is None or (action == "q" and metric.kind is not MetricKind.DURATION):
            return stale
        if not typed:
            return Outcome(t.plain("checkin-type-number"))
        try:
            parsed, custom = parse_value(metrics, metric.key, typed, ci.day)
        except ParseError as error:  # the words the typed command would get, in the message
            refused = t(f"err-{error.code}", **error.params)
            return Outcome(
                t.plain("checkin-refused"), lambda: render(repo, ci, team, t, today, notice=refused)
            )
        # Both queued in this turn of the loop (the move when called, the value before
        # `record` first waits), they commit in one group (one fsync), with the inbox row of
        # the press's batch. A press handled twice stores nothing the second time
        # (press_source); a move that lost to another press only means that press is
        # answered as outdated.
        moving = advance(ci.id, ci.version, now, more=ci.more)
        try:
            rec = await record(repo, team.id, ci.user_id, parsed, metrics, now, press_source(ci))
        finally:
            moved = await moving
        recorded = True
    elif action == "x":
        moved = await move(ci.id, ci.version, now, more=ci.more)
    elif action == "more":
        moved = await move(ci.id, ci.version, now, more=True)
    elif action == "day":
        day = today if arg == "t" else today - timedelta(days=1)
        moved = await move(ci.id, ci.version, now, day=day, more=ci.more)
    else:  # «Готово»
        if await move(ci.id, ci.version, now, closed=True) is None:
            return Outcome(None, told=True)

        async def closed() -> tuple[str, InlineKeyboardMarkup | None]:
            logged = await repo.checkins.day_totals(team.id, ci.user_id, ci.day)
            return summary(ci, logged, metrics, team, t, today), None

        return Outcome(None, closed, told=True)
    if moved is None:  # overtaken between the read and the write
        return Outcome(stale.answer, recorded=recorded, told=told)
    state = moved

    def view() -> Awaitable[tuple[str, InlineKeyboardMarkup | None]]:
        notice = "" if rec is None else saved(rec, t, team.settings.currency, custom, today)
        return render(repo, state, team, t, today, notice=notice)

    return Outcome(t.plain("checkin-saved") if recorded else None, view, recorded, told)
