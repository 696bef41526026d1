"""Membership follows Telegram: only people Telegram counts as in the group are members, a
person who leaves loses private access at once, a demoted admin loses manager rights at once,
and when Telegram cannot say who manages the team, manager actions are refused."""

from __future__ import annotations

from datetime import timedelta

from tests.fake_members import (
    change_member,
    demote,
    make_bot_admin,
    promote,
    write_as_outsider,
)
from tests.harness import BotHarness

GROUP = -1005151
NOT_IN_TEAM = "не в команде"  # team-none in a private chat
NO_ACCESS = "Нет доступа"  # not-member in the group
UNAVAILABLE = "Не удалось проверить"  # access-unavailable


def _setup(harness: BotHarness):
    fake = harness.fake
    boss = fake.user(1, "Ольга", username="olga", language_code="ru")
    anya = fake.user(2, "Аня", username="anya", language_code="ru")
    fake.set_admins(GROUP, [1])
    return fake, fake.group(GROUP, "Команда"), boss, anya


def _calls(fake, method: str, since: int = 0, **params) -> int:
    return sum(
        c.method == method and all(c.params.get(k) == v for k, v in params.items())
        for c in fake.calls[since:]
    )


async def _history_message(harness: BotHarness, group, user):
    """A bot message in the group with delete buttons on it (anyone can press them)."""
    mark = harness.fake.mark()
    harness.fake.send_message(group, user, "/history")
    sent = await harness.fake.wait_sent(1, since=mark, chat_id=GROUP)
    return sent[0]


async def _press(harness: BotHarness, message, user) -> str:
    fake = harness.fake
    since = len(fake.calls)
    data = message.buttons[0][0]["callback_data"]
    fake.press_button(message, data, user)
    answer = (await fake.wait_calls("answerCallbackQuery", since=since))[0]
    await fake.wait_idle()
    return str(answer.params.get("text", ""))


async def test_the_bot_asks_telegram_for_chat_member_updates(harness: BotHarness):
    await harness.fake.wait_calls("getUpdates")
    assert harness.fake.allowed_updates is not None
    assert {"chat_member", "my_chat_member", "message"} <= harness.fake.allowed_updates


async def test_a_stranger_pressing_a_button_in_the_group_gets_no_access(harness: BotHarness):
    fake, group, _, anya = _setup(harness)
    await harness.say(group, anya, "/lead 5")
    history = await _history_message(harness, group, anya)
    stranger = fake.user(77, "Чужой", language_code="ru")  # views the public group, never joined
    assert NO_ACCESS in await _press(harness, history, stranger)
    assert await harness.repo.teams.membership(GROUP, 77) is None
    assert await harness.entries(GROUP) == 1
    assert NOT_IN_TEAM in await harness.say(fake.private_chat(stranger), stranger, "/kpi")
    # Telegram was asked once; a second press within a minute is answered from the cache
    await _press(harness, history, stranger)
    assert _calls(fake, "getChatMember", user_id=77) == 1


async def test_a_person_who_left_stays_out_whatever_they_press_or_write(harness: BotHarness):
    fake, group, _, anya = _setup(harness)
    await harness.say(group, anya, "/lead 5")
    history = await _history_message(harness, group, anya)
    fake.member_left(group, anya)
    await fake.wait_idle()
    assert NO_ACCESS in await _press(harness, history, anya)
    mark = fake.mark()
    write_as_outsider(fake, group, anya, "/lead 3")  # e.g. a comment in a discussion group
    reply = (await fake.wait_sent(1, since=mark, chat_id=GROUP))[0].text or ""
    assert NO_ACCESS in reply
    assert await harness.entries(GROUP) == 1
    assert await harness.repo.teams.membership(GROUP, 2) == (False, "specialist")
    private = fake.private_chat(anya)
    reply = await harness.say(private, anya, "/kpi")
    assert NOT_IN_TEAM in reply and "Команда" not in reply


async def test_an_appointed_manager_who_left_manages_nothing(harness: BotHarness):
    fake, group, _, anya = _setup(harness)
    await harness.say(group, anya, "/lead 1")
    await harness.repo.teams.set_role(GROUP, 2, "manager")
    assert "Лиды ≥ 10" in await harness.say(group, anya, "/target leads 10 month")
    fake.member_left(group, anya)
    await fake.wait_idle()
    mark = fake.mark()
    write_as_outsider(fake, group, anya, "/target leads 99 month")
    assert NO_ACCESS in ((await fake.wait_sent(1, since=mark, chat_id=GROUP))[0].text or "")
    assert [t.value for t in await harness.repo.targets.all(GROUP)] == [10]


