"""A group upgraded to a supergroup keeps its team: every row keyed by the old chat id moves
to the new one, once, whichever migration notice comes first and however often."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date

from kpi.models import PeriodKind
from kpi.periods import period_containing
from tests.fake_members import basic_group, upgrade_to_supergroup
from tests.harness import BotHarness

OLD = -4545  # a basic group
NEW = -1004545454545  # the supergroup it becomes


def _rows_keyed_by(harness: BotHarness, chat_id: int) -> dict[str, int]:
    """How many rows of each table name the chat, by any team_id column."""
    with closing(sqlite3.connect(f"file:{harness.db_path}?mode=ro", uri=True)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        found = {}
        for table in tables:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            key = "id" if table == "teams" else "team_id" if "team_id" in columns else None
            if key is None:
                continue
            sql = f'SELECT count(*) FROM "{table}" WHERE {key} = ?'
            if count := conn.execute(sql, (chat_id,)).fetchone()[0]:
                found[table] = count
        return found


async def _team_in_a_basic_group(harness: BotHarness):
    fake = harness.fake
    boss = fake.user(1, "Ольга", username="olga", language_code="ru")
    anya = fake.user(2, "Аня", username="anya", language_code="ru")
    group = basic_group(fake, OLD, "Команда")
    fake.set_admins(OLD, [1])
    await harness.say(group, anya, "/lead 5")
    assert "Лиды ≥ 40" in await harness.say(group, boss, "/target leads 40 month")
    await harness.repo.teams.update_settings(OLD, currency="USD", digest_time="09:30")
    week = period_containing(PeriodKind.WEEK, date(2026, 11, 9))
    assert await harness.repo.digests.claim(OLD, week, harness.clock.now())
    await harness.repo.teams.set_role(OLD, 2, "manager")
    private = fake.private_chat(anya)
    assert "Лиды: <b>5</b>" in await harness.say(private, anya, "/kpi")
    return fake, group, boss, anya, week


async def _assert_moved(harness: BotHarness, week, leads: int) -> None:
    repo = harness.repo
    assert await repo.teams.get(OLD) is None
    assert _rows_keyed_by(harness, OLD) == {}
    team = await repo.teams.get(NEW)
    assert team is not None and team.active and team.title == "Команда"
    assert team.settings.currency == "USD" and team.schedule.digest_time == "09:30"
    assert [t.value for t in await repo.targets.all(NEW)] == [40]
    state = await repo.digests.state(NEW, week)
    assert state is not None and state.state == "sending"  # its history: not sent twice
    assert await repo.teams.membership(NEW, 2) == (True, "manager")
    assert await repo.teams.membership(NEW, 1) == (True, "specialist")
    assert await harness.entries(NEW) == leads


async def test_upgrade_moves_data_targets_settings_digests_and_members(harness: BotHarness):
    fake, group, boss, anya, week = await _team_in_a_basic_group(harness)
    new_chat, _ = upgrade_to_supergroup(fake, group, NEW, boss)
    await fake.wait_idle()
    await _assert_moved(harness, week, leads=1)
    reply = await harness.say(new_chat, anya, "/lead 2")
    assert "→ 7" in reply  # the month total carried over
    assert "Лиды: <b>7</b>" in await harness.say(fake.private_chat(anya), anya, "/kpi")
    assert _rows_keyed_by(harness, OLD) == {}


async def test_both_notices_in_any_order_and_twice_move_the_team_once(harness: BotHarness):
    fake, group, boss, anya, week = await _team_in_a_basic_group(harness)
    new_chat, updates = upgrade_to_supergroup(fake, group, NEW, boss, new_first=True)
    await fake.wait_idle()
    for update in updates:
        fake.redeliver(update)
    await fake.wait_idle()
    await _assert_moved(harness, week, leads=1)
    assert "→ 6" in await harness.say(new_chat, anya, "/lead 1")


async def test_a_message_in_the_supergroup_before_the_notice_is_merged(harness: BotHarness):
    fake, group, boss, anya, week = await _team_in_a_basic_group(harness)
    # The supergroup is seen first (a /lead there is handled before the migration notice):
    # a fresh team with default settings springs up under the new id.
    early = fake.group(NEW, "Команда")
    fake.set_member_status(NEW, 2, "member")
    assert "→ 3 " in await harness.say(early, anya, "/lead 3")  # a team of its own so far
    assert (await harness.repo.teams.get(NEW)).settings.currency != "USD"  # type: ignore[union-attr]
    upgrade_to_supergroup(fake, group, NEW, boss)
    await fake.wait_idle()
    await _assert_moved(harness, week, leads=2)
    assert "→ 9" in await harness.say(early, anya, "/lead 1")  # 5 + 3 + 1: totals merged
