"""The /kpi, /me and /top answers as one call each: report, targets, text (what bench/ times)."""

from __future__ import annotations

from datetime import date

from bot import texts as fmt
from bot.capture.subscribers import sources_block
from bot.goal_views import goals_block
from bot.goals import goal_lines
from bot.i18n import Html, Texts
from bot.reports import build_report
from bot.views import report
from kpi.compute import rank
from kpi.metrics import KpiDef
from kpi.models import Period
from storage.records import Person, Team
from storage.repository import Repository


async def kpi_text(
    repo: Repository,
    team: Team,
    period: Period,
    today: date,
    t: Texts,
    person: Person | None = None,
) -> str:
    """The team's view, or one person's (with only that person's own targets)."""
    built = await build_report(repo, team, period, today)
    lines = goal_lines(built, await repo.targets.all(team.id), today)
    if person is not None:
        lines = [x for x in lines if x.person_id == person.id]
    block = ""
    if lines:
        names = {p.id: p.display for p in await repo.teams.people(team.id, active_only=False)}
        currency = team.settings.currency
        block = goals_block(lines, period, today, t, currency, built.metrics, names)
    if person is None:
        text = report(built, t, status_block=block)
        sources = await sources_block(repo, team.id, period, t)  # captured from the channel
        return text + "\n\n" + sources if sources else text
    return report(built, t, person_id=person.id, person_name=person.display, status_block=block)


async def top_text(
    repo: Repository, team: Team, period: Period, today: date, t: Texts, key: str, kpi: KpiDef
) -> str:
    """The team's people ranked by one KPI over the period, best first."""
    built = await build_report(repo, team, period, today)
    label = fmt.period_label(built.report.period, t)
    ranking = rank(built.report, key, kpi.direction)
    if not ranking:
        return t("top-empty", period=label)
    names = {p.id: p.display for p in await repo.teams.people(team.id, active_only=False)}
    names |= {c.id: c.display for c in await repo.capture.channels(team.id)}  # for the team
    lines = [t("top-title", kpi=fmt.metric_name(key, t, built.metrics), period=label)]
    for place, (person_id, value) in enumerate(ranking, start=1):
        shown = fmt.kpi_value(value, kpi, t, team.settings.currency)
        person = names.get(person_id, "?")
        lines.append(t("top-line", place=place, person=person, value=Html(shown)))
    return "\n".join(lines)
