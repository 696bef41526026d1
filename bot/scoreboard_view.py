"""The live scoreboard's text: the month's team targets, the team against pace, the top
three and the days left; in the first week of a month, how the last one ended."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts as fmt
from bot.goal_views import ICONS, status_word
from bot.goals import GoalLine, goal_lines
from bot.i18n import Html, Texts
from bot.reports import build_report
from kpi.compute import rank
from kpi.metrics import KpiShape
from kpi.models import Direction, Period, PeriodKind
from kpi.periods import period_containing, previous_period
from storage.records import Team
from storage.repository import Repository

TOP = ("🥇", "🥈", "🥉")
RECAP_DAYS = 7  # how long a new month's board recalls how the last one ended


def _line(line: GoalLine, t: Texts, currency: str, metrics: dict) -> str:
    st, kpi = line.status, line.kpi
    name = fmt.metric_name(kpi.key, t, metrics)
    if st.actual is None:
        return f"{ICONS[st.status]} {name}: {status_word(st.status, t)}"
    actual = fmt.kpi_value(st.actual, kpi, t, currency)
    sign = "≤" if st.target.direction is Direction.AT_MOST else ""
    target = sign + fmt.kpi_value(st.target.value, kpi, t, currency)
    shown = t("board-goal", name=name, actual=Html(actual), target=Html(target))
    return f"{ICONS[st.status]} {shown} · {status_word(st.status, t)}"


def _verdict(line: GoalLine, t: Texts, metrics: dict) -> str:
    name = fmt.metric_name(line.kpi.key, t, metrics)
    return f"{ICONS[line.status.status]} {name} — {status_word(line.status.status, t)}"


def _pace(lines: list[GoalLine]) -> float | None:
    """The team against pace: the mean share of where each growing target should be by now."""
    shares = [
        x.status.actual / x.status.expected_now
        for x in lines
        if x.kpi.shape is KpiShape.CUMULATIVE
        and x.status.target.direction is Direction.AT_LEAST
        and x.status.actual is not None
        and x.status.expected_now > 0
    ]
    return sum(shares) / len(shares) * 100 if shares else None


async def _goals(repo: Repository, team: Team, period: Period, today: date):
    built = await build_report(repo, team, period, today)
    lines = goal_lines(built, await repo.targets.all(team.id), today)
    return built, [x for x in lines if x.person_id is None]


async def board_text(repo: Repository, team: Team, now: datetime, t: Texts) -> tuple[str, Period]:
    """The board as of `now` and the month it shows."""
    local = now.astimezone(ZoneInfo(team.settings.timezone))
    today = local.date()
    month = period_containing(PeriodKind.MONTH, today)
    currency = team.settings.currency
    built, lines = await _goals(repo, team, month, today)
    left = (month.end - today).days
    parts = [t("board-title", team=team.title, period=fmt.period_label(month, t), left=left)]
    if today.day <= RECAP_DAYS:
        last = previous_period(month)
        _, ended = await _goals(repo, team, last, last.end)
        if ended:
            words = " · ".join(_verdict(x, t, built.metrics) for x in ended)
            parts.append(t("board-recap", period=fmt.period_label(last, t), items=Html(words)))
    parts.append("")
    if lines:
        parts += [_line(x, t, currency, built.metrics) for x in lines]
    else:
        parts.append(t("board-no-targets"))
    if (pace := _pace(lines)) is not None:
        parts.append(t("board-pace", pct=fmt.number(pace, t.lang, 0)))
    key = next((x.kpi.key for x in lines if x.kpi.key in built.metrics), "leads")
    ranking = rank(built.report, key, Direction.AT_LEAST)[:3]
    if ranking:
        names = {p.id: p.display for p in await repo.teams.people(team.id, active_only=False)}
        kpis = {x.kpi.key: x.kpi for x in lines}
        podium = " · ".join(
            f"{TOP[i]} {names.get(uid, '?')} {_top_value(value, kpis.get(key), t, currency)}"
            for i, (uid, value) in enumerate(ranking)
        )
        name = fmt.metric_name(key, t, built.metrics)
        parts.append(t("board-top", kpi=name, podium=Html(podium)))
    parts += ["", t("board-updated", time=local.strftime("%H:%M"))]
    return "\n".join(parts), month


def _top_value(value: float, kpi, t: Texts, currency: str) -> str:
    return fmt.kpi_value(value, kpi, t, currency) if kpi else fmt.number(value, t.lang)


def board_markup(bot_username: str | None, t: Texts) -> InlineKeyboardMarkup | None:
    """«Записать за сегодня»: opens the check-in in the private chat (a deep link)."""
    if not bot_username:
        return None
    url = f"https://t.me/{bot_username}?start=checkin"
    button = InlineKeyboardButton(text=t.plain("checkin-link"), url=url)
    return InlineKeyboardMarkup(inline_keyboard=[[button]])
