"""What a check-in shows and how its values are recorded (the handlers only route presses).

A value is recorded exactly as `/log <metric> <value>` typed on the check-in's day would be:
the same parser (so the same validation and error texts) and the same `bot.logbook.record`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from aiogram.types import InlineKeyboardMarkup

from bot import texts as fmt
from bot.checkin.keyboards import metric_list, number_pad
from bot.i18n import Html, Texts
from bot.logbook import Recorded, record
from bot.parsing import ParsedLog, parse_command
from bot.reports import team_metrics
from bot.views import value_text
from kpi.models import Metric, MetricKind, Target
from kpi.periods import local_today
from storage.checkin import Checkin
from storage.records import Source, Team
from storage.repository import Repository

DEFAULT_METRICS = ("leads", "posts", "response_time")
USED_DAYS = 30
# A target on a derived KPI asks for the metric it is computed from.
KPI_METRIC = {
    "response_median": "response_time", "response_p90": "response_time",
    "response_sla": "response_time", "follower_growth": "followers", "churn_pct": "unsubscribes",
    "conversion": "sales", "qualified_share": "qualified_leads", "engagement_rate": "likes",
}  # fmt: skip


def expected_metrics(
    metrics: dict[str, Metric], targets: list[Target], used: list[str], user_id: int, day: date
) -> tuple[list[str], list[str]]:
    """(shown, the rest behind «Ещё…»): metrics with a team or personal target first, then
    those the person used lately; the common three fill up a short list."""
    aimed = [
        KPI_METRIC.get(x.kpi, x.kpi)
        for x in sorted(targets, key=lambda x: (x.user_id is None, x.id or 0))
        if x.user_id in (None, user_id) and x.valid_from <= day
    ]
    shown = [k for k in dict.fromkeys([*aimed, *used]) if k in metrics]
    shown += [k for k in DEFAULT_METRICS if k in metrics and k not in shown][: 3 - len(shown)]
    return shown, [k for k in metrics if k not in shown]


def day_value(metric: Metric, values: list[float], t: Texts, currency: str) -> str:
    """What a day holds for one metric: the sum, every reply time, or a gauge's last value."""
    if metric.kind is MetricKind.DURATION:
        return ", ".join(fmt.duration(v, t) for v in values)
    if metric.kind is MetricKind.GAUGE:
        return value_text(metric, values[-1], t, currency)
    return value_text(metric, sum(values), t, currency)


def logged_text(
    logged: dict[str, list[float]], metrics: dict[str, Metric], t: Texts, currency: str
) -> str:
    parts = []
    for key, values in logged.items():
        metric = metrics.get(key)
        if metric is None:
            continue
        parts.append(f"{fmt.metric_name(key, t, metrics)} {day_value(metric, values, t, currency)}")
    return " · ".join(parts)


def day_line(day: date, today: date, t: Texts) -> str:
    shown = fmt.short_date(day, t.lang)
    if day == today:
        return t("checkin-day-today", day=shown)
    if day == today - timedelta(days=1):
        return t("checkin-day-yesterday", day=shown)
    return t("checkin-day", day=shown)


async def render(
    repo: Repository, ci: Checkin, team: Team, t: Texts, today: date, notice: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    """The check-in message as it stands: text (HTML) and its keyboard."""
    metrics = await team_metrics(repo, team.id)
    logged = await repo.checkins.day_totals(team.id, ci.user_id, ci.day)
    currency = team.settings.currency
    done = logged_text(logged, metrics, t, currency)
    lines = [
        t("checkin-title", day=Html(day_line(ci.day, today, t))),
        t("checkin-logged", items=Html(done)) if done else t("checkin-nothing"),
    ]
    if notice:
        lines += ["", notice]
    metric = metrics.get(ci.metric or "")
    if metric is not None:
        name = fmt.metric_name(metric.key, t, metrics)
        duration = metric.kind is MetricKind.DURATION
        typed = ci.digits or "…"
        if duration and ci.digits:
            typed = fmt.duration(float(ci.digits), t)
        hint = t("checkin-pad-minutes") if duration else t("checkin-pad-hint")
        lines += ["", t("checkin-pad", name=name, value=typed), hint]
        return "\n".join(lines), number_pad(ci, duration, t)
    targets = await repo.targets.all(team.id)
    used = await repo.checkins.usage(team.id, ci.user_id, today - timedelta(days=USED_DAYS))
    shown, rest = expected_metrics(metrics, targets, used, ci.user_id, ci.day)
    keys = shown + rest if ci.more else shown
    labels = []
    for key in keys:  # what the day holds already, on the button: «Лиды · 3»
        label = fmt.metric_label(key, t, metrics)  # a button is plain text
        if key in logged:
            label += " · " + day_value(metrics[key], logged[key], t, currency)
        labels.append((key, label))
    lines += ["", t("checkin-pick")]
    return "\n".join(lines), metric_list(ci, labels, bool(rest) and not ci.more, ci.day == today, t)


async def start(
    repo: Repository,
    team: Team,
    user_id: int,
    chat_id: int,
    t: Texts,
    now: datetime,
    *,
    metric: str | None = None,
    notice: str = "",
) -> tuple[Checkin, str, InlineKeyboardMarkup]:
    """A new check-in for today (the person's older ones go stale) and its first message;
    the caller sends it and then stores its id (`repo.checkins.set_message`)."""
    today = local_today(now, team.settings.timezone)
    ci = await repo.checkins.open(user_id, team.id, chat_id, today, now)
    if metric is not None:
        ci = await repo.checkins.advance(ci.id, ci.version, now, metric=metric) or ci
    text, markup = await render(repo, ci, team, t, today, notice=notice)
    return ci, text, markup


def summary(
    ci: Checkin,
    logged: dict[str, list[float]],
    metrics: dict[str, Metric],
    team: Team,
    t: Texts,
    today: date,
) -> str:
    """«Готово»: one line for the day."""
    done = logged_text(logged, metrics, t, team.settings.currency)
    day = day_line(ci.day, today, t)
    if not done:
        return t("checkin-summary-empty", day=Html(day))
    return t("checkin-summary", day=Html(day), items=Html(done))


def parse_value(
    metrics: dict[str, Metric], metric_key: str, typed: str, day: date
) -> tuple[ParsedLog, dict[str, Metric]]:
    """`/log <metric> <typed>` as if typed on `day`; raises ParseError like the command."""
    custom = {k: m for k, m in metrics.items() if m.custom_name}
    # `day` stands in for today: the value belongs to it, «вчера» typed counts back from it.
    return parse_command("log", f"{metric_key} {typed}", day, custom), custom


async def log_value(
    repo: Repository,
    team: Team,
    user_id: int,
    metric_key: str,
    typed: str,
    day: date,
    now: datetime,
    source: Source,
) -> tuple[Recorded, dict[str, Metric]]:
    """Parse as the command would, then store through the command's own `record`."""
    metrics = await team_metrics(repo, team.id)
    parsed, custom = parse_value(metrics, metric_key, typed, day)
    recorded = await record(repo, team.id, user_id, parsed, metrics, now, source)
    return recorded, custom


def press_source(ci: Checkin) -> Source:
    """A press's key for the entries it stores: the check-in at its version. Negative, so it
    never meets a real message id; a press handled twice stores nothing the second time."""
    return Source(ci.chat_id, -(ci.id * 1_000_000 + ci.version), 0)
