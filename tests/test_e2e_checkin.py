"""Issue 12: the check-in driven by pressing buttons through the fake Bot API."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from tests.checkin_helpers import button, press, text_of
from tests.harness import BotHarness

GROUP = -1001212


@pytest.fixture
def team(harness: BotHarness):
    fake = harness.fake
    anya = fake.user(21, "Аня", username="anya", language_code="ru")
    group = fake.group(GROUP, "SMM Север")
    return group, anya, fake.private_chat(anya)


async def _open(harness: BotHarness, chat: dict, user: dict, command: str = "/checkin") -> int:
    """Send the command; the id of the check-in message (the one with buttons)."""
    fake = harness.fake
    mark = fake.mark()
    fake.send_message(chat, user, command)
    sent = await fake.wait_sent(1, since=mark, chat_id=chat["id"])
    await fake.wait_idle()
    with_buttons = [s for s in fake.sent[mark:] if s.buttons and s.method == "sendMessage"]
    assert sent and with_buttons, [s.text for s in fake.sent[mark:]]
    return int(with_buttons[-1].message["message_id"])


async def _values(harness: BotHarness) -> list[tuple[str, float, date]]:
    rows = await harness.repo.db.fetch(
        "SELECT metric, value, day FROM entries WHERE deleted_at IS NULL ORDER BY id"
    )
    return [(r["metric"], r["value"], date.fromisoformat(r["day"])) for r in rows]


async def test_a_day_logged_by_thumb(harness: BotHarness, team):
    group, anya, private = team
    fake = harness.fake
    await harness.say(group, anya, "/lead 1")  # Аня is in the team; 1 lead this month
    msg = await _open(harness, private, anya)
    text = text_of(fake, private["id"], msg)
    assert "Чек-ин" in text and "20 нояб, сегодня" in text and "Записано: Лиды 1" in text
    await press(fake, private["id"], msg, "Лиды", anya)
    assert "Лиды: <b>…</b>" in text_of(fake, private["id"], msg)
    for digit in ("1", "2"):
        await press(fake, private["id"], msg, digit, anya)
    await press(fake, private["id"], msg, "⌫", anya)
    await press(fake, private["id"], msg, "5", anya)
    assert "Лиды: <b>15</b>" in text_of(fake, private["id"], msg)
    notice = await press(fake, private["id"], msg, "✅", anya)
    assert notice == "Записано ✅"
    text = text_of(fake, private["id"], msg)
    # the same confirmation as /lead, with the month's running total
    assert "Лиды: <b>+15</b> → 16 за ноябрь 2026" in text
    assert "Записано: Лиды 16" in text and "Что записать?" in text
    # a duration: a quick choice records at once
    await press(fake, private["id"], msg, "Время ответа", anya)
    await press(fake, private["id"], msg, "15м", anya)
    assert "медиана 15 мин" in text_of(fake, private["id"], msg)
    notice = await press(fake, private["id"], msg, "Готово", anya)
    final = fake.message(private["id"], msg)
    assert final is not None and "reply_markup" not in final
    assert final["text"] == "✅ 20 нояб, сегодня: Лиды 16 · Время ответа 15 мин"
    assert await _values(harness) == [
        ("leads", 1.0, date(2026, 11, 20)),
        ("leads", 15.0, date(2026, 11, 20)),
        ("response_time", 15.0, date(2026, 11, 20)),
    ]


async def test_a_double_press_records_once(harness: BotHarness, team):
    group, anya, private = team
    fake = harness.fake
    await harness.say(group, anya, "/post 1")
    msg = await _open(harness, private, anya)
    await press(fake, private["id"], msg, "Публикации", anya)
    await press(fake, private["id"], msg, "3", anya)
    current = fake.message(private["id"], msg)
    assert current is not None
    ok = button(current, "✅")
    calls = len(fake.calls)
    first = fake.press_button(current, ok, anya)  # two taps before the message changes
    second = fake.press_button(current, ok, anya)
    await fake.wait_calls("answerCallbackQuery", 2, since=calls)
    answers = [fake.callback_answers[u["callback_query"]["id"]] for u in (first, second)]
    assert answers[0].get("text") == "Записано ✅"
    assert "уже не действует" in answers[1].get("text", "")
    # the same callback delivered twice (the bot died before confirming it)
    calls = len(fake.calls)
    fake.redeliver(first)
    await fake.wait_calls("answerCallbackQuery", since=calls)
    await fake.wait_idle()
    assert [v for v in await _values(harness) if v[0] == "posts"] == [
        ("posts", 1.0, date(2026, 11, 20)),
        ("posts", 3.0, date(2026, 11, 20)),
    ]


async def test_an_old_checkin_message_changes_nothing(harness: BotHarness, team):
    group, anya, private = team
    fake = harness.fake
    await harness.say(group, anya, "/lead 1")
    old = await _open(harness, private, anya)
    await _open(harness, private, anya)  # a newer check-in: the old one is stale
    notice = await press(fake, private["id"], old, "Лиды", anya)
    assert "уже не действует" in notice
    assert "Что записать?" in text_of(fake, private["id"], old)


async def test_a_half_filled_checkin_survives_a_restart(harness: BotHarness, team):
    group, anya, private = team
    fake = harness.fake
    await harness.say(group, anya, "/lead 1")
    msg = await _open(harness, private, anya)
    await press(fake, private["id"], msg, "Лиды", anya)
    await press(fake, private["id"], msg, "4", anya)
    await harness.restart()
    await press(fake, private["id"], msg, "2", anya)
    await press(fake, private["id"], msg, "✅", anya)
    assert "Лиды: <b>+42</b> → 43" in text_of(fake, private["id"], msg)


async def test_a_keypad_move_skips_the_fsync_and_a_value_does_not(
    harness: BotHarness, team, monkeypatch
):
    group, anya, private = team
    fake = harness.fake
    await harness.say(group, anya, "/lead 1")
    msg = await _open(harness, private, anya)
    db, writes = harness.repo.db, []
    queue = db.queue  # every write is queued through it

    def spy(work, *, durable=True):
        writes.append((work.__qualname__.split(".")[0], durable))
        return queue(work, durable=durable)

    monkeypatch.setattr(db, "queue", spy)
    await press(fake, private["id"], msg, "Лиды", anya)
    await press(fake, private["id"], msg, "7", anya)
    assert [d for repo, d in writes if repo == "CheckinRepo"] == [False, False]
    writes.clear()
    await press(fake, private["id"], msg, "✅", anya)
    assert [d for repo, d in writes if repo in ("CheckinRepo", "EntryRepo")] == [True, True]
    assert ("leads", 7.0) in [(m, v) for m, v, _ in await _values(harness)]


async def test_a_press_checks_its_owner_itself_and_refuses_one_who_left(
    harness: BotHarness, team, monkeypatch
):
    group, anya, private = team
    fake = harness.fake
    await harness.say(group, anya, "/lead 1")
    msg = await _open(harness, private, anya)
    teams, looked_up = harness.repo.teams, []
    person_and_teams = teams.person_and_teams

    async def spy(user_id):
        looked_up.append(user_id)
        return await person_and_teams(user_id)

    monkeypatch.setattr(teams, "person_and_teams", spy)
    await press(fake, private["id"], msg, "Лиды", anya)
    await press(fake, private["id"], msg, "3", anya)
    assert looked_up == []  # the press is checked against its check-in, not the context
    fake.member_left(group, anya)
    await fake.wait_idle()
    current, calls = fake.message(private["id"], msg), len(fake.calls)
    assert current is not None
    update = fake.press_button(current, button(current, "✅"), anya)
    await fake.wait_calls("answerCallbackQuery", since=calls)
    answer = fake.callback_answers[update["callback_query"]["id"]]
    assert answer.get("text") == "Нет доступа: вы не участник этой команды."
    assert await _values(harness) == [("leads", 1.0, date(2026, 11, 20))]


async def test_yesterday_and_a_typed_value(harness: BotHarness, team):
    group, anya, private = team
    fake = harness.fake
    await harness.say(group, anya, "/lead 1")
    msg = await _open(harness, private, anya)
    await press(fake, private["id"], msg, "◀ Вчера", anya)
    assert "19 нояб, вчера" in text_of(fake, private["id"], msg)
    await press(fake, private["id"], msg, "Время ответа", anya)
    reply = await harness.say(private, anya, "1ч 30м")
    assert "1 ч 30 мин" in reply and "за 19 нояб" in reply
    await fake.wait_idle()  # the check-in message is edited after the reply
    assert "Записано: Время ответа 1 ч 30 мин" in text_of(fake, private["id"], msg)
    await press(fake, private["id"], msg, "Лиды", anya)
    reply = await harness.say(private, anya, "abc")  # the same error as /log leads abc
    assert "не число" in reply
    assert await _values(harness) == [
        ("leads", 1.0, date(2026, 11, 20)),
        ("response_time", 90.0, date(2026, 11, 19)),
    ]


async def test_a_value_the_command_would_refuse_is_refused(harness: BotHarness, team):
    group, anya, private = team
    fake = harness.fake
    await harness.say(group, anya, "/lead 1")
    msg = await _open(harness, private, anya)
    await press(fake, private["id"], msg, "Лиды", anya)
    for digit in "99999":
        await press(fake, private["id"], msg, digit, anya)
    notice = await press(fake, private["id"], msg, "✅", anya)
    assert notice == "Не записано — см. сообщение."
    refused = await harness.say(group, anya, "/lead 99999")
    assert refused in text_of(fake, private["id"], msg)  # the very same words
    assert len(await _values(harness)) == 1


async def test_the_group_link_opens_the_checkin(harness: BotHarness, team):
    group, anya, private = team
    await harness.say(group, anya, "/lead 1")
    mark = harness.fake.mark()
    await harness.say(group, anya, "/checkin")  # in the group: the link to the private chat
    link = harness.fake.sent[mark].message["reply_markup"]["inline_keyboard"][0][0]
    assert link["url"] == "https://t.me/kpi_test_bot?start=checkin"
    msg = await _open(harness, private, anya, "/start checkin")
    assert "Чек-ин" in text_of(harness.fake, private["id"], msg)


async def test_forged_callback_data_is_refused(harness: BotHarness, team):
    group, anya, private = team
    fake = harness.fake
    boris = fake.user(22, "Борис", language_code="ru")
    await harness.say(group, anya, "/lead 1")
    await harness.say(group, boris, "/lead 1")
    msg = await _open(harness, private, anya)
    current = fake.message(private["id"], msg)
    assert current is not None
    data = button(current, "Лиды")
    cid, version = data.split(":")[1:3]
    for forged in (f"ck:{cid}:{version}:m:../etc", f"ck:{cid}:{version}:d:77", "ck:x:y:z"):
        calls = len(fake.calls)
        query_id = str(9_100_000 + calls)
        fake._open_queries.add(query_id)
        fake.queue_raw({"callback_query": {"id": query_id, "from": anya, "message": current,
                                           "chat_instance": "1", "data": forged}})  # fmt: skip
        await fake.wait_calls("answerCallbackQuery", since=calls)
    calls = len(fake.calls)
    fake.press_button(current, data, boris)  # someone else's check-in
    await fake.wait_calls("answerCallbackQuery", since=calls)
    await fake.wait_idle()
    assert "Что записать?" in text_of(fake, private["id"], msg)
    assert len(await _values(harness)) == 2


async def test_the_evening_reminder_opens_the_checkin_and_remind_off_silences_it(
    harness: BotHarness,
):
    fake = harness.fake
    group = fake.group(GROUP, "SMM Север")
    quiet = fake.user(31, "Тихоня", language_code="ru")
    muted = fake.user(32, "Muted", language_code="ru")
    for person in (quiet, muted):
        await harness.say(fake.private_chat(person), person, "/start")
        await harness.say(group, person, "/help")
    await harness.say(fake.private_chat(muted), muted, "/remind off")
    harness.clock.moment = harness.clock.moment.replace(hour=15)  # 18:00 in Moscow
    mark = fake.mark()
    await harness.digests.tick()
    sent = [s for s in fake.sent[mark:] if s.method == "sendMessage"]
    assert [s.chat_id for s in sent] == [31]
    assert "🔔" in (sent[0].text or "") and "Что записать?" in (sent[0].text or "")
    msg = sent[0].message["message_id"]
    await press(fake, 31, msg, "Лиды", quiet)
    await press(fake, 31, msg, "2", quiet)
    await press(fake, 31, msg, "✅", quiet)
    assert "Лиды: <b>+2</b> → 2" in text_of(fake, 31, msg)


async def test_quick_keys_log_at_once_and_keys_off_removes_them(harness: BotHarness, team):
    group, anya, private = team
    fake = harness.fake
    await harness.say(group, anya, "/post 1")
    mark = fake.mark()
    await _open(harness, private, anya)
    keys = next(s for s in fake.sent[mark:] if "reply_markup" in s.params and "⌨️" in (s.text or ""))
    markup = keys.params["reply_markup"]
    markup = markup if isinstance(markup, dict) else __import__("json").loads(markup)
    labels = [b["text"] for row in markup["keyboard"] for b in row]
    assert labels == ["+1 пост", "+1 лид", "⏱ Время ответа", "📊 KPI"]  # most used first
    assert markup["is_persistent"] is True and markup["resize_keyboard"] is True
    reply = await harness.say(private, anya, "+1 лид")
    assert "Лиды: <b>+1</b> → 1 за ноябрь 2026" in reply
    mark = fake.mark()
    await harness.say(private, anya, "⏱ Время ответа")  # opens the check-in on its pad
    pad = next(s for s in fake.sent[mark:] if s.buttons)
    assert "Время ответа: <b>…</b>" in (pad.text or "")
    reply = await harness.say(private, anya, "1ч")  # typed into that pad
    assert "1 ч" in reply
    await fake.wait_idle()  # the check-in message is edited after the reply
    reply = await harness.say(private, anya, "📊 KPI")
    assert "Лиды: <b>1</b>" in reply and "Публикации: <b>1</b>" in reply
    mark = fake.mark()
    await harness.say(private, anya, "/keys off")
    removed = fake.sent[mark].params["reply_markup"]
    removed = removed if isinstance(removed, dict) else __import__("json").loads(removed)
    assert removed == {"remove_keyboard": True}
    mark = fake.mark()
    await _open(harness, private, anya)  # not offered again once turned off
    assert not any("⌨️" in (s.text or "") for s in fake.sent[mark:])


async def test_several_teams_ask_which_first(harness: BotHarness, team):
    group, anya, private = team
    fake = harness.fake
    other = fake.group(-1001313, "SMM Юг")
    await harness.say(group, anya, "/lead 1")
    await harness.say(other, anya, "/post 1")
    mark = fake.mark()
    asked = await harness.say(private, anya, "/checkin")
    assert "нескольких командах" in asked
    choice = fake.sent[mark].message
    calls = len(fake.calls)
    fake.press_button(choice, button(choice, "SMM Юг"), anya)
    await fake.wait_calls("answerCallbackQuery", since=calls)
    await fake.wait_idle()
    msg = await _open(harness, private, anya)
    assert "Записано: Публикации 1" in text_of(fake, private["id"], msg)  # Юг's day
    await press(fake, private["id"], msg, "Публикации", anya)
    await press(fake, private["id"], msg, "2", anya)
    await press(fake, private["id"], msg, "✅", anya)
    assert await harness.entries(-1001313) == 2 and await harness.entries(GROUP) == 1


async def test_a_custom_metric_name_is_plain_on_the_button_and_escaped_in_the_text(
    harness: BotHarness, team
):
    group, anya, private = team
    fake = harness.fake
    fake.set_admins(GROUP, [anya["id"]])
    await harness.say(group, anya, "/metric add reels counter Reels & <b>clips</b>")
    await harness.say(group, anya, "/log reels 2")
    msg = await _open(harness, private, anya)
    text = text_of(fake, private["id"], msg)
    assert "Reels &amp; &lt;b&gt;clips&lt;/b&gt; 2" in text
    await press(fake, private["id"], msg, "Reels & <b>clips</b> · 2", anya)
    assert "Reels &amp; &lt;b&gt;clips&lt;/b&gt;: <b>…</b>" in text_of(fake, private["id"], msg)


async def test_a_keypad_tap_is_answered_while_its_write_runs(
    harness: BotHarness, team, monkeypatch
):
    """A move says nothing on the tap, whatever its write finds: the spinner stops before the
    write has committed (a slow disk), and the message follows once it has."""
    group, anya, private = team
    fake = harness.fake
    await harness.say(group, anya, "/lead 1")
    msg = await _open(harness, private, anya)
    checkins = harness.repo.checkins
    advance, release = checkins.advance, asyncio.Event()

    async def slow_advance(*args: object, **kwargs: object):
        await release.wait()
        return await advance(*args, **kwargs)

    monkeypatch.setattr(checkins, "advance", slow_advance)
    current = fake.message(private["id"], msg)
    assert current is not None
    calls = len(fake.calls)
    fake.press_button(current, button(current, "Лиды"), anya)
    await fake.wait_calls("answerCallbackQuery", since=calls)
    assert "Лиды: <b>…</b>" not in text_of(fake, private["id"], msg)  # not moved yet
    release.set()
    await fake.wait_calls("editMessageText", since=calls)
    await fake.wait_idle()
    assert "Лиды: <b>…</b>" in text_of(fake, private["id"], msg)
    answers = [c for c in fake.calls[calls:] if c.method == "answerCallbackQuery"]
    assert len(answers) == 1 and "text" not in answers[0].params  # silent, and once
