"""Access rules, one test each: members only, managers for changes, leavers lose access."""

from __future__ import annotations

from tests.harness import BotHarness

GROUP = -1004545


def _setup(harness: BotHarness):
    fake = harness.fake
    boss = fake.user(1, "Ольга", username="olga", language_code="ru")
    anya = fake.user(2, "Аня", username="anya", language_code="ru")
    boris = fake.user(3, "Борис", username="boris", language_code="ru")
    fake.set_admins(GROUP, [1])
    return fake, fake.group(GROUP, "Команда"), boss, anya, boris


def _forge(fake, message: dict, data: str, user: dict) -> None:
    """A crafted client: a callback with data no button of ours ever carried."""
    query_id = str(9_000_000 + len(fake.calls))
    fake._open_queries.add(query_id)  # so the fake lets the bot answer it
    fake.queue_raw({"callback_query": {"id": query_id, "from": user, "message": message,
                                       "chat_instance": "1", "data": data}})  # fmt: skip


async def _answer(fake, since: int) -> str:
    answers = await fake.wait_calls("answerCallbackQuery", since=since)
    return str(answers[0].params.get("text", ""))


async def test_stranger_in_private_chat_gets_no_numbers_and_no_export(harness: BotHarness):
    fake, group, _, anya, _ = _setup(harness)
    await harness.say(group, anya, "/lead 5")
    stranger = fake.user(99, "Чужой", language_code="ru")
    private = fake.private_chat(stranger)
    for command in ("/kpi", "/export", "/me", "/top", "/targets", "/history"):
        reply = await harness.say(private, stranger, command)
        assert "не в команде" in reply, (command, reply)
    assert not any(c.method == "sendDocument" for c in fake.calls)


async def test_nobody_deletes_another_persons_entry_but_a_manager(harness: BotHarness):
    fake, group, boss, anya, boris = _setup(harness)
    await harness.say(group, anya, "/lead 5")
    entry = (await harness.repo.entries.recent(GROUP, 2))[0]
    bait = await harness.say(group, boris, "/history")  # Борис's own list: a real message
    assert bait
    message = fake.sent[-1].message
    forged = f"del:{entry.id}"
    calls = len(fake.calls)
    _forge(fake, message, forged, boris)
    assert "менеджер" in await _answer(fake, calls)
    assert await harness.entries(GROUP) == 1
    calls = len(fake.calls)
    _forge(fake, message, forged, boss)
    await _answer(fake, calls)
    assert await harness.entries(GROUP) == 0


async def test_forged_team_choice_is_refused(harness: BotHarness):
    fake, group, _, anya, _ = _setup(harness)
    await harness.say(group, anya, "/lead 1")
    await harness.say(fake.group(-1004646, "Вторая"), anya, "/lead 1")
    other = fake.user(50, "Other", language_code="ru")
    await harness.say(fake.group(-1004747, "Чужая"), other, "/lead 1")
    private = fake.private_chat(anya)
    mark = fake.mark()
    fake.send_message(private, anya, "/team")
    menu = (await fake.wait_sent(1, since=mark, chat_id=2))[0]
    calls = len(fake.calls)
    _forge(fake, menu.message, "team:-1004747", anya)
    assert "Нет доступа" in await _answer(fake, calls)
    person = await harness.repo.teams.person(2)
    assert person is not None and person.selected_team_id != -1004747


async def test_person_who_left_the_group_loses_access(harness: BotHarness):
    fake, group, _, anya, _ = _setup(harness)
    await harness.say(group, anya, "/lead 4")
    private = fake.private_chat(anya)
    assert "Команда" in await harness.say(private, anya, "/kpi")
    fake.member_left(group, anya)
    await fake.wait_idle()
    reply = await harness.say(private, anya, "/kpi")
    assert "не в команде" in reply and "Команда" not in reply


async def test_specialist_cannot_change_targets_settings_or_metrics(harness: BotHarness):
    _, group, _, anya, _ = _setup(harness)
    for command in ("/target leads 10", "/settings", "/metric add x1 counter X", "/export"):
        reply = await harness.say(group, anya, command)
        assert "менеджер" in reply, (command, reply)
    assert await harness.repo.targets.all(GROUP) == []
