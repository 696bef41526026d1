"""The /kpi and /me answer as one call: report, targets block, text (what bench/ times too)."""

from __future__ import annotations

from datetime import date

from bot.goal_views import goals_block
from bot.goals import goal_lines
from bot.i18n import Texts
from bot.reports import build_report
from bot.views import report
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
        return report(built, t, status_block=block)
    return report(built, t, person_id=person.id, person_name=person.display, status_block=block)