async def test_people_in_the_group_before_the_bot_join_on_their_first_command(
    harness: BotHarness,
):
    fake, group, _, _ = _setup(harness)
    boris = fake.user(3, "Борис", language_code="ru")
    fake.set_member_status(GROUP, 3, "member")  # in the group long before the bot came
    assert "Лиды" in await harness.say(group, boris, "/lead 2")
    assert await harness.repo.teams.membership(GROUP, 3) == (True, "specialist")
    await harness.say(group, boris, "/lead 1")
    assert _calls(fake, "getChatMember", user_id=3) == 1  # once; then storage knows him
    assert "Команда" in await harness.say(fake.private_chat(boris), boris, "/kpi")


async def test_chat_member_left_takes_private_access_away_at_once(harness: BotHarness):
    fake, group, boss, anya = _setup(harness)
    make_bot_admin(fake, group, boss)
    await harness.say(group, anya, "/lead 4")
    private = fake.private_chat(anya)
    assert "Команда" in await harness.say(private, anya, "/kpi")
    change_member(fake, group, anya, "kicked", by_user=boss)  # no service message needed
    await fake.wait_idle()
    assert await harness.repo.teams.membership(GROUP, 2) == (False, "specialist")
    reply = await harness.say(private, anya, "/kpi")
    assert NOT_IN_TEAM in reply and "Команда" not in reply
    # and back: a chat_member join is Telegram's word, no getChatMember needed
    since = len(fake.calls)
    change_member(fake, group, anya, "member")
    await fake.wait_idle()
    assert "Команда" in await harness.say(private, anya, "/kpi")
    assert _calls(fake, "getChatMember", since) == 0


async def test_chat_member_reaches_only_a_bot_that_is_admin(harness: BotHarness):
    fake, group, _, anya = _setup(harness)
    await harness.say(group, anya, "/lead 4")
    update = change_member(fake, group, anya, "left")
    assert update in fake.dropped and update not in fake.pending_updates
    await fake.wait_idle()
    assert await harness.repo.teams.membership(GROUP, 2) == (True, "specialist")


async def test_a_demoted_admin_loses_manager_rights_at_once(harness: BotHarness):
    fake, group, boss, anya = _setup(harness)
    make_bot_admin(fake, group, boss)
    owner = fake.user(9, "Владелец", language_code="ru")
    fake.set_member_status(GROUP, 9, "creator")
    assert "Лиды ≥ 10" in await harness.say(group, boss, "/target leads 10 month")
    demote(fake, group, boss, owner)
    await fake.wait_idle()
    # well within admin_cache_seconds: the clock has not moved at all
    assert "менеджеры" in await harness.say(group, boss, "/target leads 99 month")
    promote(fake, group, anya, owner)
    await fake.wait_idle()
    assert "Лиды ≥ 7" in await harness.say(group, anya, "/target leads 7 month")
    assert sorted(t.value for t in await harness.repo.targets.all(GROUP)) == [7, 10]


async def test_manager_actions_are_refused_when_telegram_cannot_list_admins(
    harness: BotHarness,
):
    fake, group, boss, _ = _setup(harness)
    assert "Лиды ≥ 10" in await harness.say(group, boss, "/target leads 10 month")
    harness.clock.moment += timedelta(seconds=harness.settings.admin_cache_seconds + 1)
    fake.fail_next("getChatAdministrators", status=502, count=2)
    reply = await harness.say(group, boss, "/target leads 99 month")
    assert UNAVAILABLE in reply  # not decided on the expired list
    settings = await harness.say(group, boss, "/settings")
    assert UNAVAILABLE in settings
    assert [t.value for t in await harness.repo.targets.all(GROUP)] == [10]
    assert "Лиды ≥ 12" in await harness.say(group, boss, "/target leads 12 month")  # back


async def test_membership_unknown_to_telegram_is_refused_not_granted(harness: BotHarness):
    fake, group, _, _ = _setup(harness)
    boris = fake.user(3, "Борис", language_code="ru")
    fake.fail_next("getChatMember", status=502)
    assert UNAVAILABLE in await harness.say(group, boris, "/lead 2")
    assert await harness.repo.teams.membership(GROUP, 3) is None
    assert await harness.entries(GROUP) == 0
    assert "Лиды" in await harness.say(group, boris, "/lead 2")  # Telegram answers again
